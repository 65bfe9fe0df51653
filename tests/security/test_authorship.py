"""A login that changed a clinical record is never deleted (its history would lose its author): only deactivated."""

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.models import SecurityEvent, User
from checklists.services.tasks import task_mark_done
from tests.factories import UserFactory


@pytest.fixture
def root(db):
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def author(episode, other_nurse):
    """Olga ticked a task of Pat's episode: her name is on its history."""
    task = episode.tasks.first()
    task_mark_done(task=task, by=other_nurse, expected_version=task.version)
    return other_nurse


def test_the_django_admin_refuses_to_delete_a_login_that_changed_a_record(client, root, author):
    client.force_login(root)
    url = reverse("admin:accounts_user_delete", args=[author.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=author.pk).exists()


def test_the_bulk_delete_action_refuses_too(client, root, author):
    client.force_login(root)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [author.pk], "post": "yes"},
    )

    assert User.objects.filter(pk=author.pk).exists()


def test_deleting_such_a_login_in_code_is_refused_and_the_history_keeps_its_author(episode, author):
    with pytest.raises(ProtectedError):
        author.delete()

    assert episode.tasks.first().history.filter(history_user=author).exists()


def test_a_login_that_never_changed_anything_can_be_deleted(client, root):
    unused = UserFactory(username="typo", role="nurse")
    client.force_login(root)

    client.post(reverse("admin:accounts_user_delete", args=[unused.pk]), {"post": "yes"})

    assert not User.objects.filter(pk=unused.pk).exists()


def test_the_admin_deactivates_instead_and_it_is_recorded(client, root, author):
    client.force_login(root)

    client.post(reverse("admin:accounts_user_changelist"), {"action": "deactivate", "_selected_action": [author.pk]})

    author.refresh_from_db()
    assert not author.is_active
    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.by) == ("deactivated", author, root)


def test_axes_log_in_records_cannot_be_deleted_in_the_django_admin(client, root):
    client.force_login(root)
    record = {"username": "nina", "ip_address": "10.0.0.1", "user_agent": "x", "path_info": "/accounts/login/"}
    failure = AccessFailureLog.objects.create(**record)
    log = AccessLog.objects.create(**record)

    delete_failure = reverse("admin:axes_accessfailurelog_delete", args=[failure.pk])
    assert client.post(delete_failure, {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:axes_accesslog_delete", args=[log.pk]), {"post": "yes"}).status_code == 403
    assert AccessFailureLog.objects.count() == 1
    assert AccessLog.objects.filter(pk=log.pk).exists()
