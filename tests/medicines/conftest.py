"""The shipped catalogue and protocol, and Pat's procedure on it, for the medication-plan tests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from checklists.protocol_data import read_protocol, shipped_protocol_files
from checklists.services.protocols import protocol_import
from medicines.catalogue import catalogue_load, read_catalogue
from medicines.models import Medicine
from tests.factories import PatientFactory, schedule_episode

NEW_YORK = ZoneInfo("America/New_York")
# "Today" for these tests: Wednesday 2 December 2026, 10:00, twelve days before a Monday procedure.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=NEW_YORK)
MONDAY_8 = dt.datetime(2026, 12, 14, 8, 0, tzinfo=NEW_YORK)


@pytest.fixture
def catalogue(db):
    catalogue_load(data=read_catalogue())
    return {medicine.slug: medicine for medicine in Medicine.objects.select_related("lab_test")}


@pytest.fixture
def shipped_version(db):
    (path,) = shipped_protocol_files()
    version, _ = protocol_import(data=read_protocol(path))
    return version


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan_episode(frozen_now, nurse, patient_user, shipped_version, catalogue):
    """Pat's procedure on the shipped protocol, Monday 14 December 2026 at 08:00."""
    patient = PatientFactory(user=patient_user, first_name="Pat", last_name="Patient")
    return schedule_episode(by=nurse, patient=patient, protocol_version=shipped_version, nurse=nurse, start=MONDAY_8)
