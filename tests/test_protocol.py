"""Protocols are versioned; an episode keeps the snapshot it was scheduled with."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from checklists.models import Phase, Protocol, ProtocolVersion, TaskTemplate, WarningSign
from checklists.protocol_data import read_protocol, shipped_protocol_files
from checklists.services.protocols import protocol_draft_create, protocol_import, protocol_version_publish
from tests.factories import schedule_episode


def test_editing_a_template_does_not_change_existing_episodes(episode, protocol_version):
    template = protocol_version.tasks.get(title="Consent signed")
    template.title = "Consent signed and witnessed"
    template.due_offset_minutes = -120
    template.save()
    task = episode.tasks.get(template=template)
    assert task.title == "Consent signed"
    assert task.due_at == episode.scheduled_start - dt.timedelta(minutes=60)


def test_a_new_version_is_a_copy_and_existing_episodes_keep_the_old_one(episode, protocol_version, nurse):
    draft = protocol_draft_create(protocol=protocol_version.protocol)
    assert draft.is_editable
    assert draft.number == protocol_version.number + 1
    assert draft.tasks.count() == protocol_version.tasks.count()
    assert draft.warning_signs.count() == protocol_version.warning_signs.count()
    draft.tasks.filter(title="Lie flat").update(title="Lie flat for one hour")
    draft = protocol_version_publish(version=draft)

    protocol_version.refresh_from_db()
    assert protocol_version.status == ProtocolVersion.Status.RETIRED
    assert protocol_version.protocol.current_version() == draft
    assert episode.tasks.filter(title="Lie flat").exists()
    new_episode = schedule_episode(by=nurse, protocol_version=draft)
    assert new_episode.tasks.filter(title="Lie flat for one hour").exists()


def test_a_published_version_cannot_be_published_again(protocol_version):
    with pytest.raises(ValidationError):
        protocol_version_publish(version=protocol_version)


def test_episodes_cannot_be_scheduled_on_a_draft(nurse, protocol_version):
    draft = protocol_draft_create(protocol=protocol_version.protocol)
    with pytest.raises(ValidationError):
        schedule_episode(by=nurse, protocol_version=draft)


def test_shipped_kyphoplasty_protocol_covers_the_four_phases_and_the_hard_stops(db):
    call_command("load_protocols")
    version = Protocol.objects.get(slug="kyphoplasty").current_version()
    tasks = version.tasks.all()
    assert tasks.count() >= 18
    assert {task.phase for task in tasks} == set(Phase.values)
    critical_titles = " ".join(tasks.filter(is_critical=True).values_list("title", flat=True)).lower()
    for hard_stop in ("drive", "blood thinner", "fasting", "consent", "imaging", "blood test", "level"):
        assert hard_stop in critical_titles
    assert all(task.title_es and task.patient_instructions_es for task in tasks)
    offsets = set(tasks.filter(due_offset_minutes__isnull=False).values_list("due_offset_minutes", flat=True))
    assert {-480, -360, -120} <= offsets  # ASA fasting windows: fatty food, light meal, clear liquids
    severities = set(version.warning_signs.values_list("severity", flat=True))
    assert severities == {WarningSign.Severity.CALL, WarningSign.Severity.EMERGENCY}


def test_loading_the_protocols_twice_creates_no_new_version(db):
    call_command("load_protocols")
    call_command("load_protocols")
    assert ProtocolVersion.objects.count() == len(shipped_protocol_files())


def test_changed_shipped_content_leaves_the_admins_version_alone_and_is_reported(db):
    call_command("load_protocols")
    protocol = Protocol.objects.get(slug="kyphoplasty")
    draft = protocol_draft_create(protocol=protocol)
    draft.tasks.filter(title="Confirm your driver").update(title="Confirm your driver by phone")
    admins_version = protocol_version_publish(version=draft)
    output = io.StringIO()

    call_command("load_protocols", stdout=output)

    assert protocol.current_version() == admins_version
    assert ProtocolVersion.objects.filter(protocol=protocol).count() == 2
    assert "left as it is; kyphoplasty.json differs (--force-new-version publishes the file)" in output.getvalue()
    assert "task only in the shipped file: Confirm your driver (night_before)" in output.getvalue()
    assert "task only in version 2: Confirm your driver by phone (night_before)" in output.getvalue()


def test_changed_protocol_content_is_published_as_a_new_version_only_when_forced(db):
    data = read_protocol(shipped_protocol_files()[0])
    first, created = protocol_import(data=data)
    data["tasks"][0]["title"] = "A reworded first task"
    assert protocol_import(data=data) == (first, False)
    second, created_again = protocol_import(data=data, force_new_version=True)
    assert created and created_again
    assert second.number == first.number + 1
    assert TaskTemplate.objects.filter(protocol_version=second, title="A reworded first task").exists()
