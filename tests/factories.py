import datetime as dt
from contextlib import contextmanager

import factory
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from checklists.models import (
    Patient,
    Phase,
    Protocol,
    ProtocolVersion,
    Responsible,
    TaskTemplate,
    TimeOut,
    WarningSign,
)
from checklists.services.day_of import episode_record_done, episode_time_out_record
from checklists.services.episodes import episode_schedule


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = Role.NURSE
    password = factory.django.Password("secret-pass-123")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"MRN{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = dt.date(1950, 5, 17)
    email = factory.Faker("email")


class ProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Protocol
        django_get_or_create = ("slug",)

    slug = "kyphoplasty"
    name = "Kyphoplasty"


class ProtocolVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtocolVersion

    protocol = factory.SubFactory(ProtocolFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = ProtocolVersion.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate

    protocol_version = factory.SubFactory(ProtocolVersionFactory)
    phase = Phase.WEEK_BEFORE
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Task {n}")
    patient_instructions = "Do this."
    responsible = Responsible.NURSE
    due_offset_minutes = -60


def small_protocol_version(**version_fields) -> ProtocolVersion:
    """A published protocol with one task per phase and both kinds of due rule."""
    version = ProtocolVersionFactory(**version_fields)
    TaskTemplateFactory(
        protocol_version=version,
        phase=Phase.WEEK_BEFORE,
        position=1,
        title="Arrange a driver",
        responsible=Responsible.PATIENT,
        is_critical=True,
        due_offset_minutes=None,
        due_day_offset=-7,
        due_clock_time=dt.time(9, 0),
    )
    TaskTemplateFactory(
        protocol_version=version,
        phase=Phase.NIGHT_BEFORE,
        position=1,
        title="Last solid food",
        responsible=Responsible.PATIENT,
        due_offset_minutes=-8 * 60,
    )
    TaskTemplateFactory(
        protocol_version=version,
        phase=Phase.DAY_OF,
        position=1,
        title="Consent signed",
        responsible=Responsible.CLINICIAN,
        is_critical=True,
        due_offset_minutes=-60,
    )
    TaskTemplateFactory(
        protocol_version=version, phase=Phase.AFTER, position=1, title="Lie flat", due_offset_minutes=60
    )
    WarningSign.objects.create(protocol_version=version, severity=WarningSign.Severity.CALL, position=1, text="Fever")
    WarningSign.objects.create(
        protocol_version=version, severity=WarningSign.Severity.EMERGENCY, position=1, text="Sudden chest pain"
    )
    return version


@contextmanager
def built_once_for_the_scope(django_db_blocker):
    """Data a class or module of tests builds once and only reads, as Django's setUpTestData does: written in a
    transaction rolled back when the fixture's scope ends, while each test's own changes roll back after it (its
    `db` fixture is a savepoint inside). Use it in a class- or module-scoped fixture that takes `django_db_setup`."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def schedule_episode(*, by, start=None, patient=None, protocol_version=None, nurse=None, **fields):
    """Schedule an episode through the service, as the app does."""
    return episode_schedule(
        patient=patient or PatientFactory(),
        protocol_version=protocol_version or small_protocol_version(),
        scheduled_start=start or timezone.now() + dt.timedelta(days=3),
        vertebral_levels=fields.pop("vertebral_levels", "L1"),
        clinician=fields.pop("clinician", "Dr. Patel"),
        nurse=nurse,
        by=by,
        **fields,  # admission_type, side, expedite_late
    )


def record_time_out(episode, *, by, performed_at=None):
    """The time-out as a room records it when every check passes, on the planned levels."""
    return episode_time_out_record(
        episode=episode,
        by=by,
        identity_confirmed=True,
        procedure_confirmed=True,
        vertebral_levels=episode.vertebral_levels,
        side=TimeOut.Side.MIDLINE,
        imaging_displayed=True,
        consent_matches=True,
        performed_at=performed_at,
    )


def record_done(episode, *, by, ended_at=None, levels_treated=None):
    """Time-out, then "record procedure done", as the room does: the service refuses the second without the first."""
    at_start = min(episode.scheduled_start, timezone.now())
    record_time_out(episode, by=by, performed_at=at_start)
    # Ended "at the start" unless told otherwise: the after care keeps the due times it was scheduled with.
    return episode_record_done(episode=episode, by=by, ended_at=ended_at or at_start, levels_treated=levels_treated)
