"""Demo data for trying the app: four logins and ~30 patients at every stage of the checklist."""

import datetime as dt
import random

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from checklists import hospital_time
from checklists.models import ChecklistTask, Episode, Patient, Phase, Protocol, Responsible
from checklists.services.contacts import contact_attempt_record
from checklists.services.episodes import episode_cancel, episode_schedule
from checklists.services.patients import patient_create
from checklists.services.tasks import task_mark_done, task_mark_not_applicable
from checklists.timeline_demo import record_demo_procedure, seed_timeline_examples

DEMO_USERS = [
    # username, password, role, first name, last name
    ("admin", "kypho-admin", Role.ADMIN, "Alex", "Admin"),
    ("nurse", "kypho-nurse", Role.NURSE, "Nora", "Nightingale"),
    ("nurse2", "kypho-nurse2", Role.NURSE, "Sam", "Okafor"),
    ("patient", "kypho-patient", Role.PATIENT, "Maria", "Lopez"),
]

FIRST_NAMES = [
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "John",
    "Barbara",
    "Michael",
    "Elizabeth",
    "William",
    "Susan",
    "David",
    "Jessica",
    "Richard",
    "Karen",
    "Joseph",
    "Nancy",
    "Thomas",
    "Betty",
    "Carlos",
    "Rosa",
    "Daniel",
    "Dorothy",
    "Paul",
    "Helen",
    "Mark",
    "Sandra",
    "George",
    "Donna",
    "Kenneth",
    "Carol",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
]
LEVELS = ["T12", "L1", "L2", "T11", "T12, L1", "L3", "T8", "L1, L2", "T10", "L4"]
CLINICIANS = ["Dr. Patel", "Dr. Nguyen", "Dr. Okonkwo"]
PATIENT_COUNT = 30
PORTAL_PATIENT_MRN = "DEMO-015"  # procedure five days ahead


