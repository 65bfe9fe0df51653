"""The publishing rules, the draft-only task services and the diff between two versions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from checklists.models import Phase, Protocol, ProtocolVersion, Responsible, TaskTemplate
from checklists.protocol_selectors import protocol_task_timing_error, protocol_version_diff, protocol_version_problems
from checklists.services.protocols import (
    MoveDirection,
    ProtocolVersionLocked,
    protocol_draft_create,
    protocol_task_add,
    protocol_task_move,
    protocol_task_remove,
    protocol_task_update,
    protocol_version_publish,
)
from tests.factories import TaskTemplateFactory


@pytest.fixture
def draft(protocol_version):
    """A draft copy of the small published protocol (one task per phase)."""
    return protocol_draft_create(protocol=protocol_version.protocol)


def add(version, *, phase, title, minutes=None, days=None, time=None, critical=False) -> TaskTemplate:
    """A task written straight to the database, as the Django admin or an import could."""
    return TaskTemplateFactory(
        protocol_version=version,
        phase=phase,
        title=title,
        is_critical=critical,
        due_offset_minutes=minutes,
        due_day_offset=days,
        due_clock_time=time,
    )


def publish_problems(version) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        protocol_version_publish(version=version)
    version.refresh_from_db()
    assert version.status == ProtocolVersion.Status.DRAFT
    return refused.value.messages


def test_shipped_kyphoplasty_protocol_passes_every_publishing_rule(db):
    call_command("load_protocols")
    version = Protocol.objects.get(slug="kyphoplasty").current_version()

    assert version.status == ProtocolVersion.Status.PUBLISHED
    assert protocol_version_problems(version) == []


def test_a_draft_copy_of_a_valid_version_can_be_published_unchanged(draft):
    assert protocol_version_publish(version=draft).status == ProtocolVersion.Status.PUBLISHED


def test_a_version_without_a_critical_day_of_task_cannot_be_published(draft):
    draft.tasks.filter(phase=Phase.DAY_OF).update(is_critical=False)

    assert publish_problems(draft) == [
        "Mark at least one day-of task as critical: without one, nothing stops an unprepared start."
    ]


def test_a_critical_task_in_another_phase_does_not_count_for_the_day_of(draft):
    draft.tasks.filter(phase=Phase.DAY_OF).update(is_critical=False)
    draft.tasks.filter(phase=Phase.AFTER).update(is_critical=True)

    assert len(publish_problems(draft)) == 1


def test_two_tasks_with_the_same_title_in_a_phase_cannot_be_published(draft):
    # The database only refuses the exact same title; a difference in case or spacing is still a duplicate.
    add(draft, phase=Phase.DAY_OF, title="consent  SIGNED", minutes=-30)

    assert publish_problems(draft) == [
        "2 tasks in “Day of” are called “Consent signed”: give each task of a phase its own title."
    ]


def test_the_same_title_in_two_phases_is_allowed(draft):
    add(draft, phase=Phase.AFTER, title="Consent signed", minutes=30)

    assert protocol_version_problems(draft) == []


def test_a_task_due_outside_its_phase_cannot_be_published(draft):
    add(draft, phase=Phase.NIGHT_BEFORE, title="Shower with the special soap", days=-3, time=dt.time(20, 0))

    assert publish_problems(draft) == [
        "“Shower with the special soap”: due 3 days before at 20:00, but a task in “Night before” must be due "
        "from 00:00 the day before to 4 h before the start, not included."
    ]


def test_publishing_lists_every_problem_at_once(draft):
    draft.tasks.filter(phase=Phase.DAY_OF).update(is_critical=False)
    add(draft, phase=Phase.DAY_OF, title="CONSENT SIGNED", minutes=-30)
    add(draft, phase=Phase.NIGHT_BEFORE, title="Too early", days=-4, time=dt.time(9, 0))
    add(draft, phase=Phase.AFTER, title="Too soon", minutes=-10)

    assert len(publish_problems(draft)) == 4


def test_an_empty_version_cannot_be_published(draft):
    draft.tasks.all().delete()

    assert publish_problems(draft) == ["A protocol version needs at least one task."]


# Phase windows (checklists/hospital_time.py), for the reference procedure at 09:00 on day D.
@pytest.mark.parametrize(
    ("phase", "rule", "fits"),
    [
        (Phase.WEEK_BEFORE, {"days": -7, "time": dt.time(0, 0)}, True),
        # A medicine held 10 days (issue #11): the week before reaches 14 days ahead.
        (Phase.WEEK_BEFORE, {"days": -10, "time": dt.time(9, 0)}, True),
        (Phase.WEEK_BEFORE, {"days": -14, "time": dt.time(0, 0)}, True),
        (Phase.WEEK_BEFORE, {"days": -15, "time": dt.time(23, 59)}, False),
        (Phase.WEEK_BEFORE, {"days": -2, "time": dt.time(23, 59)}, True),
        (Phase.WEEK_BEFORE, {"days": -1, "time": dt.time(9, 0)}, False),
        (Phase.WEEK_BEFORE, {"minutes": -7 * 24 * 60}, True),
        (Phase.NIGHT_BEFORE, {"days": -1, "time": dt.time(0, 0)}, True),
        (Phase.NIGHT_BEFORE, {"days": -2, "time": dt.time(23, 59)}, False),
        (Phase.NIGHT_BEFORE, {"minutes": -480}, True),  # 01:00 on the procedure day: still the night
        (Phase.NIGHT_BEFORE, {"minutes": -241}, True),
        (Phase.NIGHT_BEFORE, {"minutes": -240}, False),  # the day of has begun
        (Phase.NIGHT_BEFORE, {"minutes": -1}, False),
        (Phase.DAY_OF, {"days": 0, "time": dt.time(0, 0)}, False),  # midnight is the night before's
        (Phase.DAY_OF, {"days": 0, "time": dt.time(5, 0)}, True),
        (Phase.DAY_OF, {"minutes": -240}, True),
        (Phase.DAY_OF, {"minutes": -120}, True),
        (Phase.DAY_OF, {"minutes": -600}, False),  # 23:00 the day before
        (Phase.DAY_OF, {"minutes": 60}, True),  # the end of the procedure
        (Phase.DAY_OF, {"minutes": 61}, False),
        (Phase.AFTER, {"minutes": 0}, True),
        (Phase.AFTER, {"minutes": -1}, False),
        (Phase.AFTER, {"days": 2, "time": dt.time(10, 0)}, True),
        (Phase.AFTER, {"days": 0, "time": dt.time(8, 0)}, False),
    ],
)
def test_a_tasks_due_time_must_lie_in_its_phase(phase, rule, fits):
    task = TaskTemplate(
        phase=phase,
        title="A task",
        due_offset_minutes=rule.get("minutes"),
        due_day_offset=rule.get("days"),
        due_clock_time=rule.get("time"),
    )

    assert (protocol_task_timing_error(task) == "") is fits


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"minutes": -480}, "8 h before the start"),
        ({"minutes": -90}, "1 h 30 min before the start"),
        ({"minutes": 0}, "at the start"),
        ({"minutes": 45}, "45 min after the start"),
        ({"days": -1, "time": dt.time(23, 59)}, "the day before at 23:59"),
        ({"days": -7, "time": dt.time(9, 0)}, "7 days before at 09:00"),
        ({"days": 0, "time": dt.time(6, 30)}, "on the procedure day at 06:30"),
        ({"days": 2, "time": dt.time(10, 0)}, "2 days after at 10:00"),
    ],
)
def test_due_rules_read_as_words(rule, text):
    task = TaskTemplate(
        due_offset_minutes=rule.get("minutes"), due_day_offset=rule.get("days"), due_clock_time=rule.get("time")
    )

    assert task.describe_due_rule() == text


TASK = {
    "phase": Phase.AFTER,
    "title": "Call the patient",
    "title_es": "Llamar al paciente",
    "patient_instructions": "We will call you.",
    "patient_instructions_es": "Le llamaremos.",
    "nurse_guidance": "Ask about pain.",
    "responsible": Responsible.NURSE,
    "is_critical": False,
    "due_offset_minutes": 24 * 60,
    "due_day_offset": None,
    "due_clock_time": None,
}


def test_task_services_refuse_a_published_version(protocol_version):
    task = protocol_version.tasks.get(title="Lie flat")
    before = list(protocol_version.tasks.values())
    attempts = [
        lambda: protocol_task_add(version=protocol_version, **TASK),
        lambda: protocol_task_update(task=task, title="Lie flat for an hour"),
        lambda: protocol_task_remove(task=task),
        lambda: protocol_task_move(task=task, direction=MoveDirection.UP),
    ]

    for attempt in attempts:
        with pytest.raises(ProtocolVersionLocked, match="only a draft can"):
            attempt()

    assert list(protocol_version.tasks.values()) == before


def test_a_new_task_goes_to_the_end_of_its_phase(draft):
    task = protocol_task_add(version=draft, **TASK)

    assert [t.title for t in draft.tasks.filter(phase=Phase.AFTER).order_by("position")] == [
        "Lie flat",
        "Call the patient",
    ]
    assert task.position == 2


def test_a_second_draft_of_a_protocol_is_refused(draft):
    with pytest.raises(ValidationError, match="already has a draft"):
        protocol_draft_create(protocol=draft.protocol)


# The diff. Tasks are matched by phase and title; see protocol_version_diff.


@pytest.fixture
def two_versions(protocol_version, draft):
    draft.tasks.filter(title="Lie flat").delete()
    add(draft, phase=Phase.AFTER, title="Call the patient", minutes=24 * 60)
    draft.tasks.filter(title="Consent signed").update(title_es="Consentimiento firmado", due_offset_minutes=-120)
    return protocol_version, draft


def test_diff_lists_the_tasks_added_removed_and_changed(two_versions):
    old, new = two_versions

    diff = protocol_version_diff(old, new)

    assert [task.title for task in diff.added] == ["Call the patient"]
    assert [task.title for task in diff.removed] == ["Lie flat"]
    assert [(change.new.title, change.fields) for change in diff.changed] == [
        (
            "Consent signed",
            [
                ("Title (Spanish)", "", "Consentimiento firmado"),
                ("Due", "1 h before the start", "2 h before the start"),
            ],
        )
    ]
    assert not diff.is_empty


def test_diff_of_a_draft_copy_with_its_source_is_empty(protocol_version, draft):
    assert protocol_version_diff(protocol_version, draft).is_empty


def test_a_task_moved_to_another_phase_is_one_change_not_a_removal_and_an_addition(protocol_version, draft):
    draft.tasks.filter(title="Last solid food").update(phase=Phase.DAY_OF, due_offset_minutes=-300, position=2)

    diff = protocol_version_diff(protocol_version, draft)

    assert diff.added == diff.removed == []
    assert [change.fields for change in diff.changed] == [
        [("Phase", "Night before", "Day of"), ("Due", "8 h before the start", "5 h before the start")]
    ]


def test_a_renamed_task_shows_as_removed_and_added(protocol_version, draft):
    draft.tasks.filter(title="Lie flat").update(title="Lie flat for one hour")

    diff = protocol_version_diff(protocol_version, draft)

    assert ([t.title for t in diff.removed], [t.title for t in diff.added]) == (["Lie flat"], ["Lie flat for one hour"])


def test_diff_reports_a_new_order_within_a_phase(protocol_version, draft):
    add(protocol_version, phase=Phase.AFTER, title="Pain check", minutes=120)
    pain = add(draft, phase=Phase.AFTER, title="Pain check", minutes=120)
    protocol_task_move(task=pain, direction=MoveDirection.UP)

    diff = protocol_version_diff(protocol_version, draft)

    assert diff.reordered_phases == ["After"]
    assert diff.changed == diff.added == diff.removed == []
