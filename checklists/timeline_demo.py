"""The timeline's demo data, called by `seed_demo`: how a procedure is recorded done in the room, and two
patients whose times are worth reading — an 08:00 case (a cut-off at midnight) and a 14:00 overnight
stay (fasting cut-offs on the morning of the day)."""

import datetime as dt

from django.db import transaction

from .hospital_time import local_moment, today
from .models import Admission, Language, Patient, Protocol, TimeOut
from .services.day_of import episode_record_done, episode_time_out_record
from .services.episodes import episode_schedule

# (MRN, first name, last name, language, clock time, admission): four days ahead, scheduled as a nurse
# would today: the steps the protocol wanted done already (a week or two before) are expedited.
TIMELINE_EXAMPLES = [
    ("DEMO-T08", "Grace", "Early", Language.ENGLISH, dt.time(8, 0), Admission.SAME_DAY),
    ("DEMO-T14", "Tomás", "Tarde", Language.SPANISH, dt.time(14, 0), Admission.OVERNIGHT),
]
DAYS_AHEAD = 4


def record_demo_procedure(episode, *, by, now: dt.datetime) -> None:
    """A past procedure as the room records it: the time-out five minutes before the start, done 50 minutes later."""
    episode_time_out_record(
        episode=episode,
        by=by,
        identity_confirmed=True,
        procedure_confirmed=True,
        vertebral_levels=episode.vertebral_levels,
        side=TimeOut.Side.MIDLINE,
        imaging_displayed=True,
        consent_matches=True,
        performed_at=min(episode.scheduled_start - dt.timedelta(minutes=5), now),
    )
    ended_at = min(episode.scheduled_start + dt.timedelta(minutes=50), now)
    episode_record_done(episode=episode, by=by, ended_at=ended_at, levels_treated=episode.vertebral_levels)


@transaction.atomic
def seed_timeline_examples(*, by, stdout) -> None:
    """The 08:00 and 14:00 patients, created once (running the seed again leaves them as they are)."""
    version = Protocol.objects.get(slug="kyphoplasty").current_version()
    day = today() + dt.timedelta(days=DAYS_AHEAD)
    for mrn, first_name, last_name, language, clock, admission in TIMELINE_EXAMPLES:
        patient, created = Patient.objects.get_or_create(
            mrn=mrn,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "date_of_birth": dt.date(1948, 5, 17),
                "preferred_language": language,
            },
        )
        if not created:
            continue
        episode_schedule(
            patient=patient,
            protocol_version=version,
            scheduled_start=local_moment(day, clock),
            vertebral_levels="L1",
            clinician="Dr. Patel",
            nurse=by,
            by=by,
            admission_type=admission,
            expedite_late=True,
        )
        stdout.write(f"Timeline example: {first_name} {last_name} ({mrn}), {day:%a %d %b} at {clock:%H:%M}.")
