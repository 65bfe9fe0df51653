"""The protocol editor: admins edit a draft's tasks, publish it and compare versions; nobody else gets in."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from checklists.models import DueMeans, Episode, Phase, ProtocolVersion, Responsible, TaskTemplate, WarningSign
from checklists.protocol_selectors import protocol_version_content
from checklists.services.protocols import (
    protocol_draft_create,
    protocol_draft_discard,
    protocol_task_remove,
    protocol_version_publish,
    protocol_warning_sign_remove,
    protocol_warning_sign_update,
)
from portal.timeline import warning_signs_for
from tests.factories import (
    PatientFactory,
    ProtocolFactory,
    TaskTemplateFactory,
    schedule_episode,
    small_protocol_version,
)

PAGES = [
    "checklists:protocol-list",
    "checklists:protocol-history",
    "checklists:protocol-version-detail",
    "checklists:protocol-version-diff",
    "checklists:protocol-task-create",
    "checklists:protocol-task-edit",
    "checklists:protocol-warning-sign-create",
    "checklists:protocol-warning-sign-edit",
]
POST_ONLY = [
    "checklists:protocol-draft-create",
    "checklists:protocol-task-delete",
    "checklists:protocol-task-move",
    "checklists:protocol-version-publish",
    "checklists:protocol-warning-sign-delete",
    "checklists:protocol-draft-discard",
]
VERSION_URLS = [
    "checklists:protocol-task-create",
    "checklists:protocol-version-publish",
    "checklists:protocol-warning-sign-create",
    "checklists:protocol-draft-discard",
]
SIGN_URLS = ["checklists:protocol-warning-sign-edit", "checklists:protocol-warning-sign-delete"]
FORM_PAGES = [
    "checklists:protocol-task-create",
    "checklists:protocol-task-edit",
    "checklists:protocol-warning-sign-create",
    "checklists:protocol-warning-sign-edit",
]
EDITOR_URLS = [*PAGES, *POST_ONLY]


def sign_data(**changes) -> dict:
    """What the warning-sign form posts for a valid emergency sign."""
    data = {"severity": WarningSign.Severity.EMERGENCY, "text": "Sudden weakness in the legs", "text_es": ""}
    return {**data, **changes}


def task_data(**changes) -> dict:
    """What the task form posts for a valid after-phase task due a day after the start."""
    data = {
        "phase": Phase.AFTER,
        "title": "Call the patient",
        "title_es": "Llamar al paciente",
        "patient_instructions": "We will call you the day after.",
        "patient_instructions_es": "Le llamaremos al día siguiente.",
        "nurse_guidance": "Ask about pain and the dressing.",
        "responsible": Responsible.NURSE,
        "due_rule": "offset",
        "due_offset_minutes": "1440",
        "due_day_offset": "",
        "due_clock_time": "",
    }
    return {**data, **changes}


@pytest.fixture
def draft(protocol_version):
    """A draft copy of the small protocol, with a second after-phase task so there is something to reorder."""
    draft = protocol_draft_create(protocol=protocol_version.protocol)
    TaskTemplateFactory(
        protocol_version=draft, phase=Phase.AFTER, position=2, title="Pain check", due_offset_minutes=120
    )
    return draft


@pytest.fixture
def other_protocol(db):
    """A second protocol with no draft yet, to start one."""
    return small_protocol_version(protocol=ProtocolFactory(slug="vertebroplasty", name="Vertebroplasty")).protocol


def request_for(name: str, draft: ProtocolVersion, other_protocol) -> tuple[str, dict]:
    """The URL `name` aimed at the draft (or one of its tasks), and POST data an admin could send."""
    lie_flat = draft.tasks.get(title="Lie flat")
    pain_check = draft.tasks.get(title="Pain check")
    fever = draft.warning_signs.get(text="Fever")
    args, data = {
        "checklists:protocol-list": ([], {}),
        "checklists:protocol-history": ([draft.protocol_id], {}),
        "checklists:protocol-draft-create": ([other_protocol.pk], {}),
        "checklists:protocol-version-detail": ([draft.pk], {}),
        "checklists:protocol-version-diff": ([draft.pk], {}),
        "checklists:protocol-version-publish": ([draft.pk], {}),
        "checklists:protocol-task-create": ([draft.pk], task_data()),
        "checklists:protocol-task-edit": (
            [lie_flat.pk],
            task_data(title="Lie flat for an hour", due_offset_minutes="60"),
        ),
        "checklists:protocol-task-delete": ([lie_flat.pk], {}),
        "checklists:protocol-task-move": ([pain_check.pk], {"direction": "up"}),
        "checklists:protocol-warning-sign-create": ([draft.pk], sign_data()),
        "checklists:protocol-warning-sign-edit": ([fever.pk], sign_data(text="Fever over 38 °C")),
        "checklists:protocol-warning-sign-delete": ([fever.pk], {}),
        "checklists:protocol-draft-discard": ([draft.pk], {}),
    }[name]
    return reverse(name, args=args), data


def protocol_records() -> tuple:
    """Everything an editor request could change, to prove that a refused one changed nothing."""
    return (
        list(ProtocolVersion.objects.order_by("pk").values_list("pk", "status", "published_at")),
        list(TaskTemplate.objects.order_by("pk").values()),
        list(WarningSign.objects.order_by("pk").values()),
    )


def with_methods(names):
    return [(name, "get") for name in names if name not in POST_ONLY] + [(name, "post") for name in names]


def send(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


# The role ladder.


def test_every_protocol_editor_url_is_on_this_ladder():
    names = get_resolver().namespace_dict["checklists"][1].reverse_dict
    assert {f"checklists:{key}" for key in names if isinstance(key, str) and key.startswith("protocol-")} == set(
        EDITOR_URLS
    )


@pytest.mark.parametrize(("name", "method"), with_methods(EDITOR_URLS))
def test_anonymous_user_is_sent_to_log_in(client, draft, other_protocol, name, method):
    url, data = request_for(name, draft, other_protocol)
    before = protocol_records()

    response = send(client, method, url, data)

    assertRedirects(response, f"/accounts/login/?next={url}", fetch_redirect_response=False)
    assert protocol_records() == before


@pytest.mark.parametrize("role", ["nurse", "patient_user"])
@pytest.mark.parametrize(("name", "method"), with_methods(EDITOR_URLS))
def test_nurses_and_patients_cannot_reach_the_editor(client, request, draft, other_protocol, role, name, method):
    url, data = request_for(name, draft, other_protocol)
    before = protocol_records()
    client.force_login(request.getfixturevalue(role))

    response = send(client, method, url, data)

    assert response.status_code == 403
    assert protocol_records() == before


@pytest.mark.parametrize("name", PAGES)
def test_admin_can_open_every_editor_page(client, admin_user, draft, other_protocol, name):
    url, _ = request_for(name, draft, other_protocol)
    client.force_login(admin_user)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", [*FORM_PAGES, *POST_ONLY])
def test_admin_can_make_every_editor_change(client, admin_user, draft, other_protocol, name):
    # The same requests the other roles are refused: proof that the refusals are not just bad data.
    url, data = request_for(name, draft, other_protocol)
    before = protocol_records()
    client.force_login(admin_user)

    response = client.post(url, data)

    assert response.status_code == 302
    assert protocol_records() != before


@pytest.mark.parametrize("role", [None, "nurse", "admin_user", "patient_user"])
@pytest.mark.parametrize("name", POST_ONLY)
def test_editor_changes_answer_get_with_405(client, request, draft, other_protocol, role, name):
    if role is not None:
        client.force_login(request.getfixturevalue(role))
    url, _ = request_for(name, draft, other_protocol)
    before = protocol_records()

    response = client.get(url)

    assert response.status_code == 405
    assert protocol_records() == before


# The protocol list and a version's page.


def test_admin_sees_every_protocol_with_its_versions(
    client, admin_user, draft, other_protocol, django_assert_num_queries
):
    client.force_login(admin_user)

    # Session, user, the protocols (with "has a draft") and all their versions with task counts:
    # the same four queries however many protocols and versions there are.
    with django_assert_num_queries(4):
        response = client.get(reverse("checklists:protocol-list"))

    assertContains(response, "Kyphoplasty")
    assertContains(response, "Vertebroplasty")
    assertContains(response, f"Version {draft.number}")
    assertContains(response, "Edit draft", count=1)
    # Kyphoplasty already has a draft, so only Vertebroplasty offers to start one.
    assertContains(response, "Start a new draft", count=1)
    assertContains(response, reverse("checklists:protocol-draft-create", args=[other_protocol.pk]))


def test_a_draft_page_shows_its_tasks_by_phase_with_their_due_rule_and_the_edit_controls(client, admin_user, draft):
    client.force_login(admin_user)

    response = client.get(reverse("checklists:protocol-version-detail", args=[draft.pk]))

    assert [group.label for group in response.context["outline"]] == [label for _, label in Phase.choices]
    assertContains(response, "8 h before the start")
    assertContains(response, "7 days before at 09:00")
    assertContains(response, reverse("checklists:protocol-task-edit", args=[draft.tasks.get(title="Lie flat").pk]))
    assertContains(response, "Publish version")
    assertContains(response, "Move up")


def test_a_published_version_page_has_no_edit_controls(client, admin_user, protocol_version):
    client.force_login(admin_user)

    response = client.get(reverse("checklists:protocol-version-detail", args=[protocol_version.pk]))

    assert response.status_code == 200
    assertContains(response, "cannot be changed")
    assert "Move up" not in response.content.decode()
    assert "Publish version" not in response.content.decode()


def test_a_draft_page_says_what_stops_it_from_being_published(client, admin_user, draft):
    draft.tasks.filter(phase=Phase.DAY_OF).update(is_critical=False)
    client.force_login(admin_user)

    response = client.get(reverse("checklists:protocol-version-detail", args=[draft.pk]))

    assertContains(response, "Before this draft can be published")
    assertContains(response, "Mark at least one day-of task as critical")


# Drafts and their tasks.


def test_admin_starts_a_draft_as_a_copy_of_the_current_version(client, admin_user, protocol_version):
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-draft-create", args=[protocol_version.protocol_id]))

    draft = protocol_version.protocol.versions.get(status=ProtocolVersion.Status.DRAFT)
    assertRedirects(response, reverse("checklists:protocol-version-detail", args=[draft.pk]))
    assert draft.number == protocol_version.number + 1
    assert protocol_version_content(draft) == protocol_version_content(protocol_version)


def test_a_second_draft_of_a_protocol_is_refused_with_409(client, admin_user, draft):
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-draft-create", args=[draft.protocol_id]))

    assertContains(response, "already has a draft", status_code=409)
    assert draft.protocol.versions.filter(status=ProtocolVersion.Status.DRAFT).count() == 1


def test_admin_adds_a_task_at_the_end_of_its_phase(client, admin_user, draft):
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-task-create", args=[draft.pk]), task_data())

    task = draft.tasks.get(title="Call the patient")
    assertRedirects(response, reverse("checklists:protocol-version-detail", args=[draft.pk]) + f"#task-{task.pk}")
    assert task.position == 3
    assert (task.title_es, task.responsible, task.due_offset_minutes) == ("Llamar al paciente", "nurse", 1440)


def test_admin_changes_every_field_of_a_task(client, admin_user, draft):
    task = draft.tasks.get(title="Lie flat")
    client.force_login(admin_user)

    response = client.post(
        reverse("checklists:protocol-task-edit", args=[task.pk]),
        task_data(
            title="Follow-up call",
            title_es="Llamada de seguimiento",
            patient_instructions="Keep your phone with you.",
            patient_instructions_es="Tenga su teléfono a mano.",
            nurse_guidance="Ask about leg weakness.",
            responsible=Responsible.CLINICIAN,
            is_critical="on",
            due_rule="day_and_time",
            due_offset_minutes="60",  # left over from the other rule: cleared, not an error
            due_day_offset="2",
            due_clock_time="10:00",
        ),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.title_es, task.responsible, task.is_critical) == (
        "Follow-up call",
        "Llamada de seguimiento",
        Responsible.CLINICIAN,
        True,
    )
    assert (task.patient_instructions, task.patient_instructions_es, task.nurse_guidance) == (
        "Keep your phone with you.",
        "Tenga su teléfono a mano.",
        "Ask about leg weakness.",
    )
    assert (task.due_offset_minutes, task.due_day_offset, task.due_clock_time) == (None, 2, dt.time(10, 0))


def test_the_edit_form_starts_with_the_tasks_own_due_rule(client, admin_user, draft):
    client.force_login(admin_user)
    driver = draft.tasks.get(title="Arrange a driver")

    response = client.get(reverse("checklists:protocol-task-edit", args=[driver.pk]))

    assert response.context["form"]["due_rule"].value() == "day_and_time"


def test_a_task_moved_to_another_phase_goes_to_its_end_and_the_old_phase_closes_up(client, admin_user, draft):
    lie_flat = draft.tasks.get(title="Lie flat")
    client.force_login(admin_user)

    client.post(
        reverse("checklists:protocol-task-edit", args=[lie_flat.pk]),
        task_data(title="Lie flat", phase=Phase.DAY_OF, due_offset_minutes="30"),
    )

    assert list(draft.tasks.filter(phase=Phase.DAY_OF).order_by("position").values_list("title", "position")) == [
        ("Consent signed", 1),
        ("Lie flat", 2),
    ]
    assert list(draft.tasks.filter(phase=Phase.AFTER).values_list("title", "position")) == [("Pain check", 1)]


def test_admin_removes_a_task_and_the_phase_closes_up(client, admin_user, draft):
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-task-delete", args=[draft.tasks.get(title="Lie flat").pk]))

    assertRedirects(response, reverse("checklists:protocol-version-detail", args=[draft.pk]) + "#phase-after")
    assert list(draft.tasks.filter(phase=Phase.AFTER).values_list("title", "position")) == [("Pain check", 1)]


def test_move_up_and_down_swap_a_task_with_its_neighbour_in_the_phase(client, admin_user, draft):
    pain_check = draft.tasks.get(title="Pain check")
    client.force_login(admin_user)

    def after_phase() -> list[str]:
        return list(draft.tasks.filter(phase=Phase.AFTER).order_by("position").values_list("title", flat=True))

    client.post(reverse("checklists:protocol-task-move", args=[pain_check.pk]), {"direction": "up"})
    assert after_phase() == ["Pain check", "Lie flat"]

    client.post(reverse("checklists:protocol-task-move", args=[pain_check.pk]), {"direction": "down"})
    assert after_phase() == ["Lie flat", "Pain check"]


def test_the_first_task_of_a_phase_cannot_move_up(client, admin_user, draft):
    client.force_login(admin_user)
    before = protocol_records()

    response = client.post(
        reverse("checklists:protocol-task-move", args=[draft.tasks.get(title="Lie flat").pk]), {"direction": "up"}
    )

    assertContains(response, "already the first task of its phase", status_code=400)
    assert protocol_records() == before


def test_a_move_needs_a_direction(client, admin_user, draft):
    client.force_login(admin_user)

    response = client.post(
        reverse("checklists:protocol-task-move", args=[draft.tasks.get(title="Lie flat").pk]), {"direction": "sideways"}
    )

    assertContains(response, "Choose to move the task up or down.", status_code=400)


# Form errors: a 400 with the reason next to the field, and nothing saved.


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"due_rule": ""}, "due_rule", "This field is required."),
        ({"due_offset_minutes": ""}, "due_offset_minutes", "Give the minutes from the start"),
        ({"due_rule": "day_and_time", "due_clock_time": "09:00"}, "due_day_offset", "Give the day"),
        ({"due_rule": "day_and_time", "due_day_offset": "1"}, "due_clock_time", "Give the clock time"),
        ({"title": "  lie   FLAT "}, "title", "“After” already has a task with this title."),
        (
            {
                "phase": Phase.NIGHT_BEFORE,
                "due_rule": "day_and_time",
                "due_day_offset": "-3",
                "due_clock_time": "20:00",
            },
            "due_day_offset",
            "This task is due 3 days before at 20:00, but a task in “Night before” must be due from 00:00 the day",
        ),
        (
            {"phase": Phase.WEEK_BEFORE, "due_offset_minutes": "-60"},
            "due_offset_minutes",
            "a task in “Week before” must be due from 00:00 14 days before the procedure day to 00:00 the day before",
        ),
        (
            {"phase": Phase.DAY_OF, "due_offset_minutes": "240"},
            "due_offset_minutes",
            "to 1 h after the start.",
        ),
        ({"due_offset_minutes": "-30"}, "due_offset_minutes", "a task in “After” must be due from the start on"),
        ({"due_offset_minutes": "-2000000000"}, "due_offset_minutes", "greater than or equal to -86400"),
        (
            {"due_rule": "day_and_time", "due_day_offset": "30000", "due_clock_time": "09:00"},
            "due_day_offset",
            "less than or equal to 60",
        ),
        ({"due_means": "until", "is_critical": "on"}, "is_critical", "it cannot be critical"),
        # A step "from" its time (restart a medicine) cannot block readiness either.
        ({"due_means": "from", "is_critical": "on"}, "is_critical", "“from” its time is taken once that time"),
    ],
)
def test_a_task_form_with_a_mistake_is_refused_with_a_clear_error(client, admin_user, draft, changes, field, message):
    client.force_login(admin_user)
    before = protocol_records()

    response = client.post(reverse("checklists:protocol-task-create", args=[draft.pk]), task_data(**changes))

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assertContains(response, "invalid-feedback", status_code=400)
    assert protocol_records() == before


def test_renaming_a_task_to_a_title_used_elsewhere_in_its_phase_is_refused(client, admin_user, draft):
    client.force_login(admin_user)
    pain_check = draft.tasks.get(title="Pain check")

    response = client.post(
        reverse("checklists:protocol-task-edit", args=[pain_check.pk]),
        task_data(title="Lie flat", due_offset_minutes="120"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["title"] == ["“After” already has a task with this title."]
    assertContains(response, "Edit “Pain check”", status_code=400)
    pain_check.refresh_from_db()
    assert pain_check.title == "Pain check"


def test_saving_a_task_unchanged_is_not_a_duplicate_of_itself(client, admin_user, draft):
    client.force_login(admin_user)
    lie_flat = draft.tasks.get(title="Lie flat")

    response = client.post(
        reverse("checklists:protocol-task-edit", args=[lie_flat.pk]),
        task_data(title="Lie flat", due_offset_minutes="60"),
    )

    assert response.status_code == 302


# Published versions are frozen.


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("checklists:protocol-task-create", "get"),
        ("checklists:protocol-task-create", "post"),
        ("checklists:protocol-task-edit", "get"),
        ("checklists:protocol-task-edit", "post"),
        ("checklists:protocol-task-delete", "post"),
        ("checklists:protocol-task-move", "post"),
        ("checklists:protocol-version-publish", "post"),
        ("checklists:protocol-warning-sign-create", "get"),
        ("checklists:protocol-warning-sign-create", "post"),
        ("checklists:protocol-warning-sign-edit", "get"),
        ("checklists:protocol-warning-sign-edit", "post"),
        ("checklists:protocol-warning-sign-delete", "post"),
        ("checklists:protocol-draft-discard", "post"),
    ],
)
def test_a_published_version_cannot_be_changed(client, admin_user, protocol_version, name, method):
    # A second after-phase task, so that moving it up would be allowed if the version were a draft.
    pain = TaskTemplateFactory(protocol_version=protocol_version, phase=Phase.AFTER, title="Pain check", position=2)
    fever = protocol_version.warning_signs.get(text="Fever")
    target = {
        **dict.fromkeys(VERSION_URLS, protocol_version.pk),
        **dict.fromkeys(SIGN_URLS, fever.pk),
    }.get(name, pain.pk)
    client.force_login(admin_user)
    before = protocol_records()

    response = send(client, method, reverse(name, args=[target]), {**task_data(), **sign_data(), "direction": "up"})

    assertContains(response, "only a draft can", status_code=409)
    assert protocol_records() == before


# Publishing.


def test_publishing_from_the_ui_makes_the_draft_current_and_retires_the_old_version(
    client, admin_user, protocol_version, draft
):
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-version-publish", args=[draft.pk]))

    assertRedirects(response, reverse("checklists:protocol-version-detail", args=[draft.pk]))
    draft.refresh_from_db()
    protocol_version.refresh_from_db()
    assert draft.status == ProtocolVersion.Status.PUBLISHED
    assert protocol_version.status == ProtocolVersion.Status.RETIRED
    assert draft.protocol.current_version() == draft


def test_publishing_a_draft_that_breaks_the_rules_is_refused_with_every_reason(client, admin_user, draft):
    draft.tasks.filter(phase=Phase.DAY_OF).update(is_critical=False)
    TaskTemplateFactory(protocol_version=draft, phase=Phase.AFTER, title="PAIN CHECK", due_offset_minutes=130)
    TaskTemplateFactory(protocol_version=draft, phase=Phase.AFTER, title="Too soon", due_offset_minutes=-5)
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-version-publish", args=[draft.pk]))

    assert response.status_code == 400
    assert [str(message) for message in response.context["messages"]] == [
        "Mark at least one day-of task as critical: without one, nothing stops an unprepared start.",
        "2 tasks in “After” are called “Pain check”: give each task of a phase its own title.",
        "“Too soon”: due 5 min before the start, but a task in “After” must be due from the start on.",
    ]
    draft.refresh_from_db()
    assert draft.status == ProtocolVersion.Status.DRAFT


def test_a_protocol_edit_published_from_the_ui_is_used_by_new_episodes_and_not_by_existing_ones(
    client, admin_user, nurse, episode, protocol_version
):
    """The issue's "done when": edit in the editor, publish, then a nurse schedules a procedure."""
    old_tasks = list(episode.tasks.order_by("pk").values_list("title", "due_at", "template_id"))
    client.force_login(admin_user)
    client.post(reverse("checklists:protocol-draft-create", args=[protocol_version.protocol_id]))
    draft = protocol_version.protocol.versions.get(status=ProtocolVersion.Status.DRAFT)
    lie_flat = draft.tasks.get(title="Lie flat")
    client.post(
        reverse("checklists:protocol-task-edit", args=[lie_flat.pk]),
        task_data(title="Lie flat for two hours", due_offset_minutes="120"),
    )
    client.post(reverse("checklists:protocol-task-create", args=[draft.pk]), task_data())
    assert client.post(reverse("checklists:protocol-version-publish", args=[draft.pk])).status_code == 302

    client.force_login(nurse)
    start = (timezone.localtime() + dt.timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    response = client.post(
        reverse("checklists:episode-create", args=[PatientFactory().pk]),
        {
            "protocol_version": draft.pk,
            "scheduled_start": start.strftime("%Y-%m-%dT%H:%M"),
            "admission_type": "same_day",
            "vertebral_levels": "L1",
            "clinician": "Dr. Patel",
        },
    )

    assert response.status_code == 302
    new_episode = Episode.objects.exclude(pk=episode.pk).get()
    assert new_episode.protocol_version == draft
    new_titles = set(new_episode.tasks.values_list("title", flat=True))
    assert {"Lie flat for two hours", "Call the patient"} <= new_titles
    assert "Lie flat" not in new_titles
    assert new_episode.tasks.get(title="Lie flat for two hours").due_at == start + dt.timedelta(hours=2)
    episode.refresh_from_db()
    assert episode.protocol_version == protocol_version
    assert list(episode.tasks.order_by("pk").values_list("title", "due_at", "template_id")) == old_tasks


def test_the_schedule_form_offers_the_newly_published_version_only(client, nurse, protocol_version, draft):
    protocol_version_publish(version=draft)
    client.force_login(nurse)

    response = client.get(reverse("checklists:episode-create", args=[PatientFactory().pk]))

    assert list(response.context["form"].fields["protocol_version"].queryset) == [draft]


# The diff.


def test_diff_page_shows_the_tasks_added_removed_and_changed_since_the_version_before(
    client, admin_user, protocol_version, draft
):
    draft.tasks.filter(title="Consent signed").update(nurse_guidance="Check the witness signed too.")
    draft.tasks.filter(title="Lie flat").delete()
    client.force_login(admin_user)

    response = client.get(reverse("checklists:protocol-version-diff", args=[draft.pk]))

    diff = response.context["diff"]
    assert (diff.old, diff.new) == (protocol_version, draft)
    assertContains(response, f"Changes from version {protocol_version.number} to version {draft.number}")
    assert [task.title for task in diff.added] == ["Pain check"]
    assert [task.title for task in diff.removed] == ["Lie flat"]
    assert [change.fields for change in diff.changed] == [[("Nurse guidance", "", "Check the witness signed too.")]]
    assertContains(response, "Check the witness signed too.")


def test_diff_against_a_newer_version_still_reads_from_old_to_new(client, admin_user, protocol_version, draft):
    client.force_login(admin_user)

    response = client.get(
        reverse("checklists:protocol-version-diff", args=[protocol_version.pk]), {"against": draft.pk}
    )

    assert (response.context["diff"].old, response.context["diff"].new) == (protocol_version, draft)


def test_diff_against_a_version_of_another_protocol_is_refused(client, admin_user, draft, other_protocol):
    client.force_login(admin_user)

    response = client.get(
        reverse("checklists:protocol-version-diff", args=[draft.pk]),
        {"against": other_protocol.current_version().pk},
    )

    assert response.status_code == 400
    assert "against" in response.context["form"].errors


def test_the_first_version_has_nothing_to_compare_with(client, admin_user, protocol_version):
    client.force_login(admin_user)

    response = client.get(reverse("checklists:protocol-version-diff", args=[protocol_version.pk]), follow=True)

    assertRedirects(response, reverse("checklists:protocol-version-detail", args=[protocol_version.pk]))
    assertContains(response, "nothing to compare it with")


# Warning signs.


def test_admin_adds_edits_and_removes_warning_signs_of_a_draft(client, admin_user, draft):
    client.force_login(admin_user)

    added = client.post(
        reverse("checklists:protocol-warning-sign-create", args=[draft.pk]),
        sign_data(text="  Sudden   weakness in the legs ", text_es="Debilidad repentina en las piernas"),
    )
    weakness = draft.warning_signs.get(text="Sudden weakness in the legs")
    fever = draft.warning_signs.get(text="Fever")
    edited = client.post(
        reverse("checklists:protocol-warning-sign-edit", args=[fever.pk]),
        sign_data(severity="call", text="Fever over 38 °C", text_es="Fiebre de más de 38 °C"),
    )

    detail = reverse("checklists:protocol-version-detail", args=[draft.pk])
    assertRedirects(added, f"{detail}#warning-signs", fetch_redirect_response=False)
    assertRedirects(edited, f"{detail}#warning-signs", fetch_redirect_response=False)
    assert (weakness.severity, weakness.text_es, weakness.position) == (
        "emergency",
        "Debilidad repentina en las piernas",
        2,  # after the draft's "Sudden chest pain"
    )
    fever.refresh_from_db()
    assert (fever.text, fever.text_es) == ("Fever over 38 °C", "Fiebre de más de 38 °C")
    page = client.get(detail).content.decode()
    assert "Sudden weakness in the legs" in page
    assert "Fever over 38 °C" in page

    removed = client.post(reverse("checklists:protocol-warning-sign-delete", args=[fever.pk]))

    assertRedirects(removed, f"{detail}#warning-signs", fetch_redirect_response=False)
    assert list(draft.warning_signs.values_list("text", flat=True)) == [
        "Sudden chest pain",
        "Sudden weakness in the legs",
    ]


def test_a_warning_sign_without_text_is_refused(client, admin_user, draft):
    client.force_login(admin_user)
    before = protocol_records()

    response = client.post(reverse("checklists:protocol-warning-sign-create", args=[draft.pk]), sign_data(text=""))

    assert response.status_code == 400
    assert response.context["form"].errors["text"] == ["This field is required."]
    assert protocol_records() == before


def schedule_with(version: ProtocolVersion, nurse) -> Episode:
    return schedule_episode(by=nurse, protocol_version=version, start=timezone.now() + dt.timedelta(days=10))


def warning_sign_texts(episode: Episode) -> list[str]:
    """What the episode's patient is told to watch for: the signs of the version it was scheduled on."""
    signs = warning_signs_for(episode)
    return [*signs.call, *signs.emergency]


def test_published_warning_signs_reach_patients_of_newly_scheduled_procedures_only(
    client, admin_user, nurse, protocol_version, draft
):
    existing = schedule_with(protocol_version, nurse)
    client.force_login(admin_user)
    client.post(reverse("checklists:protocol-warning-sign-create", args=[draft.pk]), sign_data())
    client.post(reverse("checklists:protocol-version-publish", args=[draft.pk]))

    scheduled_after = schedule_with(ProtocolVersion.objects.get(pk=draft.pk), nurse)

    assert "Sudden weakness in the legs" in warning_sign_texts(scheduled_after)
    assert "Sudden weakness in the legs" not in warning_sign_texts(existing)


def test_a_draft_without_a_warning_sign_of_each_kind_is_not_published(client, admin_user, draft):
    client.force_login(admin_user)
    for sign in draft.warning_signs.filter(severity=WarningSign.Severity.EMERGENCY):
        client.post(reverse("checklists:protocol-warning-sign-delete", args=[sign.pk]))

    response = client.post(reverse("checklists:protocol-version-publish", args=[draft.pk]))

    assertContains(response, "Add at least one “Emergency: get care now” warning sign", status_code=400)
    draft.refresh_from_db()
    assert draft.status == ProtocolVersion.Status.DRAFT


def test_a_change_to_a_draft_discarded_meanwhile_is_refused_clearly(admin_user, draft):
    fever = draft.warning_signs.get(text="Fever")
    lie_flat = draft.tasks.get(title="Lie flat")
    protocol_draft_discard(version=draft)

    with pytest.raises(ValidationError, match="was discarded meanwhile"):
        protocol_warning_sign_update(sign=fever, text="Fever over 38 °C")
    with pytest.raises(ValidationError, match="was discarded meanwhile"):
        protocol_task_remove(task=lie_flat)


def test_a_warning_sign_removed_meanwhile_cannot_be_saved(client, admin_user, draft):
    fever = draft.warning_signs.get(text="Fever")
    protocol_warning_sign_remove(sign=fever)
    client.force_login(admin_user)

    response = client.post(reverse("checklists:protocol-warning-sign-edit", args=[fever.pk]), sign_data())

    assert response.status_code == 404


def test_admin_discards_a_draft_and_can_start_a_new_one(client, admin_user, protocol_version, draft):
    client.force_login(admin_user)
    number = draft.number

    response = client.post(reverse("checklists:protocol-draft-discard", args=[draft.pk]))

    assertRedirects(response, reverse("checklists:protocol-list"), fetch_redirect_response=False)
    assert not ProtocolVersion.objects.filter(pk=draft.pk).exists()
    assert not TaskTemplate.objects.filter(protocol_version_id=draft.pk).exists()
    assert not WarningSign.objects.filter(protocol_version_id=draft.pk).exists()
    protocol_version.refresh_from_db()
    assert protocol_version.status == ProtocolVersion.Status.PUBLISHED
    new_draft = protocol_draft_create(protocol=protocol_version.protocol)
    assert new_draft.number == number


def test_admin_makes_a_task_a_period_and_the_diff_shows_it(client, admin_user, protocol_version, draft):
    task = draft.tasks.get(title="Lie flat")
    client.force_login(admin_user)

    url = reverse("checklists:protocol-task-edit", args=[task.pk])
    response = client.post(url, task_data(title="Lie flat", due_means="until"))

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_means == DueMeans.UNTIL
    diff = client.get(reverse("checklists:protocol-version-diff", args=[draft.pk])).context["diff"]
    changes = {label: (old, new) for change in diff.changed for label, old, new in change.fields}
    assert changes["The due time means"] == (DueMeans.BY.label, DueMeans.UNTIL.label)
    page = client.get(reverse("checklists:protocol-version-detail", args=[draft.pk])).content.decode()
    assert f"Until {task.describe_due_rule()}" in page
