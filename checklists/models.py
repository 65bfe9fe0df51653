"""The domain: protocols (checklist templates) and per-patient episodes whose tasks nurses tick off.

Longer than ~400 lines on purpose: the models, their querysets (readiness, progress, after care, the
one `overdue` rule) and the abstract `TaskDefinition` they share read best together, and every app
above imports them from here; the writes live in services/, the reads in the selectors.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from accounts.models import Role

from .hospital_time import Phase, day_start, duration_text, local_day, local_moment, today
from .readiness_rules import registered_at_risk

# A due time is at most this many days from the procedure's start, either way.
MAX_OFFSET_DAYS = 60
# A patient is asked to arrive at most this long before the start (and never after it).
MAX_ARRIVAL_MINUTES_BEFORE = 6 * 60
# The largest `ChecklistTask.version` a form may post (PostgreSQL's integer).
MAX_TASK_VERSION = 2_147_483_647


class Responsible(models.TextChoices):
    NURSE = "nurse", "Nurse"
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"


class Readiness(models.TextChoices):
    """Whether an episode can go ahead, derived from its critical tasks (never stored)."""

    BLOCKED = "blocked", "Blocked"
    AT_RISK = "at_risk", "At risk"
    ON_TRACK = "on_track", "On track"
    READY_FOR_THE_DAY = "ready_for_day", "Ready for the day"
    READY = "ready", "Ready"
    DONE = "done", "Procedure done"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def upcoming_choices(cls) -> list[tuple[str, str]]:
        """The states of a procedure still to come, the worklist's."""
        return [(value, label) for value, label in cls.choices if value not in (cls.DONE, cls.CANCELLED)]


class Admission(models.TextChoices):
    """Whether the patient goes home the same day or stays a night: the after-care tasks differ."""

    SAME_DAY = "same_day", "Same day (home the same day)"
    OVERNIGHT = "overnight", "Overnight stay"


class PatientForm(models.TextChoices):
    """What the portal asks the patient for on a task, besides "I've done this"."""

    NONE = "", "Nothing"
    DRIVER = "driver", "The driver's name and phone"
    ANESTHESIA_HISTORY = "anesthesia_history", "Past problems with anesthesia"
    READ_INFORMATION = "read_information", "Read about the procedure before consenting"


class DueMeans(models.TextChoices):
    """What the due time means to the patient: a step to do by then, a period that lasts until then, or a
    step to take once the time has come (restart a blood thinner: never earlier)."""

    BY = "by", "By this time: a step to do before it"
    UNTIL = "until", "Until this time: a period to keep to (no driving, lie flat)"
    FROM = "from", "From this time: a step to take once the time has come (restart a medicine, start clear liquids)"


