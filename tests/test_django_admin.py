"""The Django admin shows clinical records and their history, and changes none of them."""

import datetime as dt

import pytest
from django.urls import reverse

from checklists.models import Episode, Patient, ProtocolVersion
from checklists.services.protocols import protocol_draft_create
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    # The demo's admin login is a superuser: every permission check that is not overridden passes.
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


def test_an_old_version_of_an_episode_can_be_viewed_but_not_saved_back(client, superuser, episode):
    client.force_login(superuser)
    version = episode.history.earliest()
    url = reverse("admin:checklists_episode_simple_history", args=[episode.pk, version.history_id])
    assert client.get(url).status_code == 200
    form = {
        "patient": episode.patient_id,
        "protocol_version": episode.protocol_version_id,
        "scheduled_start_0": (episode.scheduled_start - dt.timedelta(days=2)).strftime("%Y-%m-%d"),
        "scheduled_start_1": "09:00:00",
        "vertebral_levels": "L1",
        "clinician": "Dr. Patel",
        "status": "cancelled",
    }

    response = client.post(url, form)

    assert response.status_code == 403
    episode.refresh_from_db()
    assert episode.status == Episode.Status.SCHEDULED
    assert episode.history.count() == 1


def test_an_old_version_of_a_task_cannot_be_saved_back(client, superuser, episode):
    client.force_login(superuser)
    task = episode.tasks.first()
    url = reverse("admin:checklists_checklisttask_simple_history", args=[task.pk, task.history.earliest().history_id])

    assert client.post(url, {"status": "done"}).status_code == 403
    task.refresh_from_db()
    assert task.status == "pending"


def test_a_published_protocol_version_cannot_be_renumbered_or_changed_in_the_admin(client, superuser, protocol_version):
    number = protocol_version.number
    client.force_login(superuser)
    url = reverse("admin:checklists_protocolversion_change", args=[protocol_version.pk])
    assert client.get(url).status_code == 200  # shown, read-only

    response = client.post(url, {"protocol": protocol_version.protocol_id, "number": 99, "status": "draft"})

    assert response.status_code == 403
    protocol_version.refresh_from_db()
    assert (protocol_version.number, protocol_version.status) == (number, ProtocolVersion.Status.PUBLISHED)


def test_protocols_change_only_in_the_protocol_editor_not_the_admin(client, superuser, protocol_version):
    draft = protocol_draft_create(protocol=protocol_version.protocol)
    task = draft.tasks.first()
    client.force_login(superuser)

    refused = [
        client.post(reverse("admin:checklists_protocolversion_change", args=[draft.pk]), {"number": 99}),
        client.post(reverse("admin:checklists_tasktemplate_change", args=[task.pk]), {"title": "Renamed"}),
        client.post(reverse("admin:checklists_protocol_change", args=[draft.protocol_id]), {"name": "Renamed"}),
        client.post(reverse("admin:checklists_protocolversion_add"), {"protocol": draft.protocol_id, "number": 7}),
        client.post(reverse("admin:checklists_tasktemplate_delete", args=[task.pk]), {"post": "yes"}),
    ]

    assert [response.status_code for response in refused] == [403] * 5
    task.refresh_from_db()
    assert task.title != "Renamed"
    assert ProtocolVersion.objects.count() == 2


def test_a_patient_can_be_seen_but_not_changed_or_added_in_the_admin(client, superuser, episode):
    patient = episode.patient
    client.force_login(superuser)
    url = reverse("admin:checklists_patient_change", args=[patient.pk])
    assert client.get(url).status_code == 200

    changed = client.post(url, {"mrn": "CHANGED-1", "first_name": "X", "last_name": "Y", "date_of_birth": "1950-01-01"})
    added = client.post(reverse("admin:checklists_patient_add"), {"mrn": "NEW-1", "first_name": "A", "last_name": "B"})

    assert (changed.status_code, added.status_code) == (403, 403)
    patient.refresh_from_db()
    assert patient.mrn != "CHANGED-1"
    assert patient.history.count() == 1
    assert not Patient.objects.filter(mrn="NEW-1").exists()
