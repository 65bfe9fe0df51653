"""Demo check-ins (called from seed_demo): an emergency and a call-today alert on the queue, and a pain history.

Safe to run again: nothing is added once a demo episode has an alert.
"""

import datetime as dt

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from checklists.models import Episode

from .links import checkin_link_path
from .models import Alert, Anchor, Checkin
from .services import checkin_answer, checkins_schedule, procedure_end

NORMAL = {
    "pain_compared": "better",
    "leg_weakness": "no",
    "bladder_bowel": "no",
    "chest_breathing": "no",
    "stroke_signs": "no",
    "fever": "no",
    "wound": "no",
    "headache_upright": "no",
    "rash_swelling": "no",
    "new_back_rib_pain": "no",
    "walking": "yes",
    "anything_else": "",
}
EMERGENCY = {
    **NORMAL,
    "pain_now": "6",
    "leg_weakness": "yes",
    "anything_else": "My left leg feels numb since last night.",
}
CALL_TODAY = {**NORMAL, "pain_now": "5", "wound": "yes", "fever": "yes"}
# A patient whose pain went down check-in after check-in: day 1, 3 and 7.
IMPROVING = [{**NORMAL, "pain_now": str(score)} for score in (6, 4, 3)]


def seed_checkins_demo(*, stdout) -> None:
    call_command("load_checkin_protocols", stdout=stdout)
    now = timezone.now()
    demo = Episode.objects.filter(patient__mrn__startswith="DEMO-")
    with transaction.atomic():
        # Procedures scheduled before check-ins existed get their baseline (the demo patient's is open now).
        for episode in demo.filter(status=Episode.Status.SCHEDULED, scheduled_start__gt=now):
            checkins_schedule(episode=episode, anchor=Anchor.BEFORE_START)
        if Alert.objects.filter(checkin__episode__in=demo).exists():
            stdout.write("Demo check-ins already exist; left as they are.")
        else:
            _answer_demo_checkins(demo, now=now)
    baseline = Checkin.objects.filter(episode__patient__user__username="patient").open_at(now).first()
    if baseline is not None:
        stdout.write(f"Check-in link for the demo patient (no password): {checkin_link_path(baseline)}")


def _answer_demo_checkins(demo, *, now: dt.datetime) -> None:
    """The two latest procedures done over a day ago raise the alerts; the one before them has a pain history."""
    done = demo.filter(status=Episode.Status.COMPLETED, scheduled_start__lte=now - dt.timedelta(days=8))
    latest = list(demo.filter(status=Episode.Status.COMPLETED, scheduled_start__lte=now - dt.timedelta(days=1)))
    latest.sort(key=lambda episode: episode.scheduled_start, reverse=True)
    for episode, answers in zip(latest[:2], (EMERGENCY, CALL_TODAY), strict=False):
        [day_1] = _after_checkins(episode)[:1]
        checkin_answer(
            checkin=day_1, answers=answers, via=Checkin.Via.LINK, now=min(day_1.opens_at + dt.timedelta(hours=2), now)
        )
    improving = done.order_by("-scheduled_start").first()
    if improving is not None:
        for checkin, answers in zip(_after_checkins(improving), IMPROVING, strict=False):
            checkin_answer(
                checkin=checkin, answers=answers, via=Checkin.Via.PORTAL, now=checkin.opens_at + dt.timedelta(hours=3)
            )


def _after_checkins(episode: Episode) -> list[Checkin]:
    """The episode's check-ins after the procedure, as if scheduled when it ended (the demo records them late)."""
    checkins_schedule(episode=episode, anchor=Anchor.AFTER_END, now=procedure_end(episode))
    return list(
        episode.checkins.filter(point__anchor=Anchor.AFTER_END, status=Checkin.Status.SCHEDULED).order_by("opens_at")
    )
