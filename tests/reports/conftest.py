"""A fortnight on the ward, small enough to count by hand, and helpers to read the report like an admin does."""

import datetime as dt
import html.parser
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from checklists.models import Episode
from checklists.services.day_of import episode_sign_off
from checklists.services.episodes import episode_cancel, episode_reschedule
from checklists.services.tasks import task_mark_done, task_mark_not_applicable
from tests.conftest import make_nurse, make_other_nurse
from tests.factories import (
    PatientFactory,
    built_once_for_the_scope,
    record_done,
    schedule_episode,
    small_protocol_version,
)

LOCAL = ZoneInfo(settings.TIME_ZONE)
# The period of the fortnight: two full weeks, Monday 2 June to Sunday 15 June 2025 (EDT, UTC-4).
PERIOD = {"date_from": "2025-06-02", "date_to": "2025-06-15"}
REPORT = reverse("reports:completion")
DRIVER, FOOD, CONSENT, LIE_FLAT = "Arrange a driver", "Last solid food", "Consent signed", "Lie flat"


def june(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time in June 2025."""
    return dt.datetime(2025, 6, day, hour, minute, tzinfo=LOCAL)


def may(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 5, day, hour, minute, tzinfo=LOCAL)


class Ward:
    """Does what the nurses did, each at the moment they did it."""

    def __init__(self, protocol_version, scheduler):
        self.protocol_version = protocol_version
        self.scheduler = scheduler

    def book(self, start: dt.datetime, *, protocol_version=None) -> Episode:
        with time_machine.travel(may(20, 8), tick=False):
            return schedule_episode(
                by=self.scheduler,
                start=start,
                patient=PatientFactory(),
                protocol_version=protocol_version or self.protocol_version,
            )

    def done(self, episode: Episode, title: str, *, by, at: dt.datetime) -> None:
        task = episode.tasks.get(title=title)
        with time_machine.travel(at, tick=False):
            task_mark_done(task=task, by=by, expected_version=task.version)

    def not_applicable(self, episode: Episode, title: str, *, by, at: dt.datetime) -> None:
        task = episode.tasks.get(title=title)
        with time_machine.travel(at, tick=False):
            task_mark_not_applicable(task=task, by=by, expected_version=task.version, reason="Not needed")

    def complete(self, episode: Episode) -> None:
        with time_machine.travel(episode.scheduled_start + dt.timedelta(hours=3), tick=False):
            record_done(episode, by=self.scheduler)

    def cancel(self, episode: Episode, reason: str) -> None:
        with time_machine.travel(episode.scheduled_start - dt.timedelta(days=2), tick=False):
            episode_cancel(episode=episode, by=self.scheduler, reason=reason)

    def reschedule(self, episode: Episode, *, to: dt.datetime, on: dt.datetime) -> Episode:
        with time_machine.travel(on, tick=False):
            return episode_reschedule(episode=episode, scheduled_start=to, by=self.scheduler, reason="Moved")

    def sign_off_with_override(self, episode: Episode, *, at: dt.datetime) -> None:
        with time_machine.travel(at, tick=False):
            episode_sign_off(episode=episode, by=self.scheduler, override_reason="Surgeon accepted the risk")


@pytest.fixture
def ward(nurse, protocol_version) -> Ward:
    return Ward(protocol_version, scheduler=nurse)


@pytest.fixture
def fortnight(ward, nurse, other_nurse) -> dict[str, Episode]:
    """The fortnight (`build_fortnight`) for one test."""
    return build_fortnight(ward, nurse, other_nurse)


@dataclass(frozen=True)
class SharedFortnight:
    episodes: dict[str, Episode]
    protocol_version: object


@pytest.fixture(scope="class")
def fortnight_once(django_db_setup, django_db_blocker) -> SharedFortnight:
    """The fortnight built once for a test class that only reads it (it takes seconds to build), as Django's
    setUpTestData does: in a transaction rolled back after the class's last test, while each test's own
    changes are rolled back after it as usual. Its nurses are Nina and Olga; a test of the class must not
    ask for `nurse`, `other_nurse` or `protocol_version` (they would be others)."""
    with built_once_for_the_scope(django_db_blocker):
        protocol_version = small_protocol_version()
        nina = make_nurse()
        episodes = build_fortnight(Ward(protocol_version, scheduler=nina), nina, make_other_nurse())
        yield SharedFortnight(episodes, protocol_version)


def build_fortnight(ward: Ward, nurse, other_nurse) -> dict[str, Episode]:
    """Nine procedures in the period (five completed, three cancelled, one never closed) and one moved out of it.

    Protocol (tests.factories.small_protocol_version), due times for a 10:00 start:
      Arrange a driver  critical   day -7 at 09:00   (week before)
      Last solid food              start - 8 h = 02:00 (night before)
      Consent signed    critical   start - 1 h = 09:00 (day of)
      Lie flat                     start + 1 h = 11:00 (after)
    Nina is `nurse`, Olga is `other_nurse`.
    """
    nina, olga = nurse, other_nurse

    # 1. Tue 3 June 10:00. Ready: both critical tasks closed before the start. Lie flat is late.
    e1 = ward.book(june(3, 10))
    ward.done(e1, DRIVER, by=nina, at=may(26, 12))
    ward.done(e1, FOOD, by=nina, at=june(2, 20))
    ward.done(e1, CONSENT, by=olga, at=june(3, 8, 30))
    ward.done(e1, LIE_FLAT, by=olga, at=june(3, 12))  # due 11:00: late
    ward.complete(e1)

    # 2. Wed 4 June 10:00. Not ready: consent signed at 10:30, after the start.
    e2 = ward.book(june(4, 10))
    ward.not_applicable(e2, DRIVER, by=nina, at=june(1, 10))
    ward.done(e2, FOOD, by=nina, at=june(4, 7))  # due 02:00: late
    ward.done(e2, CONSENT, by=olga, at=june(4, 10, 30))  # due 09:00: late, and after the start
    ward.done(e2, LIE_FLAT, by=nina, at=june(4, 10, 45))
    ward.complete(e2)

    # 3. Thu 5 June 10:00. Not ready: the driver was never arranged; signed off with an override.
    e3 = ward.book(june(5, 10))
    ward.done(e3, FOOD, by=nina, at=june(4, 20))
    ward.sign_off_with_override(e3, at=june(5, 9))
    ward.done(e3, CONSENT, by=olga, at=june(5, 9, 15))  # due 09:00: late, but before the start
    ward.not_applicable(e3, LIE_FLAT, by=olga, at=june(5, 12))
    ward.complete(e3)

    # 4. Booked for Mon 9 June 10:00, moved on 6 June to Tue 10 June 14:00: judged on the final start and due times.
    e4 = ward.book(june(9, 10))
    e4 = ward.reschedule(e4, to=june(10, 14), on=june(6, 9))
    ward.done(e4, DRIVER, by=nina, at=june(2, 12))  # late for the first due time (2 June 09:00), on time for 3 June
    ward.done(e4, FOOD, by=nina, at=june(10, 5))  # due 06:00
    ward.done(e4, CONSENT, by=olga, at=june(10, 11))  # after the first start, before the final one
    ward.done(e4, LIE_FLAT, by=olga, at=june(10, 14, 30))  # due 15:00
    ward.complete(e4)

    # 5. Booked for Wed 11 June, moved to Tue 17 June: outside the period, whatever happened to it.
    e5 = ward.book(june(11, 10))
    e5 = ward.reschedule(e5, to=june(17, 10), on=june(9, 9))
    ward.done(e5, CONSENT, by=olga, at=june(17, 8))
    ward.complete(e5)

    # 6-8. Cancelled; a task ticked before cancelling counts for no one.
    e6 = ward.book(june(12, 10))
    ward.done(e6, DRIVER, by=nina, at=june(4, 10))
    ward.cancel(e6, "Patient had a chest infection")
    e7 = ward.book(june(13, 9))
    ward.cancel(e7, "Patient had a chest infection")
    e8 = ward.book(june(14, 11))
    ward.cancel(e8, "Anticoagulant not stopped")

    # 9. Fri 13 June 14:00, never marked completed: still scheduled, its tasks left out.
    e9 = ward.book(june(13, 14))
    ward.done(e9, DRIVER, by=olga, at=june(5, 10))

    # 10. Sun 15 June 23:30 local — Monday 03:30 UTC — in the period and in the week of 9 June. All on time.
    e10 = ward.book(june(15, 23, 30))
    ward.done(e10, DRIVER, by=nina, at=june(7, 12))  # due 8 June 09:00
    for title in (FOOD, CONSENT, LIE_FLAT):
        ward.done(e10, title, by=nina, at=june(15, 12))
    ward.complete(e10)

    return {f"e{number}": episode for number, episode in enumerate([e1, e2, e3, e4, e5, e6, e7, e8, e9, e10], 1)}


class _TableReader(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("th", "td") and self._cell is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(response) -> dict[str, list[list[str]]]:
    """Every table on the page, by its id, as rows of cell text (the header row first)."""
    reader = _TableReader()
    reader.feed(response.content.decode())
    return reader.tables


def table_rows(response, slug: str) -> list[dict[str, str]]:
    """One table of the page as a list of {column heading: cell text}."""
    header, *rows = page_tables(response)[f"{slug}-table"]
    return [dict(zip(header, row, strict=True)) for row in rows]
