"""Check-in fixtures: the shipped check-in data on the test protocol, and Pat's procedure done on a Monday."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from checkins.demo import NORMAL
from checkins.models import Checkin
from checkins.protocol_data import read_checkin_protocol, shipped_checkin_files
from checkins.services import checkin_protocol_import
from tests.factories import PatientFactory, record_done, schedule_episode

HOSPITAL = ZoneInfo("America/New_York")
# Monday 2 March 2026, 10:30 in the hospital: the procedure's start (and its recorded end, as
# `done_episode` records it: "ended at the start").
START = dt.datetime(2026, 3, 2, 10, 30, tzinfo=HOSPITAL)
DAY_1_OPEN = START + dt.timedelta(days=1, hours=1)  # Tuesday 11:30, the day-1 check-in is open

ALL_NORMAL = {**NORMAL, "pain_now": "3"}  # every answer of the after-procedure check-in, none a red flag


@pytest.fixture
def checkin_data(protocol_version):
    """The shipped kyphoplasty check-ins, loaded onto the test protocol's published version."""
    [path] = shipped_checkin_files()
    version, _ = checkin_protocol_import(data=read_checkin_protocol(path))
    return version


def done_episode(*, nurse, patient, protocol_version, start=START):
    """A procedure scheduled ten days ahead of `start` and recorded done an hour after it."""
    with time_machine.travel(start - dt.timedelta(days=10), tick=False):
        episode = schedule_episode(
            by=nurse, patient=patient, start=start, nurse=nurse, protocol_version=protocol_version
        )
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        record_done(episode, by=nurse)
    return episode


@pytest.fixture
def pats_episode(checkin_data, nurse, patient_user):
    patient = PatientFactory(user=patient_user, first_name="Pat", last_name="Patient")
    return done_episode(nurse=nurse, patient=patient, protocol_version=checkin_data)


@pytest.fixture
def day_1(pats_episode) -> Checkin:
    return pats_episode.checkins.get(point__key="day-1")


@pytest.fixture
def at_day_1():
    with time_machine.travel(DAY_1_OPEN, tick=False) as traveller:
        yield traveller
