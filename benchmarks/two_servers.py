"""Two app servers, one database, one Redis: nothing a request leaves behind stays in one process.

    .venv/bin/python benchmarks/two_servers.py

Starts two gunicorn servers (ports 8101 and 8102) and a Celery worker on a fresh PostgreSQL database
(kypho_bench_two) and a Redis database of their own, as two machines behind a proxy would run, then checks with a
browser-like client (one cookie jar for both, as behind the proxy) that:
1. failed log-ins counted on either server add up, and the lock-out holds on both;
2. a session opened on one server is valid on the other;
3. a PDF asked for on one server (202 while the Celery worker renders it) is served from the shared cache
   by the other.
Exits non-zero when any of them fails.
"""

import datetime as dt
import http.cookiejar
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stack import celery_worker, gunicorn, production_environment, set_up_django

DATABASE = "kypho_bench_two"
PORTS = (8101, 8102)
PASSWORD = "correct-horse-battery-9"


class Browser:
    """One cookie jar across both servers, like a browser talking to one host behind a proxy."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()]
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, url: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def log_in(self, server: str, username: str, password: str) -> int:
        self.request(f"{server}/accounts/login/")
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        return self.request(f"{server}/accounts/login/", form)[0]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    environment = production_environment(DATABASE)
    set_up_django(environment)
    people = create_people()
    from django.conf import settings

    limit = settings.AXES_FAILURE_LIMIT
    checks = []
    with (
        celery_worker(environment),
        gunicorn(PORTS[0], environment, workers=1) as one,
        gunicorn(PORTS[1], environment, workers=1) as two,
    ):
        servers = [one, two]
        # 1. Failed log-ins alternate between the servers; the last one reaches the limit.
        browser = Browser()
        statuses = [browser.log_in(servers[attempt % 2], "lockout-nurse", "wrong") for attempt in range(limit)]
        locked = [Browser().log_in(server, "lockout-nurse", PASSWORD) for server in servers]
        checks.append(
            (
                f"{limit} failed log-ins alternating between the servers lock the account out on both",
                locked == [429, 429],
                f"failed attempts answered {statuses}; then the right password answered {locked}",
            )
        )
        # 2. A session opened on one server, used on the other.
        browser = Browser()
        logged_in = browser.log_in(one, "session-nurse", PASSWORD)
        worklist = browser.request(f"{two}/episodes/")[0]
        checks.append(
            (
                "a session opened on server 1 is valid on server 2",
                (logged_in, worklist) == (302, 200),
                f"log-in on 1 answered {logged_in}, the worklist on 2 answered {worklist}",
            )
        )
        # 3. The PDF, asked for on one server (rendered by the worker meanwhile), fetched from the other.
        browser = Browser()
        browser.log_in(one, "patient@example.org", PASSWORD)
        url = f"/my/episodes/{people['episode'].pk}/checklist.pdf"
        first, first_ms, asked = fetch_pdf_like_a_browser(browser, one + url)
        second, second_ms = timed(browser, two + url)
        checks.append(
            (
                "a PDF asked for on server 1 (rendered by the worker) comes from the shared cache on server 2",
                first[0] == second[0] == 200 and first[1] == second[1] and second_ms < first_ms / 3,
                f"server 1: {first[0]} after {asked} requests, {first_ms:.0f} ms; "
                f"server 2: {second[0]} in {second_ms:.0f} ms, same bytes",
            )
        )
    for label, passed, detail in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {label}\n      {detail}")
    if not all(passed for _, passed, _ in checks):
        raise SystemExit(1)


def create_people() -> dict:
    from django.utils import timezone

    from accounts.models import Role, User
    from checklists.models import Patient, Protocol
    from checklists.services.episodes import episode_schedule

    def user(username: str, role: str) -> User:
        return User.objects.create_user(username=username, password=PASSWORD, role=role)

    user("lockout-nurse", Role.NURSE)
    nurse = user("session-nurse", Role.NURSE)
    patient = Patient.objects.create(
        mrn="TWO-1",
        first_name="Test",
        last_name="Patient",
        date_of_birth=dt.date(1950, 1, 1),
        user=user("patient@example.org", Role.PATIENT),
    )
    episode = episode_schedule(
        patient=patient,
        protocol_version=Protocol.objects.get(slug="kyphoplasty").current_version(),
        scheduled_start=timezone.now() + dt.timedelta(days=5),
        nurse=nurse,
        by=nurse,
        vertebral_levels="L1",
        clinician="Dr. Test",
    )
    return {"episode": episode}


def fetch_pdf_like_a_browser(browser: Browser, url: str) -> tuple[tuple[int, bytes], float, int]:
    """Ask again every second while the answer is 202 ("being prepared"), at most 30 times."""
    started, asked = time.perf_counter(), 1
    answer = browser.request(url)
    while answer[0] == 202 and asked < 30:
        time.sleep(1)
        answer, asked = browser.request(url), asked + 1
    return answer, (time.perf_counter() - started) * 1000, asked


def timed(browser: Browser, url: str) -> tuple[tuple[int, bytes], float]:
    started = time.perf_counter()
    answer = browser.request(url)
    return answer, (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
