"""The role ladder for every URL: anonymous users log in, the wrong role gets 403 or 404, the right role gets in."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse
from django.utils import dateformat, timezone

from accounts.models import User
from checklists.models import ChecklistTask, ContactAttempt, Episode, Patient, RejectedTaskChange
from checklists.services.episodes import episode_reschedule
from checklists.services.tasks import task_mark_done, task_report_by_patient
from tests.conftest import (
    make_admin,
    make_nurse,
    make_other_patient_user,
    make_patient_user,
    schedule_pats_episode,
    schedule_quinns_episode,
)
from tests.factories import built_once_for_the_scope, small_protocol_version

TASK_URLS = [
    "checklists:task-mark-done",
    "checklists:task-not-applicable",
    "checklists:task-reopen",
    "checklists:task-reject-report",
]
EPISODE_ACTION_URLS = [
    "checklists:episode-reschedule",
    "checklists:episode-cancel",
    "checklists:episode-sign-off",
    "checklists:episode-time-out",
    "checklists:episode-record-done",
    "checklists:episode-contact",
]
CHECKLIST_POST_URLS = [*TASK_URLS, *EPISODE_ACTION_URLS]
EPISODE_URLS = ["checklists:episode-detail", "checklists:episode-edit", *CHECKLIST_POST_URLS]
PATIENT_URLS = [
    "checklists:patient-detail",
    "checklists:patient-edit",
    "checklists:episode-create",
    "portal:patient-invite",
]
DAY_URLS = ["checklists:huddle-sheet", "checklists:huddle-sheet-pdf"]
# The patient's own pages: another patient's episode or task is a 404, the care team gets 403.
PORTAL_EPISODE_URLS = [
    "portal:episode",
    "portal:episode-print",
    "portal:episode-pdf",
    "portal:episode-calendar",
    "portal:episode-about",
    "portal:episode-information-read",
]
PORTAL_TASK_URLS = ["portal:task-report", "portal:task-answer"]
PORTAL_OWN_URLS = [*PORTAL_EPISODE_URLS, *PORTAL_TASK_URLS]
PORTAL_URLS = ["portal:checklist", "portal:warning-signs", *PORTAL_OWN_URLS]
POST_ONLY_URLS = [*CHECKLIST_POST_URLS, *PORTAL_TASK_URLS, "portal:episode-information-read", "portal:patient-invite"]
ALL_URLS = [
    "home",
    "checklists:episode-list",
    "checklists:after-care-list",
    "checklists:patient-create",
    *DAY_URLS,
    *PORTAL_URLS,
    *EPISODE_URLS,
    *PATIENT_URLS,
]
EDIT_PAGES = [
    "checklists:patient-create",
    "checklists:episode-create",
    "checklists:patient-edit",
    "checklists:episode-edit",
]
NURSE_ONLY_URLS = [*CHECKLIST_POST_URLS, *EDIT_PAGES]
CARE_TEAM_READ_URLS = [
    "checklists:episode-list",
    "checklists:after-care-list",
    *DAY_URLS,
    "checklists:episode-detail",
    "checklists:patient-detail",
]
NURSE_PAGES = [*CARE_TEAM_READ_URLS, *EDIT_PAGES]

PENDING_TASK = "Lie flat"
CLOSED_TASK = "Arrange a driver"
PATIENT_REPORTED_TASK = "Last solid food"
PENDING_PATIENT_TASK = CLOSED_TASK  # the only other patient task: the ladder's patient fails on it even if let in


def with_methods(names: list[str]) -> list[tuple[str, str]]:
    """Each URL with every method a client may try on it: GET on pages, POST on all (changes are POST only)."""
    return [(name, "get") for name in names if name not in POST_ONLY_URLS] + [(name, "post") for name in names]


@dataclass(frozen=True)
class Ladder:
    """Who climbs the ladder (Nina, Ada, Pat, Quinn) and the two episodes they aim at, by primary key."""

    user_pks: dict[str, int]
    episode_pks: dict[str, int]


@pytest.fixture(scope="module")
def ladder_once(django_db_setup, django_db_blocker) -> Ladder:
    """The people and episodes built once for the module's ~300 requests (each test's changes roll back after it):
    Pat's episode ("own", seen from patient_user) and Quinn's ("other"), each with one task closed to reopen and
    one reported by the patient."""
    with built_once_for_the_scope(django_db_blocker):
        nurse, patient_user, other_patient_user = make_nurse(), make_patient_user(), make_other_patient_user()
        protocol_version = small_protocol_version()
        own = schedule_pats_episode(nurse=nurse, patient_user=patient_user, protocol_version=protocol_version)
        other = schedule_quinns_episode(
            nurse=nurse, other_patient_user=other_patient_user, protocol_version=protocol_version
        )
        for each in (own, other):
            task = each.tasks.get(title=CLOSED_TASK)
            task_mark_done(task=task, by=nurse, expected_version=task.version)
            reported = each.tasks.get(title=PATIENT_REPORTED_TASK)
            task_report_by_patient(task=reported, by=each.patient.user, expected_version=reported.version)
        people = {"nurse": nurse, "admin_user": make_admin(), "patient_user": patient_user}
        yield Ladder(
            user_pks={role: user.pk for role, user in people.items()},
            episode_pks={"own": own.pk, "other": other.pk},
        )


# Each test reads fresh copies of the module's people and episodes (what a test changes in memory stays with it).
@pytest.fixture
def nurse(ladder_once, db) -> User:
    return User.objects.get(pk=ladder_once.user_pks["nurse"])


@pytest.fixture
def admin_user(ladder_once, db) -> User:
    return User.objects.get(pk=ladder_once.user_pks["admin_user"])


@pytest.fixture
def patient_user(ladder_once, db) -> User:
    return User.objects.get(pk=ladder_once.user_pks["patient_user"])


@pytest.fixture
def episodes(ladder_once, db) -> dict[str, Episode]:
    return {name: Episode.objects.select_related("patient").get(pk=pk) for name, pk in ladder_once.episode_pks.items()}


def request_for(name: str, episode: Episode) -> tuple[str, dict]:
    """The URL `name` aimed at `episode` (its patient, or one of its tasks) and POST data a nurse could send."""
    if name in TASK_URLS:
        title = {"checklists:task-reopen": CLOSED_TASK, "checklists:task-reject-report": PATIENT_REPORTED_TASK}
        task = episode.tasks.get(title=title.get(name, PENDING_TASK))
        return reverse(name, args=[task.pk]), {"version": task.version, "reason": "Arranged by the family"}
    if name == "checklists:episode-detail":
        return reverse(name, args=[episode.pk]), {}
    if name in EPISODE_ACTION_URLS:
        new_start = timezone.localtime() + dt.timedelta(days=6)
        data = {
            "scheduled_start": new_start.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Theatre list moved",
            "override_reason": "Surgeon accepts the risk",
            "ended_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "levels_treated": episode.vertebral_levels,
            "outcome": "no_answer",
        }
        return reverse(name, args=[episode.pk]), data
    if name == "checklists:episode-edit":
        data = {
            "vertebral_levels": "L3",
            "clinician": "Dr. Nguyen",
            "admission_type": "same_day",
            "arrival_minutes_before": 60,
            "reason": "Typo",
        }
        return reverse(name, args=[episode.pk]), data
    if name == "checklists:patient-edit":
        patient = episode.patient
        data = {
            "mrn": patient.mrn,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "email": "corrected@example.org",
            "preferred_language": patient.preferred_language,
        }
        return reverse(name, args=[patient.pk]), data
    if name in ("checklists:patient-detail", "portal:patient-invite"):
        return reverse(name, args=[episode.patient_id]), {}
    if name in PORTAL_EPISODE_URLS:
        return reverse(name, args=[episode.pk]), {}
    if name in PORTAL_TASK_URLS:
        task = episode.tasks.get(title=PENDING_PATIENT_TASK)
        return reverse(name, args=[task.pk]), {"version": task.version}
    if name == "checklists:episode-create":
        start = timezone.localtime() + dt.timedelta(days=10)
        data = {
            "protocol_version": episode.protocol_version_id,
            "scheduled_start": start.strftime("%Y-%m-%dT%H:%M"),
            "admission_type": "same_day",
            "vertebral_levels": "L2",
            "clinician": "Dr. Patel",
        }
        return reverse(name, args=[episode.patient_id]), data
    if name == "checklists:patient-create":
        data = {
            "mrn": "NEW-0001",
            "first_name": "Rosa",
            "last_name": "Newcomer",
            "date_of_birth": "1948-03-02",
            "preferred_language": "en",
        }
        return reverse(name), data
    return reverse(name), {}


def send(client, method: str, url: str, data: dict):
    return client.post(url, data) if method == "post" else client.get(url)


def clinical_records() -> tuple:
    """Everything a request could create or change, to prove that a refused request changed nothing."""
    return (
        list(Patient.objects.order_by("pk").values_list("pk", "mrn", "email")),
        list(
            Episode.objects.order_by("pk").values_list(
                "pk", "status", "scheduled_start", "signed_off_at", "vertebral_levels", "arrival_minutes_before"
            )
        ),
        ContactAttempt.objects.count(),
        list(ChecklistTask.objects.order_by("pk").values_list("pk", "status", "version", "reason")),
        RejectedTaskChange.objects.count(),
        # An invitation creates a login and links it to the patient.
        list(User.objects.order_by("pk").values_list("pk", "username", "password")),
        list(Patient.objects.order_by("pk").values_list("pk", "user")),
    )


def test_every_url_of_the_clinical_apps_is_on_this_ladder():
    namespaces = get_resolver().namespace_dict
    names = {
        f"{namespace}:{key}"
        for namespace in ("checklists", "portal")
        for key in namespaces[namespace][1].reverse_dict
        # The protocol editor is admin-only: its own ladder is in tests/test_protocol_editor.py.
        if isinstance(key, str) and not key.startswith("protocol-")
    }
    assert set(ALL_URLS) == {"home", *names}


@pytest.mark.parametrize(("name", "method"), with_methods(ALL_URLS))
def test_anonymous_user_is_sent_to_log_in(client, episodes, name, method):
    url, data = request_for(name, episodes["own"])
    before = clinical_records()

    response = send(client, method, url, data)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"
    assert clinical_records() == before


@pytest.mark.parametrize(
    ("name", "method"),
    with_methods(["checklists:episode-list", "checklists:patient-create", *DAY_URLS, *PATIENT_URLS, *EPISODE_URLS]),
)
def test_patient_is_forbidden_from_care_team_pages_even_about_themselves(client, patient_user, episodes, name, method):
    url, data = request_for(name, episodes["own"])
    before = clinical_records()
    client.force_login(patient_user)

    response = send(client, method, url, data)

    assert response.status_code == 403
    assert clinical_records() == before


@pytest.mark.parametrize(("name", "method"), with_methods([*EPISODE_URLS, *PATIENT_URLS, *PORTAL_OWN_URLS]))
def test_patient_cannot_open_another_patients_episode(client, patient_user, episodes, name, method):
    url, data = request_for(name, episodes["other"])
    before = clinical_records()
    client.force_login(patient_user)

    response = send(client, method, url, data)

    # 404, not 403: a patient must not learn that someone else's episode, task or record exists.
    assert response.status_code == 404
    assert clinical_records() == before


@pytest.mark.parametrize("name", NURSE_PAGES)
def test_nurse_can_open_every_care_team_page(client, nurse, episodes, name):
    # Quinn's episode is not assigned to Nina: the care team sees every episode.
    url, _ = request_for(name, episodes["other"])
    client.force_login(nurse)

    assert client.get(url).status_code == 200


# Sign-off, the time-out and recording done need the day of the procedure: tests/test_episode_actions.py and
# tests/test_time_out.py cover them for nurses.
DAY_OF_URLS = ["checklists:episode-sign-off", "checklists:episode-time-out", "checklists:episode-record-done"]


@pytest.mark.parametrize("name", [name for name in NURSE_ONLY_URLS if name not in DAY_OF_URLS])
def test_nurse_can_make_every_nurse_only_change(client, nurse, episodes, name):
    # The same requests that other roles are refused: proof that the refusals are not just bad data.
    url, data = request_for(name, episodes["other"])
    before = clinical_records()
    client.force_login(nurse)

    response = client.post(url, data)

    assert response.status_code == 302
    assert clinical_records() != before


@pytest.mark.parametrize("name", CARE_TEAM_READ_URLS)
def test_admin_can_read_every_episode_and_patient(client, admin_user, episodes, name):
    url, _ = request_for(name, episodes["other"])
    client.force_login(admin_user)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("name", "method"), with_methods(NURSE_ONLY_URLS))
def test_admin_cannot_make_nurse_only_changes(client, admin_user, episodes, name, method):
    url, data = request_for(name, episodes["other"])
    before = clinical_records()
    client.force_login(admin_user)

    response = send(client, method, url, data)

    assert response.status_code == 403
    assert clinical_records() == before


@pytest.mark.parametrize("role", ["nurse", "admin_user"])
@pytest.mark.parametrize(("name", "method"), with_methods(PORTAL_URLS))
def test_care_team_cannot_open_patient_pages(client, request, episodes, role, name, method):
    client.force_login(request.getfixturevalue(role))
    url, data = request_for(name, episodes["own"])
    before = clinical_records()

    response = send(client, method, url, data)

    assert response.status_code == 403
    assert clinical_records() == before


@pytest.mark.parametrize("name", [name for name in PORTAL_URLS if name not in POST_ONLY_URLS])
def test_patient_can_open_every_page_of_their_own(client, patient_user, episodes, name):
    url, _ = request_for(name, episodes["own"])
    client.force_login(patient_user)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["nurse", "admin_user"])
def test_care_team_can_invite_any_patient(client, request, episodes, role):
    url, data = request_for("portal:patient-invite", episodes["other"])
    client.force_login(request.getfixturevalue(role))

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == reverse("checklists:patient-detail", args=[episodes["other"].patient_id])


def test_patient_sees_only_their_own_checklist(client, nurse, patient_user, episodes):
    episode, other_episode = episodes["own"], episodes["other"]
    # Move Quinn's procedure to another day, so a leak would show as a second date on Pat's page.
    other_start = timezone.now() + dt.timedelta(days=10)
    episode_reschedule(episode=other_episode, scheduled_start=other_start, by=nurse, reason="Theatre moved")
    client.force_login(patient_user)

    response = client.get(reverse("portal:checklist"))

    assert response.status_code == 200
    assert response.context["checklist"].episode == episode
    assert response.context["other_episodes"] == []
    page = response.content.decode()
    assert dateformat.format(timezone.localtime(episode.scheduled_start), "l j F") in page
    assert dateformat.format(timezone.localtime(other_start), "l j F") not in page
    assert "Quinn" not in page
    assert other_episode.patient.mrn not in page


@pytest.mark.parametrize("role", [None, "nurse", "admin_user", "patient_user"])
@pytest.mark.parametrize("name", POST_ONLY_URLS)
def test_change_urls_answer_get_with_405(client, request, episodes, name, role):
    if role is not None:
        client.force_login(request.getfixturevalue(role))
    url, _ = request_for(name, episodes["own"])

    response = client.get(url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    ("role", "start_page"),
    [
        ("nurse", "checklists:episode-list"),
        ("admin_user", "checklists:episode-list"),
        ("patient_user", "portal:checklist"),
    ],
)
def test_home_sends_each_role_to_their_start_page(client, request, role, start_page):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == reverse(start_page)
