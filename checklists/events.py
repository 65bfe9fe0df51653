"""What a clinical service announces, and the receivers other apps register for it.

The clinical services (`checklists.services`) must not import the apps that keep something in step
with them (report figures, the message outbox, check-ins), or every app would depend on every
other. Instead each service operation ends with one `announce(...)` of what changed, and the apps
above `checklists` register receivers for the kinds of event they care about, at start-up, in
their `AppConfig.ready()`.

Receivers run synchronously, **inside the service's transaction**: what they write commits or
rolls back with the clinical change (a receiver that raises rolls the change back). That is why
this is neither `transaction.on_commit` (figures would be written after the change, and lost if
the process died in between) nor Django signals sent from `save()` (hidden, fired by every save,
also by the ones that are not a clinical operation). Sending an email or rendering a PDF is not a
receiver's job: a receiver writes rows; workers act on them once they have committed.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from .models import ChecklistTask, Episode, Patient, ProtocolVersion


@dataclass(frozen=True)
class EpisodeScheduled:
    episode: Episode


@dataclass(frozen=True)
class EpisodeRescheduled:
    episode: Episode
    previous_start: dt.datetime


@dataclass(frozen=True)
class EpisodeDetailsChanged:
    """Levels, side, clinician, assigned nurse or arrival time corrected; `previous` holds the old values."""

    episode: Episode
    previous: dict


@dataclass(frozen=True)
class EpisodeCompleted:
    episode: Episode


@dataclass(frozen=True)
class EpisodeCancelled:
    episode: Episode


@dataclass(frozen=True)
class EpisodeSignedOff:
    episode: Episode


@dataclass(frozen=True)
class TaskChanged:
    """A task's status or report flag changed (done, not applicable, reopened, reported, report rejected)."""

    task: ChecklistTask


@dataclass(frozen=True)
class PatientInvited:
    """The patient was (again) invited to the portal: a login and an emailed link.

    The email as it is sent, its one-time link left out, so the delivery log can show it."""

    patient: Patient
    email_to: str = ""
    email_subject: str = ""
    email_body: str = ""


@dataclass(frozen=True)
class PatientDetailsChanged:
    """A nurse corrected the patient's record; `previous` holds the old values of the fields that changed."""

    patient: Patient
    previous: dict


@dataclass(frozen=True)
class ProtocolDraftCreated:
    """An admin started a new draft as a copy of `source` (None for a protocol's first version): the apps
    that keep protocol data of their own (the check-ins' schedule, questions and rules) copy theirs onto it."""

    draft: ProtocolVersion
    source: ProtocolVersion | None


Event = (
    EpisodeScheduled
    | EpisodeRescheduled
    | EpisodeDetailsChanged
    | EpisodeCompleted
    | EpisodeCancelled
    | EpisodeSignedOff
    | TaskChanged
    | PatientInvited
    | PatientDetailsChanged
    | ProtocolDraftCreated
)
Receiver = Callable[[Event], None]

_receivers: dict[type, list[Receiver]] = defaultdict(list)


def receiver(*event_types: type) -> Callable[[Receiver], Receiver]:
    """Register the decorated function for these kinds of event (call from an AppConfig.ready())."""

    def register(function: Receiver) -> Receiver:
        for event_type in event_types:
            if function not in _receivers[event_type]:
                _receivers[event_type].append(function)
        return function

    return register


def receivers_for(event_type: type) -> list[Receiver]:
    """The receivers registered for a kind of event, in registration order."""
    return list(_receivers[event_type])


def announce(event: Event) -> None:
    """Run every receiver of this kind of event, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Clinical events are announced inside the change's transaction.")
    for function in _receivers[type(event)]:
        function(event)