class Side(models.TextChoices):
    """The side of the approach to the vertebra, for the day-of huddle and the time-out."""

    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class Protocol(models.Model):
    """A named checklist template for one procedure; its content lives in numbered versions."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # When the patient is asked to arrive, before the start: each episode starts with this and may change it.
    arrival_minutes_before = models.PositiveSmallIntegerField(
        default=90, validators=[MaxValueValidator(MAX_ARRIVAL_MINUTES_BEFORE)]
    )

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "ProtocolVersion | None":
        """The published version that newly scheduled episodes use."""
        return self.versions.filter(status=ProtocolVersion.Status.PUBLISHED).order_by("-number").first()


class ProtocolVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProtocolVersion.Status.PUBLISHED)


class ProtocolVersion(models.Model):
    """One immutable-once-published edition of a protocol; episodes snapshot its tasks."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ProtocolVersionQuerySet.as_manager()
    # Who created, edited, published or discarded each draft (shown in the editor's history page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["protocol", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="protocol_version_number_unique"),
            models.UniqueConstraint(fields=["protocol"], condition=Q(status="draft"), name="protocol_single_draft"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="protocol_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.name} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        """Only drafts change; a published version is what episodes were built from."""
        return self.status == self.Status.DRAFT


class TaskDefinition(models.Model):
    """What a task says and when it is due: shared by the template and the per-episode snapshot."""

    # What the task says and who does it; the due rule is the three due_* fields.
    CONTENT_FIELDS = (
        "phase",
        "title",
        "title_es",
        "patient_instructions",
        "patient_instructions_es",
        "nurse_guidance",
        "responsible",
        "is_critical",
        "patient_title",
        "patient_title_es",
        "patient_form",
        "admission",
        "reminder_lead_minutes",
        "due_means",
    )
    DUE_RULE_FIELDS = ("due_offset_minutes", "due_day_offset", "due_clock_time")

    phase = models.CharField(max_length=16, choices=Phase.choices)
    position = models.PositiveSmallIntegerField(help_text="Order within the phase.")
    title = models.CharField(max_length=120)
    title_es = models.CharField("title (Spanish)", max_length=120, blank=True)
    patient_instructions = models.TextField(blank=True)
    patient_instructions_es = models.TextField("patient instructions (Spanish)", blank=True)
    nurse_guidance = models.TextField(blank=True)
    responsible = models.CharField(max_length=16, choices=Responsible.choices)
    is_critical = models.BooleanField(default=False, help_text="A hard stop: not ready without it.")
    # What the patient reads instead of the staff's title ("The team will check your blood tests").
    patient_title = models.CharField(
        max_length=160, blank=True, help_text="The title the patient sees, when the staff title does not suit them."
    )
    patient_title_es = models.CharField("patient title (Spanish)", max_length=160, blank=True)
    patient_form = models.CharField(max_length=24, choices=PatientForm.choices, blank=True, default="")
    admission = models.CharField(
        max_length=16,
        choices=Admission.choices,
        blank=True,
        default="",
        help_text="Only for this kind of admission; empty for every patient.",
    )
    # Read by the messages app (notifications): how long before a patient's own step her reminder goes.
    reminder_lead_minutes = models.PositiveIntegerField(
        "reminder lead time (minutes)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text="For the patient's own steps: remind her this long before it is due. "
        "Empty: the hospital's default (2 hours); 0: no reminder.",
    )
    # "Until": the task is a period that ends at its due time (no driving for 24 hours), not a
    # deadline: the patient reads "Until …", gets no "do this by" reminder, and it is never late.
    # "From": a step the patient may take only once its time has come (restart clopidogrel): she
    # reads "From …", is reminded at the time, cannot report it before, and it is never late.
    due_means = models.CharField(
        "the due time means",
        max_length=8,
        choices=DueMeans.choices,
        default=DueMeans.BY,
        help_text="Until: a period that lasts until the due time. From: a step to take once the due time has "
        "come. Either one cannot be critical and is never overdue.",
    )
    # The due rule is one of two kinds: minutes from the procedure start (T0 - 8 h), or a day
    # offset from the procedure's local date plus a local clock time (the day before at 23:59).
    due_offset_minutes = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-MAX_OFFSET_DAYS * 24 * 60), MaxValueValidator(MAX_OFFSET_DAYS * 24 * 60)],
    )
    due_day_offset = models.SmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(-MAX_OFFSET_DAYS), MaxValueValidator(MAX_OFFSET_DAYS)]
    )
    due_clock_time = models.TimeField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(due_offset_minutes__isnull=False, due_day_offset__isnull=True, due_clock_time__isnull=True)
                    | Q(due_offset_minutes__isnull=True, due_day_offset__isnull=False, due_clock_time__isnull=False)
                ),
                name="%(class)s_one_due_rule",
            ),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="%(class)s_phase_valid"),
            models.CheckConstraint(condition=Q(responsible__in=Responsible.values), name="%(class)s_responsible_valid"),
            models.CheckConstraint(
                condition=Q(admission__in=["", *Admission.values]), name="%(class)s_admission_valid"
            ),
            # Only a step done by a time can be critical: a period (until) or a step from a time never
            # blocks readiness.
            models.CheckConstraint(
                condition=Q(due_means__in=DueMeans.values) & (Q(due_means=DueMeans.BY) | Q(is_critical=False)),
                name="%(class)s_due_means_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def due_at_for(self, start: dt.datetime) -> dt.datetime:
        """The exact moment this task is due for a procedure starting at `start`."""
        if self.due_offset_minutes is not None:
            # In UTC: Python adds a timedelta to a zoned datetime as wall-clock time, which is an
            # hour off when the offset spans a daylight-saving change.
            return start.astimezone(dt.UTC) + dt.timedelta(minutes=self.due_offset_minutes)
        day = local_day(start) + dt.timedelta(days=self.due_day_offset)
        # Wall-clock time in the hospital, so "the day before at 23:59" stays 23:59 across DST.
        return local_moment(day, self.due_clock_time)

    def describe_due_rule(self) -> str:
        """The due rule in words: "8 h before the start", "the day before at 18:00"."""
        if self.due_offset_minutes is not None:
            if self.due_offset_minutes == 0:
                return "at the start"
            when = "before" if self.due_offset_minutes < 0 else "after"
            return f"{duration_text(self.due_offset_minutes)} {when} the start"
        days = self.due_day_offset
        day = {-1: "the day before", 0: "on the procedure day", 1: "the day after"}.get(days)
        if day is None:
            day = f"{abs(days)} days {'before' if days < 0 else 'after'}"
        return f"{day} at {self.due_clock_time:%H:%M}"

    @property
    def title_key(self) -> str:
        """The title ignoring case and spacing: two titles with the same key are the same task."""
        return " ".join(self.title.split()).casefold()

    @property
    def is_period(self) -> bool:
        """A period that lasts until the due time (no driving for 24 hours), not a step to do by it."""
        return self.due_means == DueMeans.UNTIL

    @property
    def due_label(self) -> str:
        """The staff's word before the due time: "Due", "Until" (a period) or "From" (a step from a time)."""
        return {DueMeans.UNTIL: "Until", DueMeans.FROM: "From"}.get(self.due_means, "Due")

    @property
    def starts_at_due_time(self) -> bool:
        """A step to take once the due time has come (restart a medicine), never earlier."""
        return self.due_means == DueMeans.FROM

    @property
    def waits_for_due_time(self) -> bool:
        """Whether the patient can tell us it is done only once the due time has passed (a period, a step from)."""
        return self.due_means in (DueMeans.UNTIL, DueMeans.FROM)

    def applies_to(self, admission: str) -> bool:
        """Whether this task is part of the plan for a patient with this kind of admission."""
        return self.admission in ("", admission)

    def definition_fields(self) -> dict:
        """The content fields, to copy a definition into a new template or task."""
        return {field.name: getattr(self, field.name) for field in TaskDefinition._meta.get_fields()}


class TaskDefinitionQuerySet(models.QuerySet):
    def in_timeline_order(self):
        """Phases in the order they happen, then each task's position within its phase."""
        return self.alias(phase_rank=Phase.timeline_rank()).order_by("phase_rank", "position", "pk")


class TaskTemplate(TaskDefinition):
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="tasks")

    objects = TaskDefinitionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta(TaskDefinition.Meta):
        ordering = ["protocol_version", "phase", "position"]
        constraints = [
            *TaskDefinition.Meta.constraints,
            models.UniqueConstraint(
                fields=["protocol_version", "phase", "title"], name="task_template_title_unique_in_phase"
            ),
        ]


