"""The protocol editor's changes and publishing: only a draft version changes; published ones are frozen.

A draft holds two kinds of items, each ordered within a group: its tasks (by phase) and its warning
signs (by kind). Adding, editing and removing them is written once for both (`DraftItems`).
Every operation locks the version's row first, so two admins editing one draft take turns.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, TextChoices
from django.utils import timezone

from ..events import ProtocolDraftCreated, announce
from ..models import PatientPage, Phase, Protocol, ProtocolVersion, TaskTemplate, WarningSign
from ..protocol_selectors import (
    protocol_content_differences,
    protocol_patient_pages,
    protocol_task_timing_error,
    protocol_version_problems,
)


class ProtocolVersionLocked(ValidationError):
    """A change to a version that is no longer a draft: published versions are what episodes were built from."""

    @classmethod
    def for_version(cls, version: ProtocolVersion, *, action: str) -> "ProtocolVersionLocked":
        return cls(
            "Version %(number)s is %(status)s, so it cannot be %(action)s: only a draft can. "
            "Start a new draft to make changes.",
            params={"number": version.number, "status": version.get_status_display().lower(), "action": action},
        )


class MoveDirection(TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"


def protocol_draft_create(*, protocol: Protocol) -> ProtocolVersion:
    """Start the next version of a protocol as an editable copy of its current one."""
    with transaction.atomic():
        protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
        existing = protocol.versions.filter(status=ProtocolVersion.Status.DRAFT).first()
        if existing is not None:
            raise ValidationError(
                "%(protocol)s already has a draft (version %(number)s): edit, publish or discard that one.",
                params={"protocol": protocol.name, "number": existing.number},
            )
        source = protocol.current_version()
        number = (protocol.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        draft = ProtocolVersion.objects.create(protocol=protocol, number=number)
        if source is not None:
            TaskTemplate.objects.bulk_create(
                TaskTemplate(protocol_version=draft, **template.definition_fields()) for template in source.tasks.all()
            )
            WarningSign.objects.bulk_create(
                WarningSign(
                    protocol_version=draft,
                    severity=sign.severity,
                    position=sign.position,
                    text=sign.text,
                    text_es=sign.text_es,
                )
                for sign in source.warning_signs.all()
            )
            PatientPage.objects.bulk_create(
                PatientPage(protocol_version=draft, **page) for page in protocol_patient_pages(source)
            )
        announce(ProtocolDraftCreated(draft, source))
    return draft


def protocol_draft_discard(*, version: ProtocolVersion) -> None:
    """Throw a draft away, tasks and warning signs with it: no procedure ever used a draft, so nothing
    clinical goes; its number is free for the next draft."""
    with transaction.atomic():
        version = _lock_draft(version, action="discarded")
        version.delete()


def protocol_version_publish(*, version: ProtocolVersion) -> ProtocolVersion:
    """Make a draft the version new episodes use; the previous published version is retired.

    Refused, with one message per problem, unless `protocol_version_problems` finds none.
    """
    with transaction.atomic():
        version = _lock_draft(version, action="published")
        problems = protocol_version_problems(version)
        if problems:
            raise ValidationError(problems)
        version.protocol.versions.published().update(status=ProtocolVersion.Status.RETIRED)
        version.status = ProtocolVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save()
    return version


@dataclass(frozen=True)
class DraftItems:
    """One kind of item a draft holds, kept in order within groups (a phase's tasks, a kind of warning sign)."""

    model: type[models.Model]
    related_name: str
    group_field: str
    name: str
    check: Callable[[models.Model], None]

    def of(self, version: ProtocolVersion, group: str):
        return getattr(version, self.related_name).filter(**{self.group_field: group})

    def next_position(self, version: ProtocolVersion, item) -> int:
        """The position after the last item of `item`'s group."""
        return (self.of(version, getattr(item, self.group_field)).aggregate(last=Max("position"))["last"] or 0) + 1

    def renumber(self, version: ProtocolVersion, group: str, *, ordered: list | None = None) -> None:
        """Number a group's items 1, 2, 3… (in their order, or in `ordered`): a gap closes up."""
        items = ordered if ordered is not None else list(self.of(version, group).order_by("position", "pk"))
        for position, item in enumerate(items, start=1):
            item.position = position
        self.model.objects.bulk_update(items, ["position"])

    def add(self, version: ProtocolVersion, fields: dict):
        """Add an item to a draft, last of its group."""
        with transaction.atomic():
            version = _lock_draft(version, action="edited")
            item = self.model(protocol_version=version, **fields)
            item.position = self.next_position(version, item)
            self.check(item)
            item.save()
        return item

    def update(self, item, fields: dict):
        """Change a draft's item; one moved to another group goes last there and its old group closes up."""
        with transaction.atomic():
            version = _lock_draft(item.protocol_version, action="edited")
            item = self._still_there(version, item)
            old_group = getattr(item, self.group_field)
            for name, value in fields.items():
                setattr(item, name, value)
            moved = getattr(item, self.group_field) != old_group
            if moved:
                item.position = self.next_position(version, item)
            self.check(item)
            item.save()
            if moved:
                self.renumber(version, old_group)
        return item

    def remove(self, item) -> None:
        """Take an item out of a draft; the rest of its group closes up."""
        with transaction.atomic():
            version = _lock_draft(item.protocol_version, action="edited")
            item = self._still_there(version, item)
            item.delete()
            self.renumber(version, getattr(item, self.group_field))

    def _still_there(self, version: ProtocolVersion, item):
        """The draft's current row for `item`, or a clear refusal if another admin removed it meanwhile."""
        current = getattr(version, self.related_name).filter(pk=item.pk).first()
        if current is None:
            raise ValidationError(f"This {self.name} was removed meanwhile.")
        return current


def _check_task(task: TaskTemplate) -> None:
    """Refuse a task whose title repeats one in its phase or whose due time lies outside its phase."""
    errors = {}
    same_title = [
        other.pk
        for other in task.protocol_version.tasks.filter(phase=task.phase).exclude(pk=task.pk)
        if other.title_key == task.title_key
    ]
    if same_title:
        errors["title"] = f"“{Phase(task.phase).label}” already has a task with this title."
    timing = protocol_task_timing_error(task)
    if timing:
        errors["due_offset_minutes" if task.due_offset_minutes is not None else "due_day_offset"] = (
            f"This task is {timing}"
        )
    if errors:
        raise ValidationError(errors)


TASKS = DraftItems(TaskTemplate, "tasks", "phase", "task", check=_check_task)
WARNING_SIGNS = DraftItems(WarningSign, "warning_signs", "severity", "warning sign", check=lambda sign: None)


def protocol_task_add(*, version: ProtocolVersion, **fields) -> TaskTemplate:
    """Add a task at the end of its phase in a draft."""
    return TASKS.add(version, fields)


def protocol_task_update(*, task: TaskTemplate, **fields) -> TaskTemplate:
    """Change a draft's task; a task moved to another phase goes to the end of that phase."""
    return TASKS.update(task, fields)


def protocol_task_remove(*, task: TaskTemplate) -> None:
    """Take a task out of a draft; the rest of its phase closes up."""
    TASKS.remove(task)


def protocol_task_move(*, task: TaskTemplate, direction: MoveDirection) -> TaskTemplate:
    """Swap a draft's task with its neighbour above or below, within its phase."""
    with transaction.atomic():
        version = _lock_draft(task.protocol_version, action="edited")
        siblings = list(TASKS.of(version, task.phase).order_by("position", "pk"))
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == task.pk)
        other = index - 1 if direction == MoveDirection.UP else index + 1
        if not 0 <= other < len(siblings):
            where = "first" if direction == MoveDirection.UP else "last"
            raise ValidationError(f"“{siblings[index].title}” is already the {where} task of its phase.")
        siblings[index], siblings[other] = siblings[other], siblings[index]
        TASKS.renumber(version, task.phase, ordered=siblings)
    return next(sibling for sibling in siblings if sibling.pk == task.pk)


