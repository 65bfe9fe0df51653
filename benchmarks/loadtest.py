"""A bounded load test of the whole ward against the production stack on this machine.

    .venv/bin/python benchmarks/loadtest.py                      # 120 s, the ward's mix
    .venv/bin/python benchmarks/loadtest.py --restart-postgres-at 60
    .venv/bin/python benchmarks/loadtest.py --pdf-storm          # the worklist while patients loop on PDFs

gunicorn (2 workers, DEBUG off) on 127.0.0.1:8201 over a fresh PostgreSQL database
(kypho_bench_load), the Redis cache, and a Celery worker (Redis broker) sending the messages and rendering the PDFs.
Virtual users are threads with their own sessions (made as a log-in makes them, without hashing a
password, which would dominate the run):
50 nurses (worklist, an episode's checklist, then often a tick, 5–15 s apart), 200 patients (their
checklist, warning signs, sometimes the PDF or the calendar, 20–40 s apart; a PDF not yet rendered answers
202 and the patient's browser asks again 3 s later, as the page's refresh does) and 2 admins (the
report, 30–60 s apart). Prints p50/p95/p99 per page, throughput and errors (the "answers" column
counts 202s apart from 200s), then checks in the database that every accepted tick is in the history
and that each task's version equals its number of history records (no change lost or written twice).

--restart-postgres-at S restarts the PostgreSQL server S seconds into the run (it serves other
databases too: run it once, deliberately) and reports which requests failed, and when.
--pdf-storm measures what patients fetching PDFs in a loop cost the nurses: 5 nurses read the
worklist every 0.5–1.5 s, first alone, then with 4 patients fetching their PDF in a loop with no
pause (the production settings: PDF cache, rendered by the Celery worker while the view answers 202,
and RATE_LIMIT_PDF, which 202s do not use up), then the same with the rate limit
lifted (the cache alone), on one data set, one run after the other, each from an empty cache (the
first fetches render): compare the worklist's p95 within one invocation, as the machine's load
moves between invocations.
--server-log FILE keeps gunicorn's and Django's log in FILE: tracebacks of any 500, and a line per
request with its time in the server (`duration_ms`), which tells queueing from slow pages.
"""

import argparse
import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.stack import celery_worker, gunicorn, production_environment, set_up_django

DATABASE = "kypho_bench_load"
PORT = 8201
NURSES, PATIENTS, ADMINS = 50, 200, 2
BACKGROUND_EPISODES = 1_000  # earlier and later procedures, for the report and the worklist's pages
SEED = 16
PENDING_TASK = re.compile(r'action="/tasks/(\d+)/mark-done/".*?name="version" value="(\d+)"', re.DOTALL)
NURSE_PAGES = ("worklist", "episode", "tick")
PDF_REFRESH_SECONDS = 3  # the "your PDF is being prepared" page's <meta http-equiv="refresh"> (portal/views.py)
# --pdf-storm: (label, patients fetching their PDF in a loop, RATE_LIMIT_PDF or None for the setting's default)
STORM_RUNS = (
    ("5 nurses on the worklist, no PDF clients", 0, None),
    ("the same with 4 patients looping on their PDF (PDF cache, rate limit as in production)", 4, None),
    ("the same with the PDF rate limit lifted (the cache alone)", 4, "100000/m"),
)


@dataclass
class Sample:
    page: str
    status: int  # 0: no HTTP answer (connection refused or reset)
    seconds: float
    started: float


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    accepted_ticks: list[tuple[int, int]] = field(default_factory=list)  # (task, version it was drawn from)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class VirtualUser:
    """One person's browser: their session cookie, a CSRF cookie once a page set it, and their timings."""

    def __init__(self, server: str, session_key: str, results: Results, deadline: float, rng: random.Random):
        self.server, self.results, self.deadline, self.rng = server, results, deadline, rng
        self.cookies = CookieJar()
        self.cookies.set_cookie(_cookie("sessionid", session_key))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects())

    def request(self, page: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        status, text = 0, ""
        try:
            with self.opener.open(self.server + path, body, timeout=60) as response:
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            pass
        self.results.add(Sample(page, status, time.monotonic() - started, started))
        return status, text

    def think(self, low: float, high: float) -> bool:
        """Pause like a person; False once the run is over."""
        pause = self.rng.uniform(low, high)
        if time.monotonic() + pause >= self.deadline:
            return False
        time.sleep(pause)
        return True

    def csrf_token(self) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == "csrftoken"), "")


