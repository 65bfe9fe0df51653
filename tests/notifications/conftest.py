"""A patient reachable by email and SMS, and a procedure on Tuesday 10 March 2026 at 08:00 New York time,
two days after the spring daylight-saving change (Sunday 8 March, 02:00 EST → 03:00 EDT)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from checklists.models import Phase, Responsible
from notifications import sms
from tests.factories import PatientFactory, TaskTemplateFactory, schedule_episode

NY = ZoneInfo("America/New_York")
START = dt.datetime(2026, 3, 10, 8, 0, tzinfo=NY)
# When the nurse schedules it: Sunday 1 March, noon.
BOOKED_AT = dt.datetime(2026, 3, 1, 12, 0, tzinfo=NY)


def local(message_time: dt.datetime) -> str:
    return f"{message_time.astimezone(NY):%a %d %b %H:%M %Z}"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def maria(db):
    return PatientFactory(
        first_name="Maria", last_name="Lopez", email="maria@example.org", phone="+12025550143", preferred_language="en"
    )


@pytest.fixture
def booked(nurse, maria, protocol_version):
    """Maria's procedure, booked on Sunday 1 March at noon."""
    with time_machine.travel(BOOKED_AT, tick=False):
        return schedule_episode(by=nurse, patient=maria, protocol_version=protocol_version, start=START, nurse=nurse)


def add_patient_step(version, title: str, *, phase: str = Phase.AFTER, minutes: int, position: int = 1):
    """A step of the patient's own in the protocol, due `minutes` from its phase's anchor (negative: before)."""
    return TaskTemplateFactory(
        protocol_version=version,
        phase=phase,
        position=position,
        title=title,
        responsible=Responsible.PATIENT,
        due_offset_minutes=minutes,
    )