class WarningSign(models.Model):
    """A symptom the patient must act on after the procedure, stored with the protocol version."""

    class Severity(models.TextChoices):
        CALL = "call", "Call the care team"
        EMERGENCY = "emergency", "Emergency: get care now"

    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="warning_signs")
    severity = models.CharField(max_length=16, choices=Severity.choices)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    text_es = models.CharField("text (Spanish)", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["protocol_version", "severity", "position"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_emergency(self) -> bool:
        return self.severity == WarningSign.Severity.EMERGENCY


class PatientPage(models.Model):
    """A page the patient reads before consenting (what happens, the risks, the right to say no), per version."""

    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.CASCADE, related_name="patient_pages")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    title_es = models.CharField("title (Spanish)", max_length=120, blank=True)
    # Paragraphs separated by a blank line; plain text, no markup.
    body = models.TextField()
    body_es = models.TextField("body (Spanish)", blank=True)

    class Meta:
        ordering = ["protocol_version", "position"]

    def __str__(self) -> str:
        return self.title


class ClinicalQuerySet(models.QuerySet):
    """Records that belong to a patient: every clinical read starts with `visible_to`."""

    patient_login: str  # the path from the record to its patient's login

    def visible_to(self, user):
        """Care team sees every record; a patient only their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_care_team:
            return self
        return self.filter(**{self.patient_login: user})


class PatientQuerySet(ClinicalQuerySet):
    patient_login = "user"


class Patient(models.Model):
    mrn_validator = RegexValidator(r"^[A-Za-z0-9-]{3,32}$", "Use 3 to 32 letters, digits or dashes.")
    # What staff may add and correct (the form, the service, the record's history); the portal login is linked apart.
    EDITABLE_FIELDS = (
        "mrn",
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "phone",
        "preferred_language",
        "interpreter_needed",
        "allergies",
    )

    mrn = models.CharField("MRN", max_length=32, unique=True, validators=[mrn_validator])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    # Stored in E.164 (+12025550123); a number typed without a country code is read in PHONENUMBER_DEFAULT_REGION.
    phone = PhoneNumberField(blank=True, help_text="Mobile number for text reminders, e.g. (202) 555-0143.")
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    interpreter_needed = models.BooleanField(default=False)
    allergies = models.TextField(blank=True, help_text="As the patient reported them; “none known” if none.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient",
        limit_choices_to={"role": Role.PATIENT},
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EpisodeQuerySet(ClinicalQuerySet):
    patient_login = "patient__user"

    def needing_after_care(self, *, now: dt.datetime | None = None):
        """Completed procedures with an after-care task still open, the most urgent first.

        Annotates `after_care_open` (how many) and the next one, `next_after_care_title`,
        `next_after_care_due_at` and whether it is `next_after_care_overdue`. Steps left open from
        before the procedure are not after care.
        """
        open_after_care = open_after_care_tasks()
        return (
            self.filter(has_open_after_care())
            .annotate(
                after_care_open=Subquery(
                    open_after_care.order_by().values("episode").annotate(count=Count("pk")).values("count")
                ),
                next_after_care_title=Subquery(open_after_care.values("title")[:1]),
                next_after_care_due_at=Subquery(open_after_care.values("due_at")[:1]),
                # The next one is the earliest due: it is overdue when any of them is.
                next_after_care_overdue=Exists(open_after_care.filter(overdue(now or timezone.now()))),
            )
            .order_by("next_after_care_due_at", "pk")
        )

    def not_recorded_done(self, *, now: dt.datetime | None = None):
        """Procedures whose start has passed but that are still scheduled: nobody recorded them done."""
        return self.filter(status=Episode.Status.SCHEDULED, scheduled_start__lte=now or timezone.now()).order_by(
            "scheduled_start", "pk"
        )

    def with_readiness(self, *, now: dt.datetime | None = None):
        """Annotate `readiness` (a Readiness value) in SQL; the one place the rule lives.

        A critical task counts only once it can be done: a day-of task from the start of the
        procedure's day (local midnight), any other at once. A day-of task is done with the
        patient in the building, so it is late only once the procedure's start has passed.
        Blocked: a critical task is overdue (a day-of one: open after the start).
        At risk: a critical task is due within READINESS_AT_RISK_HOURS, or a day-of one is open on the day,
        or a condition an app above registered in `readiness_rules` holds (the medicines app: a medicine
        waiting for the prescriber's decision, or no answer to the medicine review once it is due).
        Ready: every critical task is done or not applicable.
        Ready for the day: only day-of critical tasks are open and their day has not begun.
        On track: otherwise. A cancelled episode is Cancelled, a completed one Procedure done.
        """
        now = now or timezone.now()
        horizon = now + dt.timedelta(hours=settings.READINESS_AT_RISK_HOURS)
        # The procedure's day has begun when the start is before the next local midnight.
        day_has_begun = Q(scheduled_start__lt=day_start(now, days=1))
        open_critical = ChecklistTask.objects.filter(
            episode=OuterRef("pk"), is_critical=True, status=ChecklistTask.Status.PENDING
        )
        open_before_the_day = open_critical.exclude(phase=Phase.DAY_OF)
        open_on_the_day = Exists(open_critical.filter(phase=Phase.DAY_OF))
        registered = registered_at_risk(now=now, horizon=horizon)
        return self.annotate(
            readiness=Case(
                When(status=Episode.Status.CANCELLED, then=Value(Readiness.CANCELLED)),
                When(status=Episode.Status.COMPLETED, then=Value(Readiness.DONE)),
                When(Exists(open_before_the_day.filter(overdue(now))), then=Value(Readiness.BLOCKED)),
                When(Q(scheduled_start__lt=now) & open_on_the_day, then=Value(Readiness.BLOCKED)),
                When(Exists(open_before_the_day.filter(due_at__lte=horizon)), then=Value(Readiness.AT_RISK)),
                When(day_has_begun & open_on_the_day, then=Value(Readiness.AT_RISK)),
                *([When(registered, then=Value(Readiness.AT_RISK))] if registered is not None else []),
                When(~Exists(open_critical), then=Value(Readiness.READY)),
                When(~Exists(open_before_the_day), then=Value(Readiness.READY_FOR_THE_DAY)),
                default=Value(Readiness.ON_TRACK),
                output_field=CharField(),
            )
        )

    def with_progress(self, *, now: dt.datetime | None = None):
        """Annotate, in one query, done/total per phase, overdue tasks, what blocks (the open critical
        tasks, the most urgent first) and the last contact attempt."""
        now = now or timezone.now()
        closed = ~Q(tasks__status=ChecklistTask.Status.PENDING)
        per_phase = {}
        for phase in Phase.values:
            per_phase[f"{phase}_total"] = Count("tasks", filter=Q(tasks__phase=phase))
            per_phase[f"{phase}_closed"] = Count("tasks", filter=Q(tasks__phase=phase) & closed)
        first_blocking = ChecklistTask.objects.filter(
            episode=OuterRef("pk"), status=ChecklistTask.Status.PENDING, is_critical=True
        ).order_by("due_at", "pk")
        last_contact = ContactAttempt.objects.filter(episode=OuterRef("pk")).order_by("-made_at", "-pk")
        return self.annotate(
            **per_phase,
            tasks_total=Count("tasks"),
            tasks_closed=Count("tasks", filter=closed),
            tasks_overdue=Count("tasks", filter=overdue(now, through="tasks")),
            tasks_to_verify=Count(
                "tasks",
                filter=Q(tasks__status=ChecklistTask.Status.PENDING, tasks__patient_reported_at__isnull=False),
            ),
            # What blocks: the open critical tasks, the most urgent first (the worklist names the first).
            blocking_count=Count(
                "tasks", filter=Q(tasks__status=ChecklistTask.Status.PENDING, tasks__is_critical=True)
            ),
            first_blocking_title=Subquery(first_blocking.values("title")[:1]),
            first_blocking_due_at=Subquery(first_blocking.values("due_at")[:1]),
            last_contact_outcome=Subquery(last_contact.values("outcome")[:1]),
            last_contact_at=Subquery(last_contact.values("made_at")[:1]),
        )


class Episode(models.Model):
    """One scheduled procedure for one patient, with its own snapshot of the protocol's tasks."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    protocol_version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="episodes")
    scheduled_start = models.DateTimeField()
    vertebral_levels = models.CharField(max_length=60, help_text="For example: T12, L1")
    side = models.CharField(max_length=16, choices=Side.choices, blank=True)
    clinician = models.CharField("responsible clinician", max_length=120)
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_episodes",
        limit_choices_to={"role": Role.NURSE},
    )
    arrival_minutes_before = models.PositiveSmallIntegerField(
        "arrive this many minutes before the start",
        default=90,
        validators=[MaxValueValidator(MAX_ARRIVAL_MINUTES_BEFORE)],
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.TextField(blank=True)
    # Day-of sign-off: "ready for procedure", recorded by a nurse; an override reason is given
    # when a critical task was still open.
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sign_off_override_reason = models.TextField(blank=True)
    admission_type = models.CharField(max_length=16, choices=Admission.choices, default=Admission.SAME_DAY)
    # Recorded with "record procedure done": when it really ended (the after care runs from it)
    # and the levels really treated (a difference from `vertebral_levels` is flagged).
    procedure_ended_at = models.DateTimeField(null=True, blank=True)
    levels_treated = models.CharField(max_length=60, blank=True)
    # The patient's "I have read this" on the pages about the procedure, before consenting.
    information_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "completed", "cancelled"]), name="episode_status_valid"
            ),
            models.CheckConstraint(condition=Q(admission_type__in=Admission.values), name="episode_admission_valid"),
        ]
        indexes = [models.Index(fields=["status", "scheduled_start"], name="episode_status_start_idx")]

    def __str__(self) -> str:
        return f"{self.patient.full_name} — {self.protocol_version.protocol.name}"

    @property
    def arrival_at(self) -> dt.datetime:
        """When the patient is asked to arrive: derived from the start, so it moves when the start moves."""
        return self.scheduled_start - dt.timedelta(minutes=self.arrival_minutes_before)

    @property
    def is_day_of_procedure(self) -> bool:
        return local_day(self.scheduled_start) == today()

    def accepts_patient_report_for(self, task: "ChecklistTask") -> bool:
        """Patients report their tasks until the procedure is done, then only the after-care ones."""
        if self.status == Episode.Status.COMPLETED:
            return task.phase == Phase.AFTER
        return self.status == Episode.Status.SCHEDULED

    @property
    def is_scheduled(self) -> bool:
        """Still to take place: the only state in which it can be rescheduled, cancelled or signed off."""
        return self.status == Episode.Status.SCHEDULED

    @property
    def can_be_recorded_done(self) -> bool:
        """A scheduled procedure is recorded as done once its start time has passed, never ahead of it."""
        return self.is_scheduled and self.scheduled_start <= timezone.now()

    @property
    def tasks_can_change(self) -> bool:
        """Tasks stay open to nurses after the procedure (the after-care tasks); a cancellation freezes them."""
        return self.status != Episode.Status.CANCELLED

    @property
    def time_out_window_open(self) -> bool:
        """A time-out is recorded in the room: from the start of the procedure's day, never days ahead."""
        return self.is_scheduled and day_start(self.scheduled_start) <= timezone.now()

    @property
    def levels_mismatch(self) -> bool:
        """The levels recorded as treated differ from the planned ones (shown in red, kept in the history)."""
        return bool(self.levels_treated) and self.levels_treated != self.vertebral_levels

    @property
    def was_signed_off_with_override(self) -> bool:
        return bool(self.sign_off_override_reason)

    def phase_progress(self) -> list[tuple[str, int, int]]:
        """(phase label, closed, total) for each phase, from `with_progress()` annotations."""
        return [
            (label, getattr(self, f"{phase}_closed"), getattr(self, f"{phase}_total")) for phase, label in Phase.choices
        ]

    def get_last_contact_outcome_display(self) -> str:
        """The `with_progress()` annotation's outcome in words."""
        return ContactAttempt.Outcome(self.last_contact_outcome).label if self.last_contact_outcome else ""

    @property
    def is_ready(self) -> bool:
        return self.readiness == Readiness.READY

    def get_readiness_display(self) -> str:
        return Readiness(self.readiness).label


