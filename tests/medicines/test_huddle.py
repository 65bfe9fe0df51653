"""The huddle sheet's "Blood thinners · INR" column (issue #15 point 7), added by the medicines app
through `checklists.huddle.huddle_column`: each blood thinner with its decision, and the latest INR."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from checklists.huddle import huddle_lines
from checklists.models import ChecklistTask, Phase
from checklists.services.tasks import task_mark_done
from medicines import services
from medicines.models import Decision, LabTest
from tests.factories import PatientFactory, schedule_episode
from tests.portal.test_documents import pdf_page_count

from .conftest import MONDAY_8, NEW_YORK

DAY = MONDAY_8.date()


def book(nurse, version, hour, name):
    start = dt.datetime.combine(DAY, dt.time(hour), tzinfo=NEW_YORK)
    return schedule_episode(by=nurse, protocol_version=version, start=start, patient=PatientFactory(first_name=name))


def add(episode, nurse, medicine, *, decision=None, **fields):
    medication = services.medicine_add(episode=episode, by=nurse, medicine=medicine, dose="1 tablet")
    if decision is not None:
        services.medicine_decide(
            medication=medication, by=nurse, decision=decision, prescriber_name="Dr. Rivera", channel="phone", **fields
        )
    return medication


def inr(episode, nurse, value, hour=9):
    services.lab_result_record(
        episode=episode,
        lab_test=LabTest.objects.get(slug="inr"),
        value=Decimal(value),
        taken_at=dt.datetime(2026, 12, 2, hour, 0, tzinfo=NEW_YORK),
        by=nurse,
    )


def column(episode):
    (line,) = [line for line in huddle_lines(DAY) if line.episode == episode]
    (lines,) = line.columns
    return lines


@pytest.fixture
def planned_day(plan_episode, nurse, shipped_version, catalogue):
    """Pat (08:00): clopidogrel decided, apixaban waiting; Wanda (09:00): warfarin decided, INR twice;
    Nina (10:00): no regular medicines; Ian (11:00): ibuprofen only; Una (12:00): nothing answered."""
    add(plan_episode, nurse, catalogue["clopidogrel"], decision=Decision.STOP_AS_PROPOSED)
    add(plan_episode, nurse, catalogue["apixaban"])
    add(plan_episode, nurse, catalogue["ibuprofen"], decision=Decision.STOP_AS_PROPOSED)
    wanda = book(nurse, shipped_version, 9, "Wanda")
    add(wanda, nurse, catalogue["warfarin"], decision=Decision.BRIDGING, bridging_plan="Enoxaparin 80 mg from Wed 9")
    add(wanda, nurse, catalogue["enoxaparin-treatment"], decision=Decision.STOP_AS_PROPOSED)
    add(wanda, nurse, catalogue["aspirin-primary"], decision=Decision.CONTINUE)
    inr(wanda, nurse, "1.8", hour=8)
    inr(wanda, nurse, "1.3", hour=9)
    nina = book(nurse, shipped_version, 10, "Nina")
    services.medicine_review_record(episode=nina, by=nurse, no_regular_medicines=True)
    ian = book(nurse, shipped_version, 11, "Ian")
    add(ian, nurse, catalogue["ibuprofen"], decision=Decision.STOP_AS_PROPOSED)
    services.medicine_review_record(episode=ian, by=nurse, no_regular_medicines=False)
    una = book(nurse, shipped_version, 12, "Una")
    return {"pat": plan_episode, "wanda": wanda, "nina": nina, "ian": ian, "una": una}


def test_each_blood_thinner_shows_its_decision_and_the_latest_inr_its_limit(planned_day):
    assert column(planned_day["pat"]) == ["Clopidogrel: last dose Sun 6 Dec (decided)", "Apixaban: NO DECISION"]
    assert column(planned_day["wanda"]) == [
        "Warfarin: last dose Tue 8 Dec, bridging (decided)",
        "Enoxaparin (treatment dose): last dose Sun 13 Dec 09:00 (decided)",
        "Aspirin (primary prevention): continue (decided)",
        "INR 1.30 ratio, within ≤ 1.40 ratio (Wed 2 Dec 09:00)",
    ]


def test_an_inr_outside_the_limit_says_so_in_capitals(planned_day, nurse):
    inr(planned_day["wanda"], nurse, "1.6", hour=10)
    assert column(planned_day["wanda"])[-1] == "INR 1.60 ratio, OUTSIDE ≤ 1.40 ratio (Wed 2 Dec 10:00)"


def test_without_a_blood_thinner_the_column_says_what_the_plan_says(planned_day):
    assert column(planned_day["nina"]) == ["No regular medicines"]
    assert column(planned_day["ian"]) == ["No blood thinners listed"]
    assert column(planned_day["una"]) == ["Medicines not reviewed"]


def test_a_medicine_taken_off_the_list_leaves_the_sheet(planned_day, nurse):
    pat = planned_day["pat"]
    apixaban = pat.medicines.get(medicine__slug="apixaban")
    services.medicine_remove(medication=apixaban, by=nurse, reason="Stopped by the GP last year")
    assert column(pat) == ["Clopidogrel: last dose Sun 6 Dec (decided)"]


def test_the_column_costs_one_query_however_many_procedures(
    planned_day, nurse, shipped_version, catalogue, django_assert_num_queries
):
    with django_assert_num_queries(3):  # procedures, tasks, medication plans
        assert len(huddle_lines(DAY)) == 5
    for hour in (13, 14, 15):
        add(book(nurse, shipped_version, hour, "Late"), nurse, catalogue["rivaroxaban"])
    with django_assert_num_queries(3):
        assert len(huddle_lines(DAY)) == 8


def test_the_printed_sheet_has_the_column_and_eight_planned_procedures_fit_one_page(
    planned_day, client, nurse, shipped_version, catalogue
):
    for hour in (13, 14, 15):
        episode = book(nurse, shipped_version, hour, "Late")
        add(episode, nurse, catalogue["warfarin"], decision=Decision.STOP_AS_PROPOSED)
        add(episode, nurse, catalogue["clopidogrel"])
        inr(episode, nurse, "1.1")
    # The morning of: the preparations of the days before are done, the day's checks and the decisions are open.
    preparations = ChecklistTask.objects.filter(is_critical=True, status="pending", template__isnull=False)
    for task in preparations.exclude(phase=Phase.DAY_OF):
        task_mark_done(task=task, by=nurse, expected_version=task.version)
    client.force_login(nurse)

    page = client.get(reverse("checklists:huddle-sheet"), {"date": DAY.isoformat()}).content.decode()
    pdf = client.get(reverse("checklists:huddle-sheet-pdf"), {"date": DAY.isoformat()})

    assert '<th scope="col" class="col-added">Blood thinners · INR</th>' in page
    assert re.search(r"Clopidogrel: last dose Sun 6 Dec \(decided\)<br>Apixaban: NO DECISION</td>", page)
    assert pdf.status_code == 200
    assert pdf_page_count(pdf.content) == 1
