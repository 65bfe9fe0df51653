"""Named people for every test: two nurses, two patients with their own episodes, an admin."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from accounts.models import Role
from tests.factories import PatientFactory, UserFactory, schedule_episode, small_protocol_version

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: no PDF rendered or counter left by an earlier test."""
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language: a Spanish-speaking patient's request through the test client
    leaves Spanish active in the thread (LocaleMiddleware activates it; nothing deactivates it after)."""
    translation.activate(settings.LANGUAGE_CODE)


def make_nurse():
    return UserFactory(username="nina", first_name="Nina", last_name="Nurse", role=Role.NURSE)


def make_other_nurse():
    return UserFactory(username="olga", first_name="Olga", last_name="Other", role=Role.NURSE)


def make_admin():
    return UserFactory(username="ada", first_name="Ada", last_name="Admin", role=Role.ADMIN, is_staff=True)


def make_patient_user():
    return UserFactory(username="pat", first_name="Pat", last_name="Patient", role=Role.PATIENT)


def make_other_patient_user():
    return UserFactory(username="quinn", first_name="Quinn", last_name="Other", role=Role.PATIENT)


def schedule_pats_episode(*, nurse, patient_user, protocol_version):
    """Pat's upcoming procedure, assigned to Nina."""
    patient = PatientFactory(user=patient_user, first_name="Pat", last_name="Patient")
    return schedule_episode(by=nurse, patient=patient, protocol_version=protocol_version, nurse=nurse)


def schedule_quinns_episode(*, nurse, other_patient_user, protocol_version):
    """Quinn's upcoming procedure, scheduled by Nina and assigned to no one."""
    patient = PatientFactory(user=other_patient_user, first_name="Quinn", last_name="Other")
    return schedule_episode(by=nurse, patient=patient, protocol_version=protocol_version)


@pytest.fixture
def nurse(db):
    return make_nurse()


@pytest.fixture
def other_nurse(db):
    return make_other_nurse()


@pytest.fixture
def admin_user(db):
    return make_admin()


@pytest.fixture
def patient_user(db):
    return make_patient_user()


@pytest.fixture
def other_patient_user(db):
    return make_other_patient_user()


@pytest.fixture
def protocol_version(db):
    return small_protocol_version()


@pytest.fixture
def episode(nurse, patient_user, protocol_version):
    return schedule_pats_episode(nurse=nurse, patient_user=patient_user, protocol_version=protocol_version)


@pytest.fixture
def other_episode(nurse, other_patient_user, protocol_version):
    return schedule_quinns_episode(
        nurse=nurse, other_patient_user=other_patient_user, protocol_version=protocol_version
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
