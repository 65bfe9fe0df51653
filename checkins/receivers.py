"""Check-ins follow the episode (registered in CheckinsConfig.ready): baseline when scheduled, the rest when done;
and a new protocol draft starts with the check-in data of the version it copies."""

from checklists.events import (
    EpisodeCancelled,
    EpisodeCompleted,
    EpisodeRescheduled,
    EpisodeScheduled,
    ProtocolDraftCreated,
    receiver,
)

from .models import Anchor
from .services import checkin_protocol_copy, checkins_cancel, checkins_reschedule, checkins_schedule


@receiver(EpisodeScheduled)
def schedule_baseline(event: EpisodeScheduled) -> None:
    checkins_schedule(episode=event.episode, anchor=Anchor.BEFORE_START)


@receiver(EpisodeRescheduled)
def move_baseline(event: EpisodeRescheduled) -> None:
    checkins_reschedule(episode=event.episode)


@receiver(EpisodeCompleted)
def schedule_after_the_procedure(event: EpisodeCompleted) -> None:
    checkins_schedule(episode=event.episode, anchor=Anchor.AFTER_END)


@receiver(EpisodeCancelled)
def cancel_open_checkins(event: EpisodeCancelled) -> None:
    checkins_cancel(episode=event.episode)


@receiver(ProtocolDraftCreated)
def copy_checkin_data_onto_new_draft(event: ProtocolDraftCreated) -> None:
    checkin_protocol_copy(source=event.source, draft=event.draft)