class ChecklistTask(TaskDefinition):
    """One task of one episode: a snapshot of its template, ticked off by nurses (or patients)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="tasks")
    # Empty for a task another app added to this episode only (a medicine's last dose, for one).
    template = models.ForeignKey(TaskTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Derived from the due rule and the episode's start; written only when the episode is
    # scheduled or rescheduled, and kept in a column so lists can filter and sort on it in SQL.
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    reason = models.TextField(blank=True, help_text="Why the task is not applicable.")
    # Set when the patient says "I've done this"; a nurse then verifies (marks done) or rejects it.
    patient_reported_at = models.DateTimeField(null=True, blank=True)
    # What the patient told us through the task's short form (PatientForm), e.g. the driver's name.
    patient_answers = models.JSONField(default=dict, blank=True)
    # Scheduled too late for the protocol's due time: due as soon as possible instead.
    is_expedited = models.BooleanField(default=False)
    # Bumped on every change: a form carries the version it was drawn from, and a change based
    # on an older version is refused instead of silently overwriting someone else's.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = TaskDefinitionQuerySet.as_manager()

    class Meta(TaskDefinition.Meta):
        ordering = ["episode", "due_at"]
        constraints = [
            *TaskDefinition.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status__in=["pending", "done", "not_applicable"]), name="checklist_task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", completed_at__isnull=True)
                | (~Q(status="pending") & Q(completed_at__isnull=False, completed_by__isnull=False)),
                name="checklist_task_closed_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(reason=""),
                name="checklist_task_not_applicable_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["episode", "status", "due_at"], name="task_episode_status_due_idx"),
            # Readiness asks, per episode, "is there an open critical task due before T?".
            models.Index(
                fields=["episode", "due_at"],
                condition=Q(is_critical=True, status="pending"),
                name="task_open_critical_idx",
            ),
            # The completion report aggregates these columns over many episodes: on PostgreSQL
            # the index covers them, so the report never reads the wide task rows.
            models.Index(
                fields=["episode"],
                include=["phase", "title", "status", "is_critical", "due_at", "completed_at", "completed_by"],
                name="task_report_idx",
            ),
        ]

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """`overdue()` for this one task, in Python (a test keeps the two in step)."""
        return self.is_pending and self.due_means == DueMeans.BY and self.due_at < (now or timezone.now())

    @property
    def awaits_verification(self) -> bool:
        """The patient reported it done and no nurse has verified or rejected that yet."""
        return self.is_pending and self.patient_reported_at is not None

    def report_by_patient(self) -> None:
        self._require_status(self.Status.PENDING, "This task is already closed.")
        if self.responsible != Responsible.PATIENT:
            raise TaskStateError("Only your own tasks can be reported done.")
        if self.patient_reported_at is not None:
            raise TaskStateError("You have already told us this is done.")
        if self.waits_for_due_time and timezone.now() < self.due_at:
            if self.is_period:
                raise TaskStateError("This lasts until the time shown: tell us once that time has passed.")
            raise TaskStateError("This starts at the time shown: tell us once you have done it, not before.")
        if not self.episode.accepts_patient_report_for(self):
            raise TaskStateError("This step was for before your procedure, which has now taken place.")
        self.patient_reported_at = timezone.now()
        self.version += 1

    def record_patient_answers(self, answers: dict[str, str]) -> None:
        """The patient's answers to the task's short form; on their own task, also "I've done this"."""
        self._require_status(self.Status.PENDING, "This task is already closed.")
        if not self.patient_form or self.patient_form == PatientForm.READ_INFORMATION:
            raise TaskStateError("This step has no questions to answer.")
        if not self.episode.accepts_patient_report_for(self):
            raise TaskStateError("This step was for before your procedure, which has now taken place.")
        self.patient_answers = answers
        if self.responsible == Responsible.PATIENT and self.patient_reported_at is None:
            self.patient_reported_at = timezone.now()
        self.version += 1

    def reject_patient_report(self, *, reason: str) -> None:
        if not self.awaits_verification:
            raise TaskStateError("There is no patient report to reject.")
        if not reason.strip():
            raise TaskStateError("Give a reason for rejecting the patient's report.")
        self.patient_reported_at = None
        self.version += 1

    def mark_done(self, *, by, note: str = "", done_at: dt.datetime | None = None) -> None:
        """`done_at` records a task done earlier than it is entered (the history keeps when it was)."""
        self._require_status(self.Status.PENDING, "Only a pending task can be marked done.")
        if done_at is not None and done_at > timezone.now():
            raise TaskStateError("A task cannot be recorded as done in the future.")
        self._close(self.Status.DONE, by=by, note=note, reason="", at=done_at)

    def mark_not_applicable(self, *, by, reason: str, note: str = "") -> None:
        self._require_status(self.Status.PENDING, "Only a pending task can be marked not applicable.")
        if not reason.strip():
            raise TaskStateError("Give a reason why the task does not apply.")
        self._close(self.Status.NOT_APPLICABLE, by=by, note=note, reason=reason.strip())

    def reopen(self, *, reason: str) -> None:
        if self.is_pending:
            raise TaskStateError("The task is already pending.")
        if not reason.strip():
            raise TaskStateError("Give a reason for undoing the task.")
        self.status = self.Status.PENDING
        self.completed_by = None
        self.completed_at = None
        self.reason = ""
        self.version += 1

    def _require_status(self, status: str, message: str) -> None:
        if self.status != status:
            raise TaskStateError(message)

    def _close(self, status: str, *, by, note: str, reason: str, at: dt.datetime | None = None) -> None:
        self.status = status
        self.completed_by = by
        self.completed_at = at or timezone.now()
        self.reason = reason
        if note.strip():
            self.note = note.strip()
        self.version += 1


class TaskStateError(Exception):
    """A change that the task's current state does not allow; its message is shown to the user."""


