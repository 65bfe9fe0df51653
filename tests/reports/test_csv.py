"""Every table of the report downloads as a CSV file that says exactly what the page says."""

import csv
import io

import pytest
from django.urls import reverse

from reports.tables import TABLES
from tests.reports.conftest import PERIOD, REPORT, page_tables


@pytest.fixture
def logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


class TestTheFortnightsCsvFiles:
    """The fortnight, built once for these tests that only read its report."""

    @pytest.mark.parametrize("slug", list(TABLES))
    def test_each_csv_file_equals_its_table_on_the_page(self, logged_in, fortnight_once, slug):
        page = logged_in.get(REPORT, PERIOD)

        response = logged_in.get(reverse("reports:table-csv", args=[slug]), PERIOD)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="kypho-{slug}-2025-06-02-to-2025-06-15.csv"'
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows == page_tables(page)[f"{slug}-table"]
        assert len(rows) > 1  # the fortnight has something in every table

    def test_the_pages_csv_links_carry_its_filters(self, logged_in, fortnight_once):
        protocol = fortnight_once.protocol_version.protocol
        page = logged_in.get(REPORT, {**PERIOD, "protocol": protocol.pk})

        query = f"date_from=2025-06-02&amp;date_to=2025-06-15&amp;protocol={protocol.pk}"
        link = f"{reverse('reports:table-csv', args=['nurses'])}?{query}"
        assert link in page.content.decode()


def test_a_csv_file_of_an_empty_period_has_just_the_header(logged_in):
    response = logged_in.get(reverse("reports:table-csv", args=["cancellations"]), PERIOD)

    assert response.content.decode().splitlines() == ["Reason,Cancelled procedures"]


def test_an_unknown_table_is_not_found(logged_in):
    assert logged_in.get("/reports/patients.csv").status_code == 404