def nurse(user: VirtualUser, episodes: list[int]) -> None:
    while user.think(5, 15):
        user.request("worklist", "/episodes/")
        if not user.think(2, 5):
            return
        status, page = user.request("episode", f"/episodes/{user.rng.choice(episodes)}/")
        pending = PENDING_TASK.findall(page)
        if status != 200 or not pending or user.rng.random() < 0.3 or not user.think(2, 5):
            continue
        task, version = user.rng.choice(pending)
        form = {"version": version, "note": "", "csrfmiddlewaretoken": user.csrf_token()}
        status, _ = user.request("tick", f"/tasks/{task}/mark-done/", form)
        if status == 302:  # accepted; a 409 is a refused stale version, which the nurse reloads
            with user.results.lock:
                user.results.accepted_ticks.append((int(task), int(version)))


def patient(user: VirtualUser, episode: int) -> None:
    while user.think(20, 40):
        user.request("patient checklist", "/my/")
        draw = user.rng.random()
        if draw < 0.3:
            user.request("patient warning signs", "/my/warning-signs/")
        elif draw < 0.4:
            fetch_pdf_like_a_browser(user, episode)
        elif draw < 0.5:
            user.request("patient calendar", f"/my/episodes/{episode}/calendar.ics")


def admin(user: VirtualUser) -> None:
    while user.think(30, 60):
        user.request("admin report", "/reports/")


def fetch_pdf_like_a_browser(user: VirtualUser, episode: int) -> None:
    """A PDF not yet rendered answers 202 with a page that refreshes itself: wait, ask again, until the PDF."""
    while user.request("patient PDF", f"/my/episodes/{episode}/checklist.pdf")[0] == 202:
        if not user.think(PDF_REFRESH_SECONDS, PDF_REFRESH_SECONDS):
            return


def pdf_looper(user: VirtualUser, episode: int) -> None:
    """A script, not a browser: asks again at once, whatever the answer (202 "being prepared", 200, 429)."""
    while time.monotonic() < user.deadline:
        user.request("patient PDF", f"/my/episodes/{episode}/checklist.pdf")


def worklist_reader(user: VirtualUser) -> None:
    while user.think(0.5, 1.5):
        user.request("worklist", "/episodes/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--restart-postgres-at", type=float, metavar="S")
    parser.add_argument("--pdf-storm", action="store_true")
    parser.add_argument("--server-log", type=Path, metavar="FILE")
    arguments = parser.parse_args()
    environment = production_environment(DATABASE)
    set_up_django(environment)
    ward = create_ward()
    log = subprocess.DEVNULL
    if arguments.server_log:  # with a line per request too: its time in the server, apart from the queue
        log, environment = arguments.server_log.open("a"), {**environment, "LOG_LEVEL": "INFO"}
    if arguments.pdf_storm:
        from django.core.cache import cache

        for label, pdf_clients, limit in STORM_RUNS:
            cache.clear()  # each run starts alike: no PDF rendered yet, no rate-limit counts
            server_environment = {**environment, **({"RATE_LIMIT_PDF": limit} if limit else {})}
            load_before = os.getloadavg()[0]
            results = run(server_environment, ward, arguments.seconds, storm_pdf_clients=pdf_clients, log=log)
            print(f"\n{label}, {arguments.seconds} s (load average {load_before:.1f} → {os.getloadavg()[0]:.1f})")
            print_table(results, arguments.seconds)
        return
    restart = {}
    results = run(
        environment, ward, arguments.seconds, restart_at=arguments.restart_postgres_at, restart=restart, log=log
    )
    print(f"\nThe ward, {arguments.seconds} s: {NURSES} nurses, {PATIENTS} patients, {ADMINS} admins")
    print_table(results, arguments.seconds)
    if restart:
        print_restart(results, restart)
    check_nothing_lost(results, ward["episodes"])