def overdue(now: dt.datetime, *, through: str = "") -> Q:
    """The one definition of overdue: a task still pending whose due time has passed (due exactly now: not yet).
    A period ("until" its due time: no driving for 24 hours) is never overdue: its end is not a deadline;
    nor is a step "from" its due time (restart a medicine): its time is a start, not a deadline.

    `through` is the path from the rows filtered to their tasks ("tasks" from episodes).
    """
    prefix = f"{through}__" if through else ""
    pending = {f"{prefix}status": ChecklistTask.Status.PENDING, f"{prefix}due_means": DueMeans.BY}
    return Q(**pending, **{f"{prefix}due_at__lt": now})


def open_after_care_tasks():
    """The after-phase tasks still open of the episode in the outer query (a correlated subquery), soonest first."""
    return ChecklistTask.objects.filter(
        episode=OuterRef("pk"), phase=Phase.AFTER, status=ChecklistTask.Status.PENDING
    ).order_by("due_at", "pk")


def has_open_after_care() -> Q:
    """A procedure recorded done whose after care is not: the nurses' after-care list, the patient's first page."""
    return Q(Exists(open_after_care_tasks()), status=Episode.Status.COMPLETED)


class TimeOut(models.Model):
    """The Universal Protocol time-out, recorded in the room just before the start: who checked what, when."""

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both sides"
        MIDLINE = "midline", "Midline"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="time_outs")
    identity_confirmed = models.BooleanField("identity confirmed with two identifiers")
    procedure_confirmed = models.BooleanField("procedure confirmed")
    vertebral_levels = models.CharField("vertebral level(s) verified", max_length=60)
    side = models.CharField(max_length=16, choices=Side.choices)
    imaging_displayed = models.BooleanField("imaging displayed")
    consent_matches = models.BooleanField("consent matches")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "-recorded_at"]
        constraints = [
            # A time-out with a failed check is a stop, not a record: the team does not start.
            models.CheckConstraint(
                condition=Q(identity_confirmed=True, procedure_confirmed=True, imaging_displayed=True)
                & Q(consent_matches=True),
                name="time_out_all_checks_passed",
            ),
            models.CheckConstraint(
                condition=Q(side__in=["left", "right", "both", "midline"]), name="time_out_side_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Time-out for {self.episode} at {self.recorded_at:%Y-%m-%d %H:%M}"


class ContactAttempt(models.Model):
    """A call (or message) to the patient about this procedure, answered or not: kept, never edited."""

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        NO_ANSWER = "no_answer", "No answer"
        LEFT_MESSAGE = "left_message", "Left message"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        CALL_BACK = "call_back", "Patient asked to call back"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="contact_attempts")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.TextField(blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["reached", "no_answer", "left_message", "wrong_number", "call_back"]),
                name="contact_attempt_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["episode", "-made_at"], name="contact_episode_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} — {self.episode}"


class RejectedTaskChange(models.Model):
    """A change refused because the task had changed since the user loaded it (kept for the audit)."""

    task = models.ForeignKey(ChecklistTask, on_delete=models.PROTECT, related_name="rejected_changes")
    attempted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField(default=timezone.now)
    attempted_status = models.CharField(max_length=16, choices=ChecklistTask.Status.choices)
    seen_version = models.PositiveIntegerField()
    current_version = models.PositiveIntegerField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"Rejected change to {self.task} by {self.attempted_by}"
