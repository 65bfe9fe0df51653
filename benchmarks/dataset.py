"""Benchmark data sets: the worklist's (5,000 episodes over 90 days, each with the kyphoplasty
protocol's tasks) and the reports' (50,000 episodes over a year, 20 tasks each, about 1M tasks).

Rows are written with bulk_create, not through the services (episode_schedule, task_mark_done…):
those are the right way to change clinical data, but each writes history rows in its own
transaction, which for ~150,000 tasks would take far too long — and the audit trail plays no
part in the worklist. The values are the ones the services would write.
"""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, User
from checklists.hospital_time import local_moment, today
from checklists.models import ChecklistTask, Episode, Patient, Phase, Protocol

SEED = 2026
NURSE_COUNT = 10
EPISODE_COUNT = 5_000  # one patient each
DAYS_EACH_SIDE = 45  # procedures from 45 days ago to 45 days ahead
WORKDAY_START = dt.time(8)
WORKDAY_MINUTES = 8 * 60  # procedures start between 08:00 and 16:00, hospital time
BATCH_SIZE = 5_000
# One patient in fifty has neither email nor phone on file: the worklist's contact-problems banner
# lists them (about 16 over the next fortnight). Derived from the number, not drawn from the seeded
# generator, so adding contact details left every other generated value as it was.
UNREACHABLE_EVERY = 50

FIRST_NAMES = ["James", "Linda", "Robert", "Patricia", "Carlos", "Rosa", "Daniel", "Helen", "Kenneth", "Carol"]
LAST_NAMES = ["Smith", "Garcia", "Nguyen", "Okafor", "Martinez", "Wilson", "Patel", "Lee", "Brown", "Young"]
LEVELS = ["T12", "L1", "L2", "T11", "T12, L1", "L3", "T8", "L1, L2", "T10", "L4"]
CLINICIANS = ["Dr. Patel", "Dr. Nguyen", "Dr. Okonkwo"]


@transaction.atomic
def generate() -> list[User]:
    """Write the nurses, patients, episodes and tasks; return the nurses."""
    rng = random.Random(SEED)
    now = timezone.now()
    version = Protocol.objects.get(slug="kyphoplasty").current_version()
    nurses = create_nurses()
    patients = create_patients(rng)
    episodes = create_episodes(rng, patients, nurses, version, now)
    create_tasks(rng, episodes, nurses, list(version.tasks.all()), now)
    return nurses


def nurses():
    """The nurses of a data set generated earlier."""
    return User.objects.filter(role=Role.NURSE, username__startswith="bench-nurse").order_by("pk")


def create_nurses() -> list[User]:
    return User.objects.bulk_create(
        User(
            username=f"bench-nurse-{number}",
            role=Role.NURSE,
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=LAST_NAMES[number % len(LAST_NAMES)],
            password=make_password(None),  # unusable: the benchmark logs in with force_login
        )
        for number in range(NURSE_COUNT)
    )


def create_patients(rng: random.Random, count: int = EPISODE_COUNT) -> list[Patient]:
    return Patient.objects.bulk_create(
        (
            Patient(
                mrn=f"BENCH-{number:05d}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                date_of_birth=dt.date(1935 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29)),
                preferred_language="es" if rng.random() < 0.15 else "en",
                email="" if number % UNREACHABLE_EVERY == 0 else f"bench-{number:05d}@example.org",
            )
            for number in range(count)
        ),
        batch_size=BATCH_SIZE,
    )