def create_ward() -> dict:
    """Nurses, patients each with a procedure in the next two weeks, admins, and a background of others."""
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Role, User
    from benchmarks import dataset
    from checklists.hospital_time import local_moment, today
    from checklists.models import Patient, Protocol
    from checklists.services.episodes import episode_schedule
    from reports.services import rebuild_figures

    rng = random.Random(SEED)
    now = timezone.now()
    version = Protocol.objects.get(slug="kyphoplasty").current_version()

    def users(prefix: str, count: int, role: str) -> list[User]:
        return User.objects.bulk_create(User(username=f"{prefix}{n}", role=role) for n in range(count))

    nurses = users("load-nurse-", NURSES, Role.NURSE)
    background = dataset.create_patients(rng, count=BACKGROUND_EPISODES)
    dataset.create_tasks(
        rng, dataset.create_episodes(rng, background, nurses, version, now), nurses, list(version.tasks.all()), now
    )
    episodes = []
    logins = users("load-patient-", PATIENTS, Role.PATIENT)
    for number, login in enumerate(logins):
        record = Patient.objects.create(
            mrn=f"LOAD-{number:04d}",
            first_name="Load",
            last_name="Patient",
            date_of_birth=dt.date(1950, 1, 1),
            user=login,
        )
        start = local_moment(today(now) + dt.timedelta(days=1 + number % 13), dt.time(8)) + dt.timedelta(
            minutes=30 * rng.randrange(16)
        )
        episode = episode_schedule(
            patient=record,
            protocol_version=version,
            scheduled_start=start,
            vertebral_levels="L1",
            clinician="Dr. Load",
            nurse=rng.choice(nurses),
            by=nurses[0],
        )
        episodes.append(episode.pk)
    admins = users("load-admin-", ADMINS, Role.ADMIN)
    rebuild_figures()

    def session(user: User) -> str:
        """A session as the log-in makes it (with its signals), without hashing a password."""
        browser = Client()
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return browser.cookies["sessionid"].value

    return {
        "episodes": episodes,
        "nurses": [session(user) for user in nurses],
        "patients": [(session(user), episode) for user, episode in zip(logins, episodes, strict=True)],
        "admins": [session(user) for user in admins],
    }


def run(environment, ward, seconds, *, storm_pdf_clients=None, restart_at=None, restart=None, log=None) -> Results:
    results = Results()
    log = log or subprocess.DEVNULL
    with celery_worker(environment, log=log), gunicorn(PORT, environment, workers=2, log=log) as server:
        deadline = time.monotonic() + seconds
        rng = random.Random(SEED)
        people = []
        if storm_pdf_clients is not None:
            people += [(pdf_looper, key, (episode,)) for key, episode in ward["patients"][:storm_pdf_clients]]
            people += [(worklist_reader, key, ()) for key in ward["nurses"][:5]]
        else:
            people += [(nurse, key, (ward["episodes"],)) for key in ward["nurses"]]
            people += [(patient, key, (episode,)) for key, episode in ward["patients"]]
            people += [(admin, key, ()) for key in ward["admins"]]
        threads = []
        for behaviour, key, extra in people:
            user = VirtualUser(server, key, results, deadline, random.Random(rng.random()))
            threads.append(threading.Thread(target=behaviour, args=(user, *extra), daemon=True))
        for thread in threads:
            thread.start()
        if restart_at is not None:
            time.sleep(restart_at)
            restart["started"] = time.monotonic()
            subprocess.run(
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart", shell=True, check=True
            )
            restart["ended"] = time.monotonic()
        for thread in threads:
            thread.join()
    return results


