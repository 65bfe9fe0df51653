"""The protocol editor's reads: a version's outline, whether it may be published, the diff between versions."""

from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from .hospital_time import PHASE_WINDOWS, reference_start
from .models import Phase, ProtocolVersion, TaskTemplate, WarningSign


def protocol_version_problems(version: ProtocolVersion) -> list[str]:
    """Why this version may not be published yet (empty when it may), in timeline order."""
    tasks = list(version.tasks.in_timeline_order())
    if not tasks:
        return ["A protocol version needs at least one task."]
    problems = []
    if not any(task.is_critical and task.phase == Phase.DAY_OF for task in tasks):
        problems.append("Mark at least one day-of task as critical: without one, nothing stops an unprepared start.")
    titles = Counter((task.phase, task.title_key) for task in tasks)
    reported = set()
    for task in tasks:
        key = (task.phase, task.title_key)
        if titles[key] > 1 and key not in reported:
            reported.add(key)
            problems.append(
                f"{titles[key]} tasks in “{Phase(task.phase).label}” are called “{task.title}”: "
                "give each task of a phase its own title."
            )
        timing = protocol_task_timing_error(task)
        if timing:
            problems.append(f"“{task.title}”: {timing}")
    kinds = set(version.warning_signs.values_list("severity", flat=True))
    for severity in WarningSign.Severity:
        if severity not in kinds:
            problems.append(
                f"Add at least one “{severity.label}” warning sign: patients must know when to act after the procedure."
            )
    return problems


def protocol_task_timing_error(task: TaskTemplate) -> str:
    """Why the task's due time does not fit its phase's window (empty if it does), for the reference procedure."""
    start = reference_start()
    window = PHASE_WINDOWS[task.phase]
    if window.fits(task.due_at_for(start), start):
        return ""
    return (
        f"due {task.describe_due_rule()}, but a task in “{Phase(task.phase).label}” must be due "
        f"{window.due_text(words=True)}."
    )


def protocol_version_content(version: ProtocolVersion) -> tuple[list[dict], list[dict]]:
    """A version's tasks and warning signs as plain dicts, in order, for comparing versions."""
    tasks = [template.definition_fields() for template in version.tasks.in_timeline_order()]
    signs = list(
        version.warning_signs.order_by("severity", "position").values("severity", "position", "text", "text_es")
    )
    return tasks, signs


def protocol_content_differences(version: ProtocolVersion, data: dict) -> list[str]:
    """How shipped protocol content (`protocol_data.read_protocol`) differs from a version, in lines of text
    (empty when it says the same)."""
    tasks, signs = protocol_version_content(version)
    key = itemgetter("phase", "title")
    have, shipped = {key(task): task for task in tasks}, {key(task): task for task in data["tasks"]}
    lines = [f"task only in the shipped file: {title} ({phase})" for phase, title in shipped.keys() - have.keys()]
    lines += [
        f"task only in version {version.number}: {title} ({phase})" for phase, title in have.keys() - shipped.keys()
    ]
    lines += [
        f"task worded, ordered or timed differently: {title} ({phase})"
        for phase, title in have.keys() & shipped.keys()
        if have[phase, title] != shipped[phase, title]
    ]
    if signs != data["warning_signs"]:
        lines.append("the warning signs differ")
    return sorted(lines)


@dataclass(frozen=True)
class ProtocolPhase:
    phase: str
    label: str
    tasks: list


def protocol_version_outline(version) -> list[ProtocolPhase]:
    """A version's tasks under every phase (empty phases too), in their order, with their due rule in words."""
    tasks = list(version.tasks.order_by("position", "pk"))
    return [
        ProtocolPhase(phase, label, [task for task in tasks if task.phase == phase]) for phase, label in Phase.choices
    ]


@dataclass(frozen=True)
class TaskChange:
    old: object
    new: object
    fields: list[tuple[str, str, str]]  # (label, old value, new value)


@dataclass(frozen=True)
class VersionDiff:
    old: object
    new: object
    added: list
    removed: list
    changed: list[TaskChange]
    reordered_phases: list[str]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.reordered_phases)