def protocol_warning_sign_add(*, version: ProtocolVersion, **fields) -> WarningSign:
    """Add a warning sign to a draft, last of its kind (call the care team, or emergency)."""
    return WARNING_SIGNS.add(version, fields)


def protocol_warning_sign_update(*, sign: WarningSign, **fields) -> WarningSign:
    """Change a draft's warning sign; one moved to the other kind goes last there."""
    return WARNING_SIGNS.update(sign, fields)


def protocol_warning_sign_remove(*, sign: WarningSign) -> None:
    """Take a warning sign out of a draft (a published version keeps its own)."""
    WARNING_SIGNS.remove(sign)


def _lock_draft(version: ProtocolVersion, *, action: str) -> ProtocolVersion:
    locked = ProtocolVersion.objects.select_for_update().select_related("protocol").filter(pk=version.pk).first()
    if locked is None:
        raise ValidationError(f"Version {version.number} was discarded meanwhile.")
    if not locked.is_editable:
        raise ProtocolVersionLocked.for_version(locked, action=action)
    return locked


def protocol_import(*, data: dict, force_new_version: bool = False) -> tuple[ProtocolVersion, bool]:
    """Install shipped protocol content (`protocol_data`) when the protocol has no published version yet.

    A protocol already in use keeps its current version, which an admin may have edited in the protocol
    editor: shipped content that differs is published as a new version only with `force_new_version`.
    Returns the current version and whether it was created, so running it twice changes nothing.
    """
    with transaction.atomic():
        protocol, _ = Protocol.objects.get_or_create(
            slug=data["slug"], defaults={"name": data["name"], "description": data["description"]}
        )
        current = protocol.current_version()
        if current is not None and (not force_new_version or not protocol_content_differences(current, data)):
            return current, False
        draft = protocol_draft_create(protocol=protocol)
        draft.tasks.all().delete()
        draft.warning_signs.all().delete()
        draft.patient_pages.all().delete()
        TaskTemplate.objects.bulk_create(TaskTemplate(protocol_version=draft, **task) for task in data["tasks"])
        WarningSign.objects.bulk_create(WarningSign(protocol_version=draft, **sign) for sign in data["warning_signs"])
        PatientPage.objects.bulk_create(PatientPage(protocol_version=draft, **page) for page in data["patient_pages"])
        return protocol_version_publish(version=draft), True