def create_episodes(rng, patients, nurses, version, now: dt.datetime) -> list[Episode]:
    """Evenly spread over the days; past procedures took place (3% were cancelled), later ones are scheduled."""
    first_day = today(now) - dt.timedelta(days=DAYS_EACH_SIDE)
    episodes = []
    for index, patient in enumerate(patients):
        day = first_day + dt.timedelta(days=index * 2 * DAYS_EACH_SIDE // EPISODE_COUNT)
        minutes = rng.randrange(0, WORKDAY_MINUTES, 15)
        start = local_moment(day, WORKDAY_START) + dt.timedelta(minutes=minutes)
        episode = Episode(
            patient=patient,
            protocol_version=version,
            scheduled_start=start,
            vertebral_levels=rng.choice(LEVELS),
            clinician=rng.choice(CLINICIANS),
            nurse=None if rng.random() < 0.1 else rng.choice(nurses),
        )
        if start < now:
            cancelled = rng.random() < 0.03
            episode.status = Episode.Status.CANCELLED if cancelled else Episode.Status.COMPLETED
            episode.cancellation_reason = "Patient had a chest infection" if cancelled else ""
        episodes.append(episode)
    return Episode.objects.bulk_create(episodes, batch_size=BATCH_SIZE)


def create_tasks(rng, episodes, nurses, templates, now: dt.datetime) -> None:
    """Each episode's snapshot of the protocol's tasks, built and written about BATCH_SIZE at a time."""
    definitions = [(template, template.definition_fields()) for template in templates]
    episodes_per_batch = max(1, BATCH_SIZE // len(definitions))
    for first in range(0, len(episodes), episodes_per_batch):
        tasks = [
            ChecklistTask(
                episode=episode, template=template, due_at=template.due_at_for(episode.scheduled_start), **fields
            )
            for episode in episodes[first : first + episodes_per_batch]
            for template, fields in definitions
        ]
        for task in tasks:
            tick_like_the_ward(task, rng, nurses, now)
        ChecklistTask.objects.bulk_create(tasks, batch_size=BATCH_SIZE)


def tick_like_the_ward(task: ChecklistTask, rng, nurses, now: dt.datetime) -> None:
    """Past-due tasks: 85% done, 5% not applicable, the rest left overdue. Later ones: 20% done early."""
    roll = rng.random()
    if task.due_at < now:
        if roll < 0.85:
            close(task, ChecklistTask.Status.DONE, rng, nurses, now)
        elif roll < 0.90:
            close(task, ChecklistTask.Status.NOT_APPLICABLE, rng, nurses, now)
            task.reason = "Not needed"
    elif roll < 0.20:
        close(task, ChecklistTask.Status.DONE, rng, nurses, now)


def close(task: ChecklistTask, status: str, rng, nurses, now: dt.datetime) -> None:
    task.status = status
    task.completed_by = rng.choice(nurses)
    # Shortly before it was due, and never in the future.
    task.completed_at = min(task.due_at, now) - dt.timedelta(minutes=rng.randrange(5, 240))


def row_counts() -> dict[str, int]:
    return {
        "nurses": User.objects.filter(role=Role.NURSE).count(),
        "patients": Patient.objects.count(),
        "episodes": Episode.objects.count(),
        "tasks": ChecklistTask.objects.count(),
    }


def status_mix() -> dict[str, dict[str, int]]:
    """How many episodes and tasks are in each status."""
    return {"episodes": count_by_status(Episode), "tasks": count_by_status(ChecklistTask)}


def count_by_status(model) -> dict[str, int]:
    return dict(model.objects.order_by("status").values_list("status").annotate(Count("pk")))


# The reports' data set: a year of procedures. PostgreSQL only: its ~1M tasks are written with COPY,
# about ten times faster than bulk_create.
YEAR_EPISODE_COUNT = 50_000
YEAR_DAYS_BEFORE, YEAR_DAYS_AFTER = 358, 7  # a year of procedures ending a week from today
YEAR_TASKS_PER_EPISODE = 20
YEAR_CHUNK = 2_500  # episodes per bulk_create and per COPY
CANCELLATION_REASONS = [
    ("Patient had a chest infection", 0.4),
    ("Anticoagulant not stopped", 0.25),
    ("Patient declined", 0.2),
    ("No driver available", 0.15),
]


@transaction.atomic
def generate_year() -> list[User]:
    """Write a year of nurses, patients, episodes and tasks; return the nurses."""
    rng = random.Random(SEED)
    now = timezone.now()
    version = Protocol.objects.get(slug="kyphoplasty").current_version()
    templates = twenty_templates(version)
    nurses = create_nurses()
    patients = create_patients(rng, count=YEAR_EPISODE_COUNT)
    first_day = today(now) - dt.timedelta(days=YEAR_DAYS_BEFORE)
    days = YEAR_DAYS_BEFORE + YEAR_DAYS_AFTER
    definitions = [(template, template.definition_fields()) for template in templates]
    for first in range(0, YEAR_EPISODE_COUNT, YEAR_CHUNK):
        episodes, tasks = [], []
        for index in range(first, min(first + YEAR_CHUNK, YEAR_EPISODE_COUNT)):
            day = first_day + dt.timedelta(days=index * days // YEAR_EPISODE_COUNT)
            minutes = rng.randrange(0, WORKDAY_MINUTES, 15)
            start = local_moment(day, WORKDAY_START) + dt.timedelta(minutes=minutes)
            episode = Episode(
                patient=patients[index],
                protocol_version=version,
                scheduled_start=start,
                vertebral_levels=rng.choice(LEVELS),
                clinician=rng.choice(CLINICIANS),
                nurse=None if rng.random() < 0.1 else rng.choice(nurses),
            )
            episode_tasks = []
            for template, fields in definitions:
                task = ChecklistTask(template=template, due_at=template.due_at_for(start), **fields)
                tick_over_the_year(task, rng, nurses, now)
                episode_tasks.append(task)
            take_place(episode, episode_tasks, rng, nurses, now)
            episodes.append(episode)
            tasks.append(episode_tasks)
        Episode.objects.bulk_create(episodes)
        copy_tasks(zip(episodes, tasks, strict=True))
    return nurses


def twenty_templates(version) -> list:
    """Every critical task of the protocol, then others taken from each phase in turn, up to 20."""
    chosen = [template for template in version.tasks.all() if template.is_critical]
    by_phase = [list(version.tasks.filter(phase=phase, is_critical=False).order_by("position")) for phase in Phase]
    while len(chosen) < YEAR_TASKS_PER_EPISODE:
        chosen += [tasks.pop(0) for tasks in by_phase if tasks][: YEAR_TASKS_PER_EPISODE - len(chosen)]
    return chosen


def tick_over_the_year(task: ChecklistTask, rng, nurses, now: dt.datetime) -> None:
    """Past-due: 85% done (one in five late), 5% not applicable, 10% left open; critical tasks are
    watched closer (98% closed, one in twenty late). Later: 20% done early."""
    roll = rng.random()
    if task.due_at < now:
        if roll < (0.93 if task.is_critical else 0.85):
            task.status = ChecklistTask.Status.DONE
            late = rng.random() < (0.05 if task.is_critical else 0.2)
            minutes = rng.randrange(5, 720) if late else -rng.randrange(5, 240)
            task.completed_at = min(task.due_at + dt.timedelta(minutes=minutes), now)
        elif roll < (0.98 if task.is_critical else 0.90):
            task.status = ChecklistTask.Status.NOT_APPLICABLE
            task.completed_at = task.due_at - dt.timedelta(minutes=rng.randrange(5, 240))
            task.reason = "Not needed"
        if not task.is_pending:
            task.completed_by = rng.choice(nurses)
            task.version = 2
    elif roll < 0.20:
        close(task, ChecklistTask.Status.DONE, rng, nurses, now)
        task.version = 2


def take_place(episode: Episode, tasks: list[ChecklistTask], rng, nurses, now: dt.datetime) -> None:
    """Past procedures: 3% cancelled, the rest completed, signed off on the day (with an override if not ready)."""
    if episode.scheduled_start >= now:
        return
    if rng.random() < 0.03:
        episode.status = Episode.Status.CANCELLED
        reasons, weights = zip(*CANCELLATION_REASONS, strict=True)
        episode.cancellation_reason = rng.choices(reasons, weights)[0]
        return
    episode.status = Episode.Status.COMPLETED
    episode.signed_off_at = episode.scheduled_start - dt.timedelta(minutes=30)
    episode.signed_off_by = rng.choice(nurses)
    if any(task.is_critical and (task.is_pending or task.completed_at > episode.signed_off_at) for task in tasks):
        episode.sign_off_override_reason = "Surgeon accepted the open task"


def copy_tasks(episodes_with_tasks) -> None:
    """Write the tasks with PostgreSQL's COPY, the columns in the model's order."""
    fields = [field for field in ChecklistTask._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(ChecklistTask._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for episode, tasks in episodes_with_tasks:
            for task in tasks:
                task.episode = episode
                copy.write_row([getattr(task, field.attname) for field in fields])