class Command(BaseCommand):
    help = "Create the demo logins and ~30 demo patients with episodes (safe to run again)."

    def handle(self, *args, **options):
        started = timezone.now()
        call_command("load_protocols", stdout=self.stdout)
        users = {username: self._ensure_user(username, *rest) for username, *rest in DEMO_USERS}
        if Patient.objects.filter(mrn__startswith="DEMO-").exists():
            self.stdout.write("Demo patients already exist; left as they are.")
        else:
            self._create_patients(users)
        seed_timeline_examples(by=users["nurse"], stdout=self.stdout)
        # The medicines app's demo plans: called by name, since checklists never imports the apps above it.
        call_command("seed_demo_medicines", stdout=self.stdout)
        # The check-ins app's demo (alerts on the nurses' queue); a command, so checklists imports nothing above it.
        call_command("seed_checkins_demo", stdout=self.stdout)
        # The outbox's: no flood of ~35 confirmations at the first `make run` (only the demo patient's goes).
        call_command("seed_demo_messages", since=started.isoformat(), stdout=self.stdout)
        self.stdout.write("\nDemo logins (username / password):")
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:8} / {password:14} ({role.label})")

    def _ensure_user(self, username, password, role, first_name, last_name) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
            },
        )
        if created:
            user.set_password(password)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
        return user

    @transaction.atomic
    def _create_patients(self, users: dict[str, User]) -> None:
        rng = random.Random(2026)
        version = Protocol.objects.get(slug="kyphoplasty").current_version()
        nurses = [users["nurse"], users["nurse2"]]
        now = timezone.now()
        today = hospital_time.today()
        for index in range(PATIENT_COUNT):
            mrn = f"DEMO-{index + 1:03d}"
            is_portal_patient = mrn == PORTAL_PATIENT_MRN
            patient = Patient.objects.create(
                mrn=mrn,
                first_name="Maria" if is_portal_patient else FIRST_NAMES[index],
                last_name="Lopez" if is_portal_patient else LAST_NAMES[index],
                date_of_birth=dt.date(1940 + rng.randrange(30), rng.randrange(1, 13), rng.randrange(1, 28)),
                email=f"patient{index + 1}@example.org",
                phone=f"+120255501{index:02d}",
                preferred_language="es" if index % 5 == 4 else "en",
                user=users["patient"] if is_portal_patient else None,
            )
            # Spread procedures from 10 days ago to 21 days ahead, any day of the week, starting 08:00 to 13:30.
            day = today + dt.timedelta(days=-10 + round(index * 31 / (PATIENT_COUNT - 1)))
            start = hospital_time.local_moment(day, dt.time(8 + index % 6, 30 * (index % 2)))
            episode = episode_schedule(
                patient=patient,
                protocol_version=version,
                scheduled_start=start,
                vertebral_levels=rng.choice(LEVELS),
                clinician=rng.choice(CLINICIANS),
                nurse=nurses[index % 2] if index % 7 else None,
                by=users["nurse"],
            )
            # Every fifth upcoming procedure has its hard stops of the days before done early.
            # Maria's own tasks stay open, for her to report in the portal ("I've done this").
            self._tick_tasks(
                episode,
                rng,
                nurses,
                now,
                all_critical_done=start > now and index % 5 == 2,
                patient_tasks_open=is_portal_patient,
            )
            if start < now:
                if index == 3:
                    episode_cancel(episode=episode, by=users["nurse"], reason="Patient had a chest infection")
                else:
                    record_demo_procedure(episode, by=users["nurse"], now=now)
        every_state = self._create_every_state(users, version, now)
        self.stdout.write(f"Created {PATIENT_COUNT + every_state} demo patients with episodes.")

    def _create_every_state(self, users: dict[str, User], version, now: dt.datetime) -> int:
        """One upcoming procedure in each readiness state, timed from now so any hour of the day shows them
        all, and one scheduled too late for the protocol (expedited); one patient with no phone or email;
        calls logged on the blocked one."""
        nurse, nurse2 = users["nurse"], users["nurse2"]
        soon = (now + dt.timedelta(minutes=15)).replace(second=0, microsecond=0)
        soon -= dt.timedelta(minutes=soon.minute % 15)
        cases = [
            # (first, last, start, contact details?, interpreter?) — what makes each state is below.
            ("Edith", "Blocked", soon + dt.timedelta(days=3), True, False),
            # Three days ahead, what was due is done: the checks due two days before (17:00) are open, within 48 h.
            ("Frank", "Atrisk", soon + dt.timedelta(days=3), True, True),
            ("Grace", "Ontrack", soon + dt.timedelta(days=12), False, False),
            ("Hugo", "Ready", soon + dt.timedelta(minutes=30), True, False),
            # Scheduled today for two days ahead, through the confirm step's path: the tasks the
            # protocol wanted done already are due as soon as possible, labelled expedited.
            ("Ines", "Expedited", soon + dt.timedelta(days=2), True, False),
        ]
        for number, (first, last, start, reachable, interpreter) in enumerate(cases, start=PATIENT_COUNT + 1):
            patient = patient_create(
                by=nurse,
                # Not "DEMO-": the medicines demo gives plans (and open decisions) to the first DEMO- procedures.
                mrn=f"STATE-{number:03d}",
                first_name=first,
                last_name=last,
                date_of_birth=dt.date(1945 + number % 20, 1 + number % 12, 10),
                email=f"patient{number}@example.org" if reachable else "",
                phone=f"+1202555{number:04d}" if reachable else "",
                preferred_language="es" if interpreter else "en",
                interpreter_needed=interpreter,
                allergies="None known" if reachable else "",
            )
            episode = episode_schedule(
                patient=patient,
                protocol_version=version,
                scheduled_start=start,
                vertebral_levels="L1",
                clinician=CLINICIANS[number % 3],
                nurse=nurse if number % 2 else nurse2,
                by=nurse,
                expedite_late=last == "Expedited",
            )
            if last == "Expedited":
                continue
            if last == "Blocked":
                # Nothing done, the driver and the medicines review overdue; two calls that did not get through.
                for minutes, outcome in ((26 * 60, "no_answer"), (3 * 60, "left_message")):
                    contact_attempt_record(
                        episode=episode,
                        by=nurse,
                        outcome=outcome,
                        note="Mobile number",
                        made_at=now - dt.timedelta(minutes=minutes),
                    )
                continue
            # Every task already due is done, each when it was due (a little before): "Ready" with overdue
            # steps would puzzle a nurse. The Ready case's day-of checks too, minutes before its start; no task
            # is done days early.
            for task in episode.tasks.order_by("due_at"):
                if task.due_at <= now or (last == "Ready" and task.is_critical):
                    done_at = min(task.due_at - dt.timedelta(minutes=20), now)
                    task_mark_done(task=task, by=nurse, expected_version=task.version, done_at=done_at)
        return len(cases)

    def _tick_tasks(
        self,
        episode: Episode,
        rng: random.Random,
        nurses: list[User],
        now: dt.datetime,
        *,
        all_critical_done: bool,
        patient_tasks_open: bool,
    ) -> None:
        """A realistic mix: most past-due tasks done, a few (never a critical one) not applicable, some left overdue."""
        for task in episode.tasks.all():
            roll = rng.random()
            nurse = rng.choice(nurses)
            if patient_tasks_open and task.responsible == Responsible.PATIENT:
                continue
            # Only the preparations of the days before can be done ahead of time: never the day-of
            # checks (consent, time-out) nor the after care, which happen on the day.
            done_early = task.phase in (Phase.WEEK_BEFORE, Phase.NIGHT_BEFORE)
            if all_critical_done and task.is_critical and done_early and task.due_at >= now:
                task_mark_done(task=task, by=nurse, expected_version=task.version)
            elif task.due_at < now:
                if roll < 0.8:
                    task_mark_done(
                        task=task, by=nurse, expected_version=task.version, done_at=self._done_at(task, rng, now)
                    )
                # Setting a hard stop aside is a clinical decision the demo does not make at random.
                elif roll < 0.88 and not task.is_critical:
                    task_mark_not_applicable(
                        task=task, by=nurse, expected_version=task.version, reason="Not needed for this patient"
                    )
            elif roll < 0.2 and done_early and task.status == ChecklistTask.Status.PENDING:
                task_mark_done(task=task, by=nurse, expected_version=task.version)

    @staticmethod
    def _done_at(task: ChecklistTask, rng: random.Random, now: dt.datetime) -> dt.datetime:
        """When a past task was really done: mostly before it was due (up to two days for the preparations,
        minutes for the day's checks and the after care), one in seven late."""
        if rng.random() < 1 / 7:
            return min(task.due_at + dt.timedelta(minutes=rng.randrange(10, 240)), now)
        early = 48 * 60 if task.phase in (Phase.WEEK_BEFORE, Phase.NIGHT_BEFORE) else 30
        return task.due_at - dt.timedelta(minutes=rng.randrange(5, early))