def protocol_version_diff(old, new) -> VersionDiff:
    """Tasks added, removed and changed from version `old` to `new` (two queries).

    Templates carry no link to the template they were copied from, so tasks are matched by phase
    and title (ignoring case and spacing); a task whose title appears once among the unmatched
    tasks of both versions is matched across phases, as a phase change. A renamed task shows as
    removed and added. Moves within a phase are reported per phase, not per task.
    """
    old_tasks, new_tasks = list(old.tasks.in_timeline_order()), list(new.tasks.in_timeline_order())
    new_by_key = {(task.phase, task.title_key): task for task in new_tasks}
    pairs = {}  # old task pk -> new task
    for task in old_tasks:
        match = new_by_key.get((task.phase, task.title_key))
        if match is not None:
            pairs[task.pk] = match
    matched_new = {task.pk for task in pairs.values()}
    unmatched_old = [task for task in old_tasks if task.pk not in pairs]
    unmatched_new = [task for task in new_tasks if task.pk not in matched_new]
    old_keys = [task.title_key for task in unmatched_old]
    new_keys = [task.title_key for task in unmatched_new]
    for task, key in zip(unmatched_old, old_keys, strict=True):
        if old_keys.count(key) == 1 and new_keys.count(key) == 1:
            pairs[task.pk] = unmatched_new[new_keys.index(key)]
            matched_new.add(pairs[task.pk].pk)

    changed = []
    for task in old_tasks:
        if task.pk in pairs:
            fields = _task_differences(task, pairs[task.pk])
            if fields:
                changed.append(TaskChange(task, pairs[task.pk], fields))
    changed.sort(key=lambda change: (Phase.values.index(change.new.phase), change.new.position))

    reordered = []
    for phase, label in Phase.choices:
        kept = [task for task in old_tasks if task.phase == phase and getattr(pairs.get(task.pk), "phase", "") == phase]
        new_order = sorted(kept, key=lambda task: (pairs[task.pk].position, pairs[task.pk].pk))
        if kept != new_order:
            reordered.append(label)

    return VersionDiff(
        old=old,
        new=new,
        added=[task for task in new_tasks if task.pk not in matched_new],
        removed=[task for task in old_tasks if task.pk not in pairs],
        changed=changed,
        reordered_phases=reordered,
    )


def _task_differences(old, new) -> list[tuple[str, str, str]]:
    differences = []
    # The due rule is compared in words; the position is reported per phase as a reorder.
    for name in TaskTemplate.CONTENT_FIELDS:
        if getattr(old, name) != getattr(new, name):
            field = old._meta.get_field(name)
            label = str(field.verbose_name)
            differences.append((label[:1].upper() + label[1:], _field_text(old, field), _field_text(new, field)))
    if old.describe_due_rule() != new.describe_due_rule():
        differences.append(("Due", old.describe_due_rule(), new.describe_due_rule()))
    return differences


def _field_text(task, field) -> str:
    value = getattr(task, field.name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass(frozen=True)
class ProtocolChange:
    at: object
    by: object
    version_number: int
    what: str


ITEM_VERBS = {"+": "added", "~": "changed", "-": "removed"}


def protocol_history(protocol, *, limit: int = 200) -> list[ProtocolChange]:
    """Who created, edited, published or discarded each version of a protocol and its items, newest first.

    From the history tables, so discarded drafts and removed items are still there.
    """
    version_rows = list(
        ProtocolVersion.history.filter(protocol_id=protocol.pk).select_related("history_user").order_by("-history_id")
    )
    numbers = {row.id: row.number for row in version_rows}
    changes = [
        ProtocolChange(row.history_date, row.history_user, row.number, _version_change(row)) for row in version_rows
    ]
    for model, noun, label in ((TaskTemplate, "Task", "title"), (WarningSign, "Warning sign", "text")):
        rows = model.history.filter(protocol_version_id__in=numbers).select_related("history_user")
        changes += [
            ProtocolChange(
                row.history_date,
                row.history_user,
                numbers[row.protocol_version_id],
                f"{noun} “{getattr(row, label)}” {ITEM_VERBS[row.history_type]}",
            )
            for row in rows.order_by("-history_id")[:limit]
        ]
    return sorted(changes, key=lambda change: change.at, reverse=True)[:limit]


def _version_change(row) -> str:
    if row.history_type == "+":
        return "Draft created"
    if row.history_type == "-":
        return "Draft discarded"
    return f"Version now {row.get_status_display().lower()}"
