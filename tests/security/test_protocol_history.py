"""Protocol edits are attributed: who created, edited, published or discarded each draft and item, in the editor."""

from django.urls import reverse

from checklists.models import ProtocolVersion, TaskTemplate
from tests.factories import ProtocolFactory, UserFactory, small_protocol_version
from tests.test_protocol_editor import task_data


def test_every_editor_change_is_attributed_and_shown(client, admin_user):
    other_admin = UserFactory(username="bea", first_name="Bea", last_name="Boss", role="admin")
    protocol = small_protocol_version().protocol
    client.force_login(admin_user)
    client.post(reverse("checklists:protocol-draft-create", args=[protocol.pk]))
    draft = ProtocolVersion.objects.get(protocol=protocol, status=ProtocolVersion.Status.DRAFT)
    client.post(reverse("checklists:protocol-task-create", args=[draft.pk]), task_data())
    task = TaskTemplate.objects.get(protocol_version=draft, title="Call the patient")
    client.force_login(other_admin)
    client.post(reverse("checklists:protocol-task-delete", args=[task.pk]))
    client.post(reverse("checklists:protocol-draft-discard", args=[draft.pk]))

    assert [(row.history_type, row.history_user) for row in TaskTemplate.history.filter(id=task.pk)] == [
        ("-", other_admin),
        ("+", admin_user),
    ]
    assert [row.history_user for row in ProtocolVersion.history.filter(id=draft.pk)] == [other_admin, admin_user]
    page = client.get(reverse("checklists:protocol-history", args=[protocol.pk])).content.decode()
    assert page.index("Draft discarded") < page.index("Task “Call the patient” removed") < page.index("Draft created")
    assert "Bea Boss" in page
    assert "Ada Admin" in page


def test_the_history_page_is_for_admins_only(client, nurse):
    client.force_login(nurse)

    assert client.get(reverse("checklists:protocol-history", args=[ProtocolFactory().pk])).status_code == 403
