"""The proposed last dose and restart, per drug class, from the real start in hospital time.

Calendar-day holds: N whole days without a dose before the procedure day, so the last dose is on
day -(N + 1) by 23:59 local, whatever the start's clock time and across daylight-saving changes.
Heparins: N real hours before the start. Restarts: real hours after the start.
"""

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from medicines.proposals import propose, proposed_times

from .conftest import NEW_YORK


def local_times(medicine, start):
    _, last, restart = proposed_times(medicine, start)
    return (last and timezone.localtime(last, NEW_YORK)), (restart and timezone.localtime(restart, NEW_YORK))


def local(*args):
    return dt.datetime(*args, tzinfo=NEW_YORK)


# Monday 9 March 2026 is the day after the spring change (clocks jumped 02:00 -> 03:00 on Sunday 8 March);
# Monday 2 November 2026 the day after the autumn one (02:00 -> 01:00 on Sunday 1 November).
@pytest.mark.parametrize(
    ("slug", "start", "last_dose"),
    [
        ("clopidogrel", local(2026, 3, 9, 8, 0), local(2026, 3, 1, 23, 59)),
        ("clopidogrel", local(2026, 3, 9, 14, 0), local(2026, 3, 1, 23, 59)),
        ("prasugrel", local(2026, 3, 9, 8, 0), local(2026, 2, 26, 23, 59)),
        ("ticagrelor", local(2026, 11, 2, 8, 0), local(2026, 10, 27, 23, 59)),
        ("cilostazol", local(2026, 11, 2, 14, 0), local(2026, 10, 30, 23, 59)),
        ("aspirin-primary", local(2026, 3, 9, 8, 0), local(2026, 3, 2, 23, 59)),
        ("warfarin", local(2026, 3, 9, 8, 0), local(2026, 3, 3, 23, 59)),
        ("warfarin", local(2026, 11, 2, 14, 0), local(2026, 10, 27, 23, 59)),
        ("apixaban", local(2026, 3, 9, 8, 0), local(2026, 3, 5, 23, 59)),
        ("rivaroxaban", local(2026, 11, 2, 8, 0), local(2026, 10, 29, 23, 59)),
        ("edoxaban", local(2026, 3, 9, 14, 0), local(2026, 3, 5, 23, 59)),
        ("ibuprofen", local(2026, 3, 9, 8, 0), local(2026, 3, 7, 23, 59)),
        ("diclofenac", local(2026, 11, 2, 14, 0), local(2026, 10, 31, 23, 59)),
        ("naproxen", local(2026, 3, 9, 8, 0), local(2026, 3, 4, 23, 59)),
        ("meloxicam", local(2026, 11, 2, 8, 0), local(2026, 10, 28, 23, 59)),
        ("semaglutide", local(2026, 3, 9, 8, 0), local(2026, 3, 1, 23, 59)),
        ("liraglutide", local(2026, 3, 9, 8, 0), local(2026, 3, 8, 23, 59)),
        ("empagliflozin", local(2026, 11, 2, 8, 0), local(2026, 10, 29, 23, 59)),
        ("ertugliflozin", local(2026, 11, 2, 8, 0), local(2026, 10, 28, 23, 59)),
        ("ertugliflozin", local(2026, 3, 9, 14, 0), local(2026, 3, 4, 23, 59)),
        ("metformin", local(2026, 11, 2, 14, 0), local(2026, 11, 1, 23, 59)),
    ],
)
def test_calendar_day_holds_end_at_1159_pm_local_across_dst(catalogue, slug, start, last_dose):
    last, _ = local_times(catalogue[slug], start)
    assert last == last_dose
    assert last.utcoffset() == last_dose.utcoffset()


@pytest.mark.parametrize(
    ("slug", "start", "last_dose", "restart"),
    [
        # 24 real hours before 08:00 on the Sunday of the spring change is 07:00 on the Saturday (EST).
        ("enoxaparin-treatment", local(2026, 3, 8, 8, 0), local(2026, 3, 7, 7, 0), local(2026, 3, 9, 8, 0)),
        ("enoxaparin-treatment", local(2026, 3, 9, 8, 0), local(2026, 3, 8, 8, 0), local(2026, 3, 10, 8, 0)),
        ("enoxaparin-prophylactic", local(2026, 3, 8, 14, 0), local(2026, 3, 8, 1, 0), local(2026, 3, 9, 2, 0)),
        ("heparin-subcutaneous", local(2026, 3, 9, 8, 0), local(2026, 3, 8, 20, 0), local(2026, 3, 9, 20, 0)),
        # Autumn: 24 real hours before 08:00 EST on Sunday 1 November is 09:00 EDT on the Saturday.
        ("enoxaparin-treatment", local(2026, 11, 1, 8, 0), local(2026, 10, 31, 9, 0), local(2026, 11, 2, 8, 0)),
        ("enoxaparin-prophylactic", local(2026, 11, 1, 14, 0), local(2026, 11, 1, 2, 0), local(2026, 11, 2, 2, 0)),
    ],
)
def test_heparin_holds_and_restarts_are_real_hours_across_dst(catalogue, slug, start, last_dose, restart):
    last, restart_at = local_times(catalogue[slug], start)
    assert (last, restart_at) == (last_dose, restart)
    assert start.astimezone(dt.UTC) - last.astimezone(dt.UTC) == dt.timedelta(hours=catalogue[slug].hold_hours)


def test_restart_is_real_hours_after_the_start_across_the_autumn_change(catalogue):
    # 24 h after 14:00 EDT on Saturday 31 October is 13:00 EST on Sunday 1 November.
    _, restart = local_times(catalogue["clopidogrel"], local(2026, 10, 31, 14, 0))
    assert restart == local(2026, 11, 1, 13, 0)


@pytest.mark.parametrize("slug", ["dabigatran", "aspirin-secondary", "insulin", "heparin-intravenous"])
def test_uncertain_figures_propose_no_date(catalogue, slug):
    last, _ = local_times(catalogue[slug], local(2026, 12, 14, 8, 0))
    assert last is None
    assert "prescriber decides" in propose(catalogue[slug]).basis


def test_celecoxib_is_proposed_to_continue(catalogue):
    proposal = propose(catalogue["celecoxib"])
    assert (proposal.decision, proposal.last_dose_day, proposal.last_dose_minutes) == ("continue", None, None)


def test_antiplatelet_within_a_year_of_a_stent_proposes_no_date(catalogue):
    proposal = propose(catalogue["clopidogrel"], recent_coronary_stent=True)
    assert proposal.last_dose_day is None
    assert "cardiologist" in proposal.basis


def test_other_medicine_proposes_no_date():
    assert propose(None).last_dose_day is None


def test_medicine_dates_prints_every_entry_for_one_start(catalogue, capsys):
    call_command("medicine_dates", "--start", "2026-12-14 08:00")
    out = capsys.readouterr().out
    assert "Procedure Mon 14 Dec 2026 08:00 EST" in out
    assert re.search(r"clopidogrel +Antiplatelet +Sun 06 Dec 23:59 +Tue 15 Dec 08:00", out)
    assert re.search(r"dabigatran +Direct oral anticoagulant +prescriber decides", out)
    assert len(out.strip().splitlines()) == 1 + len(catalogue)


def test_medicine_dates_refuses_a_bad_start(db):
    with pytest.raises(CommandError, match="2026-12-14 08:00"):
        call_command("medicine_dates", "--start", "Monday")
