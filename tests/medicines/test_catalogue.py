"""The catalogue is data: shipped as JSON, loaded by a command, versioned, and an admin's edit is never
silently overwritten by a newer shipped version."""

import copy
from decimal import Decimal

import pytest
from django.core.management import call_command

from medicines.catalogue import catalogue_load, read_catalogue
from medicines.models import LabTest, Medicine
from tests.factories import UserFactory

REQUIRED = [
    "warfarin", "apixaban", "rivaroxaban", "edoxaban", "dabigatran", "enoxaparin", "heparin", "aspirin",
    "clopidogrel", "prasugrel", "ticagrelor", "cilostazol", "ibuprofen", "naproxen", "diclofenac", "meloxicam",
    "celecoxib", "semaglutide", "dulaglutide", "tirzepatide", "liraglutide", "empagliflozin", "dapagliflozin",
    "canagliflozin", "ertugliflozin", "insulin", "metformin",
]  # fmt: skip


def test_catalogue_covers_the_issues_medicines_each_with_its_source(catalogue):
    names = " ".join(catalogue)
    assert [name for name in REQUIRED if name not in names] == []
    assert [slug for slug, medicine in catalogue.items() if not medicine.source.strip()] == []


def test_warfarin_needs_an_inr_of_at_most_1_4_by_default(catalogue):
    inr = catalogue["warfarin"].lab_test
    assert (inr.slug, inr.upper_limit, inr.unit) == ("inr", Decimal("1.4"), "ratio")


def test_ertugliflozin_is_held_4_days_and_the_other_sglt2_inhibitors_3(catalogue):
    holds = {slug: m.hold_days for slug, m in catalogue.items() if m.drug_class == "sglt2"}
    assert holds == {"canagliflozin": 3, "dapagliflozin": 3, "empagliflozin": 3, "ertugliflozin": 4}


def test_loading_twice_changes_nothing(catalogue):
    before = Medicine.history.count()
    report = catalogue_load(data=read_catalogue())
    assert (report.created, report.updated, Medicine.history.count()) == ([], [], before)


def test_newer_shipped_version_updates_unedited_rows_with_history(catalogue):
    data = copy.deepcopy(read_catalogue())
    data["version"] = 2
    next(m for m in data["medicines"] if m["slug"] == "ibuprofen")["hold_days"] = 2
    report = catalogue_load(data=data)
    ibuprofen = Medicine.objects.get(slug="ibuprofen")
    assert (report.updated, ibuprofen.hold_days, ibuprofen.catalogue_version) == (["ibuprofen"], 2, 2)
    assert ibuprofen.history.first().history_change_reason == "Catalogue v2: hold_days"


@pytest.fixture
def superuser(db):
    # The demo's admin login is a superuser: every permission check that is not overridden passes.
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


def test_admins_edit_is_kept_and_reported_when_a_newer_version_differs(catalogue, superuser, client):
    client.force_login(superuser)
    inr = LabTest.objects.get(slug="inr")
    response = client.post(
        f"/admin/medicines/labtest/{inr.pk}/change/",
        {"name": "INR", "name_es": "INR", "unit": "ratio", "lower_limit": "", "upper_limit": "1.5", "source": "Local"},
    )
    assert response.status_code == 302
    inr.refresh_from_db()
    assert (inr.upper_limit, inr.locally_edited) == (Decimal("1.5"), True)
    assert inr.history.first().history_user == superuser

    data = copy.deepcopy(read_catalogue())
    data["version"] = 2
    report = catalogue_load(data=data)
    inr.refresh_from_db()
    assert inr.upper_limit == Decimal("1.5")
    assert report.kept_local_edits == [("inr", "upper_limit, source")]
    assert "KEPT the admins' edit of inr" in "\n".join(report.lines())


@pytest.mark.parametrize("url", ["/admin/medicines/medicine/add/", "/admin/medicines/episodemedicine/add/"])
def test_catalogue_rows_are_not_added_or_deleted_in_the_admin(catalogue, superuser, client, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 403
    warfarin = catalogue["warfarin"]
    assert client.post(f"/admin/medicines/medicine/{warfarin.pk}/delete/").status_code == 403


def test_load_medicines_command_prints_what_it_did(db, capsys):
    call_command("load_medicines")
    assert "Medicine catalogue v1: 32 added, 0 updated." in capsys.readouterr().out


def test_a_hold_of_one_day_reads_in_the_singular(catalogue):
    assert (catalogue["ibuprofen"].describe_hold(), catalogue["naproxen"].describe_hold()) == ("1 day", "4 days")
