"""The day-of huddle sheet: one line per procedure of a local day, everything the team asks at 07:00.

Two queries whatever the number of procedures: the day's episodes (with patient and nurse), and the
tasks that answer the sheet's questions for all of them; plus one per column an app above registers
(`huddle_column`, from its `AppConfig.ready()`): the medicines app adds "Blood thinners · INR",
which `checklists` may not import. A column's function answers for all the day's episodes at once.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from .hospital_time import local_midnight
from .models import ChecklistTask, Episode

# The shipped protocol's tasks that answer the huddle's questions, found by title (any case or
# spacing); the test protocol's titles are here too. A protocol without them shows "not asked".
LAST_FOOD_TITLES = ("last light meal", "last fatty or fried food or meat", "last solid food")
LAST_DRINK_TITLES = ("last clear drink",)
DRIVER_TITLES = ("confirm your driver", "arrange an adult to drive you home", "arrange a driver")
ANSWER_TITLES = LAST_FOOD_TITLES + LAST_DRINK_TITLES + DRIVER_TITLES


# The day's episodes -> each episode's lines in the column, by episode id (in one query).
HuddleColumnLines = Callable[[list[Episode]], dict[int, list[str]]]

_columns: list[tuple[str, HuddleColumnLines]] = []


def huddle_column(heading: str) -> Callable[[HuddleColumnLines], HuddleColumnLines]:
    """Register the decorated function as a column of the sheet (after "Last food / last clear drink")."""

    def register(function: HuddleColumnLines) -> HuddleColumnLines:
        if all(registered is not function for _, registered in _columns):
            _columns.append((heading, function))
        return function

    return register


def huddle_column_headings() -> list[str]:
    return [heading for heading, _ in _columns]


# How many open critical items a line names before it counts the rest.
BLOCKING_SHOWN = 2


@dataclass
class HuddleLine:
    order: int
    episode: Episode
    blocking: list[str] = field(default_factory=list)
    last_food: dt.datetime | None = None
    last_drink: dt.datetime | None = None
    driver: str = "not asked"  # "confirmed", "reported by the patient", "not confirmed", "not asked"
    # One list of lines per registered column, in the order of `huddle_column_headings()`.
    columns: list[list[str]] = field(default_factory=list)

    def blocking_text(self) -> str:
        """The open critical items, the soonest due first; past the first few, how many more (the checklist
        lists them): a day with everything still open prints on one page, and says it is far from ready."""
        if not self.blocking:
            return "None"
        shown = "; ".join(self.blocking[:BLOCKING_SHOWN])
        more = len(self.blocking) - BLOCKING_SHOWN
        return f"{shown}; and {more} more (see the checklist)" if more > 0 else shown


def huddle_lines(day: dt.date) -> list[HuddleLine]:
    """The procedures starting on this local day (not cancelled), in order of start."""
    episodes = list(
        Episode.objects.filter(
            scheduled_start__gte=local_midnight(day), scheduled_start__lt=local_midnight(day + dt.timedelta(days=1))
        )
        .exclude(status=Episode.Status.CANCELLED)
        .select_related("patient", "nurse")
        .order_by("scheduled_start", "pk")
    )
    lines = {episode.pk: HuddleLine(order, episode) for order, episode in enumerate(episodes, start=1)}
    tasks = ChecklistTask.objects.filter(episode__in=lines.keys()).filter(
        Q(is_critical=True, status=ChecklistTask.Status.PENDING) | Q(title__iregex=_any_title(ANSWER_TITLES))
    )
    for task in tasks.order_by("due_at", "pk"):
        _answer(lines[task.episode_id], task)
    for _, column in _columns:
        answers = column(episodes) if episodes else {}
        for line in lines.values():
            line.columns.append(answers.get(line.episode.pk, []))
    return list(lines.values())


def _any_title(titles: tuple[str, ...]) -> str:
    return "^(" + "|".join(title.replace(" ", r"\s+") for title in titles) + r")\s*$"


def _answer(line: HuddleLine, task: ChecklistTask) -> None:
    if task.is_critical and task.is_pending:
        line.blocking.append(task.title)
    key = task.title_key
    # The moment the patient said it was done, or else when a nurse recorded it.
    said_at = task.patient_reported_at or (task.completed_at if task.status == ChecklistTask.Status.DONE else None)
    if key in LAST_FOOD_TITLES and said_at and (line.last_food is None or said_at > line.last_food):
        line.last_food = said_at
    elif key in LAST_DRINK_TITLES and said_at and (line.last_drink is None or said_at > line.last_drink):
        line.last_drink = said_at
    elif key in DRIVER_TITLES:
        line.driver = _driver_state(line.driver, task)


def _driver_state(so_far: str, task: ChecklistTask) -> str:
    """Confirmed only when every driver task is done; the weakest answer wins."""
    if task.status == ChecklistTask.Status.DONE:
        state = "confirmed"
    elif task.awaits_verification:
        state = "reported by the patient"
    elif task.is_pending:
        state = "not confirmed"
    else:
        state = so_far  # not applicable: says nothing
    order = ["not confirmed", "reported by the patient", "confirmed", "not asked"]
    return min(so_far, state, key=order.index)
