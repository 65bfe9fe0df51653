"""The day-of huddle sheet: a hand-made day, read as the team reads it at 07:00, and its PDF."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from checklists.huddle import huddle_lines
from checklists.models import Language
from checklists.protocol_data import read_protocol, shipped_protocol_files
from checklists.services.episodes import episode_cancel
from checklists.services.protocols import protocol_import
from checklists.services.tasks import task_mark_done, task_report_by_patient
from tests.factories import PatientFactory, ProtocolVersionFactory, TaskTemplateFactory, schedule_episode
from tests.portal.test_documents import pdf_page_count

LOCAL = ZoneInfo(settings.TIME_ZONE)
# The evening before the day of the huddle: a Tuesday in June.
NOW = dt.datetime(2025, 6, 2, 19, 0, tzinfo=LOCAL)
DAY = dt.date(2025, 6, 3)
SHEET = reverse("checklists:huddle-sheet")


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL)


@pytest.fixture
def version(db):
    """The shipped protocol's titles for what the huddle asks, two of them critical."""
    version = ProtocolVersionFactory()
    for title, critical, offset in [
        ("Confirm your driver", False, -14 * 60),
        ("Last light meal", False, -10 * 60),
        ("Last clear drink", False, -2 * 60),
        ("Sign the consent form", True, -75),
        ("Time-out: verify identity, site and vertebral level", True, -15),
    ]:
        TaskTemplateFactory(
            protocol_version=version,
            phase="day_of",
            title=title,
            is_critical=critical,
            responsible="nurse" if critical else "patient",
            due_offset_minutes=offset,
        )
    return version


def book(nurse, version, start, **patient):
    return schedule_episode(by=nurse, protocol_version=version, start=start, patient=PatientFactory(**patient))


def close(episode, title, *, by, reported_at=None):
    task = episode.tasks.get(title=title)
    if reported_at is not None:
        with time_machine.travel(reported_at, tick=False):
            task_report_by_patient(task=task, by=by, expected_version=task.version)
        return
    task_mark_done(task=task, by=by, expected_version=task.version)


@pytest.fixture
def day(nurse, version, patient_user):
    """Three procedures on the day, one the day after, one cancelled."""
    second = book(
        nurse,
        version,
        at(10),
        first_name="Ben",
        last_name="Second",
        allergies="Latex",
        interpreter_needed=True,
        preferred_language=Language.SPANISH,
    )
    first = book(nurse, version, at(8, 30), first_name="Ana", last_name="First", allergies="None known")
    third = book(nurse, version, at(13), first_name="Cy", last_name="Third")
    book(nurse, version, at(8, day=DAY + dt.timedelta(days=1)), first_name="Tom", last_name="Tomorrow")
    cancelled = book(nurse, version, at(9), first_name="Cal", last_name="Cancelled")
    episode_cancel(episode=cancelled, by=nurse, reason="Unwell")
    close(first, "Confirm your driver", by=nurse)
    close(first, "Sign the consent form", by=nurse)
    close(first, "Last light meal", by=patient_user, reported_at=at(20, 15, DAY - dt.timedelta(days=1)))
    close(second, "Confirm your driver", by=patient_user, reported_at=at(18, 0, DAY - dt.timedelta(days=1)))
    return first, second, third


def test_the_sheet_lists_the_days_procedures_in_order_with_what_the_team_checks(day, nurse):
    first, second, third = day

    lines = huddle_lines(DAY)

    assert [line.episode for line in lines] == [first, second, third]
    one, two, three = lines
    assert one.blocking == ["Time-out: verify identity, site and vertebral level"]
    assert two.blocking == ["Sign the consent form", "Time-out: verify identity, site and vertebral level"]
    assert one.last_food == at(20, 15, DAY - dt.timedelta(days=1))
    assert one.last_drink is None
    assert (one.driver, two.driver, three.driver) == ("confirmed", "reported by the patient", "not confirmed")


def test_the_sheet_costs_three_queries_however_many_procedures(day, nurse, version, django_assert_num_queries):
    with django_assert_num_queries(3):
        assert len(huddle_lines(DAY)) == 3
    for hour in (14, 15, 16, 17):
        book(nurse, version, at(hour), first_name="Late")
    # The day's procedures, the tasks that answer for all of them, the medication plans (the medicines app's column).
    with django_assert_num_queries(3):
        assert len(huddle_lines(DAY)) == 7


def test_the_printed_sheet_makes_sense_without_the_app(client, nurse, day):
    client.force_login(nurse)

    response = client.get(SHEET, {"date": DAY.isoformat()})

    assert response.status_code == 200
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)[1:]
    ]
    assert rows[0] == (
        "1 Ana First MRN {mrn} · born {born} arrive 07:00 start 08:30 L1, side not recorded Dr. Patel "
        "Time-out: verify identity, site and vertebral level "
        "food: Mon 20:15 drink: not reported Medicines not reviewed None known confirmed No"
    ).format(mrn=day[0].patient.mrn, born=f"{day[0].patient.date_of_birth:%-d %b %Y}")
    assert rows[1].endswith("Latex reported by the patient Yes , Español")
    assert "Sign the consent form; Time-out" in rows[1]
    assert "not recorded not confirmed No" in rows[2]
    assert len(rows) == 3


def test_the_sheet_is_for_the_care_team_only_and_refuses_a_bad_date(client, patient_user, nurse, admin_user):
    client.force_login(patient_user)
    assert client.get(SHEET).status_code == 403
    client.force_login(admin_user)
    assert client.get(SHEET).status_code == 200
    client.force_login(nurse)
    assert client.get(SHEET, {"date": "3025-01-01"}).status_code == 400
    assert client.get(reverse("checklists:huddle-sheet-pdf"), {"date": "not-a-day"}).status_code == 400


def test_eight_procedures_print_on_one_page(client, nurse, version):
    for number in range(8):
        episode = book(
            nurse,
            version,
            at(7 + number),
            first_name=f"Patient{number}",
            last_name="Longname-Doubleton",
            allergies="Penicillin (rash), iodine contrast (hives), latex",
        )
        episode.patient.save()
    client.force_login(nurse)

    response = client.get(reverse("checklists:huddle-sheet-pdf"), {"date": DAY.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert pdf_page_count(response.content) == 1


def test_eight_procedures_with_every_critical_item_of_the_shipped_protocol_open_print_on_one_page(client, nurse):
    (path,) = shipped_protocol_files()
    shipped, _ = protocol_import(data=read_protocol(path))
    for number in range(8):
        book(nurse, shipped, at(7 + number), first_name=f"Patient{number}", last_name="Longname-Doubleton")
    client.force_login(nurse)

    response = client.get(reverse("checklists:huddle-sheet-pdf"), {"date": DAY.isoformat()})

    assert pdf_page_count(response.content) == 1
    first_row = re.findall(r"<tr>(.*?)</tr>", client.get(SHEET, {"date": DAY.isoformat()}).content.decode(), re.S)[1]
    assert "; and 5 more (see the checklist)" in first_row  # the two soonest due are named