def print_table(results: Results, seconds: int) -> None:
    by_page = defaultdict(list)
    for sample in results.samples:
        by_page[sample.page].append(sample)
    print(f"  {'page':<24} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  answers")
    for page, samples in sorted(by_page.items(), key=lambda item: (item[0] not in NURSE_PAGES, item[0])):
        times = sorted(sample.seconds * 1000 for sample in samples)
        p50, p95, p99 = (_percentile(times, q) for q in (50, 95, 99))
        statuses = [sample.status for sample in samples]
        answers = ", ".join(f"{statuses.count(code)}× {code or 'none'}" for code in sorted(set(statuses)))
        print(f"  {page:<24} {len(samples):8d} {p50:8.0f} {p95:8.0f} {p99:8.0f} {times[-1]:8.0f}  {answers}")
    began = min(sample.started for sample in results.samples)
    slowest = sorted(results.samples, key=lambda sample: -sample.seconds)[:5]
    print("  slowest: " + "; ".join(f"{s.page} {s.seconds:.1f} s at +{s.started - began:.0f} s" for s in slowest))
    conflicts = sum(1 for sample in results.samples if sample.page == "tick" and sample.status == 409)
    total = len(results.samples)
    errors = sum(1 for sample in results.samples if sample.status == 0 or sample.status >= 500)
    print(f"  throughput: {total / seconds:.1f} requests/s; errors (5xx or no answer): {errors}; ", end="")
    print(f"{len(results.accepted_ticks)} ticks accepted, {conflicts} refused as stale (409)")


def print_restart(results: Results, restart: dict) -> None:
    failed = [sample for sample in results.samples if sample.status == 0 or sample.status >= 500]
    began = restart["started"]
    took = restart["ended"] - began
    print(f"\nPostgreSQL restarted {began - results.samples[0].started:.0f} s into the run; it took {took:.1f} s.")
    print(f"  failed requests: {len(failed)} of {len(results.samples)}")
    for sample in failed:
        status = sample.status or "no answer"
        print(f"    {sample.page:<24} status {status}, sent {sample.started - began:+.2f} s", end="")
        print(f" from the restart, answered after {sample.seconds:.2f} s")
    after = [s for s in results.samples if s.started > restart["ended"] + 1]
    print(f"  requests sent from 1 s after the restart on: {len(after)}, failed: ", end="")
    print(sum(1 for s in after if s.status == 0 or s.status >= 500))


def check_nothing_lost(results: Results, episodes: list[int]) -> None:
    from django.db import close_old_connections, connection
    from django.db.models import Count

    from checklists.models import ChecklistTask

    close_old_connections()
    connection.close()
    history = ChecklistTask.history.model.objects
    missing = [
        (task, version)
        for task, version in results.accepted_ticks
        if not history.filter(id=task, version=version + 1, status=ChecklistTask.Status.DONE).exists()
    ]
    tasks = ChecklistTask.objects.filter(episode__in=episodes)
    records = dict(history.filter(episode_id__in=episodes).values_list("id").annotate(count=Count("history_id")))
    inconsistent = [pk for pk, version in tasks.values_list("pk", "version") if records.get(pk) != version]
    done = tasks.filter(status=ChecklistTask.Status.DONE, version__gt=1).count()
    print(f"\nAfter the run: {len(results.accepted_ticks)} accepted ticks, {len(missing)} missing from the history;")
    print(f"  {tasks.count():,} tasks of the ward's procedures, {done} ticked during the run, ", end="")
    print(f"{len(inconsistent)} whose version differs from their number of history records.")
    if missing or inconsistent or done != len(results.accepted_ticks):
        raise SystemExit(f"LOST OR DOUBLED CHANGES: missing {missing[:10]}, inconsistent {inconsistent[:10]}")


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


if __name__ == "__main__":
    main()
