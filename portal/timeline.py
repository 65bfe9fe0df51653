"""The patient's view of an episode: the four phases with real dates, what is next, what is done."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, Q, When
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from checklists.hospital_time import hospital_tz, local_day, local_midnight, phase_begins
from checklists.models import (
    ChecklistTask,
    Episode,
    PatientForm,
    Phase,
    Protocol,
    Responsible,
    WarningSign,
    has_open_after_care,
)

from .forms import ANSWER_FORMS

AFTER_CARE_DAYS = 7

PHASE_LABELS = {
    Phase.WEEK_BEFORE: pgettext_lazy("phase", "Week before"),
    Phase.NIGHT_BEFORE: pgettext_lazy("phase", "Night before"),
    Phase.DAY_OF: pgettext_lazy("phase", "Day of"),
    Phase.AFTER: pgettext_lazy("phase", "After"),
}


class TaskState:
    """How a task looks to the patient (the nurse's statuses, plus "you told us it is done")."""

    DONE = "done"
    NOT_NEEDED = "not_needed"
    REPORTED = "reported"
    TO_DO = "to_do"


STATE_BADGES = {
    TaskState.DONE: "text-bg-success",
    TaskState.NOT_NEEDED: "text-bg-secondary",
    TaskState.REPORTED: "text-bg-info",
    TaskState.TO_DO: "text-bg-light border",
}


FORM_TEMPLATES = {
    PatientForm.DRIVER: "portal/_answer_form.html",
    PatientForm.ANESTHESIA_HISTORY: "portal/_answer_form.html",
    PatientForm.READ_INFORMATION: "portal/_read_information.html",
}


@dataclass(frozen=True)
class PatientTask:
    task: ChecklistTask
    title: str
    instructions: str
    due_text: str
    state: str
    state_label: str
    can_report: bool
    # The short form the portal shows on this task (a PatientForm value), and whether it is answered.
    form: str
    form_answered: bool
    # Listed under this phase: a night-before cut-off that falls on the procedure day is a day-of step.
    shown_phase: str

    @property
    def is_closed(self) -> bool:
        return self.state in (TaskState.DONE, TaskState.NOT_NEEDED)

    @property
    def form_template(self) -> str | None:
        """The partial that shows this task's short form (or the link to read before consenting)."""
        if not self.form or self.is_closed:
            return None
        return FORM_TEMPLATES[self.form]

    @property
    def answer_form(self):
        return ANSWER_FORMS[self.form](initial={"version": self.task.version}, auto_id=f"task-{self.task.pk}-%s")

    @property
    def asks_patient(self) -> bool:
        """The patient still has something to do here: their own open task, or a question to answer;
        a period ("No driving until …") or a step from a time ("Restart clopidogrel from …") only once
        its time has come (can_report says so)."""
        if self.task.waits_for_due_time:
            return self.can_report
        if self.form and not self.form_answered:
            return not self.is_closed
        return self.state == TaskState.TO_DO and self.task.responsible == Responsible.PATIENT

    @property
    def badge_class(self) -> str:
        """The badge only repeats the state's text in colour."""
        return STATE_BADGES[self.state]


@dataclass(frozen=True)
class PhaseStep:
    phase: str
    label: str
    when: str
    starts_at: dt.datetime
    is_current: bool
    is_past: bool
    tasks: list[PatientTask]

    @property
    def heading(self) -> str:
        return f"{self.label}: {self.when}"

    @property
    def closed_count(self) -> int:
        return sum(task.is_closed for task in self.tasks)


@dataclass(frozen=True)
class PatientChecklist:
    episode: Episode
    procedure_when: str
    arrive_when: str
    phases: list[PhaseStep]
    next_task: PatientTask | None
    after_procedure: bool
    is_cancelled: bool

    @property
    def tasks(self) -> list[PatientTask]:
        return [task for phase in self.phases for task in phase.tasks]


@dataclass(frozen=True)
class WarningSigns:
    call: list[str]
    emergency: list[str]
    ward_phone: str

    @property
    def ward_phone_link(self) -> str:
        return "tel:" + "".join(ch for ch in self.ward_phone if ch.isdigit() or ch == "+")


def phase_starts(start: dt.datetime, tasks: list[ChecklistTask] = ()) -> dict[str, dt.datetime]:
    """When each phase begins on the patient's timeline (`hospital_time.PHASE_WINDOWS`); the week before
    begins earlier if one of its `tasks` is due earlier (a medicine held longer than a week)."""
    starts = phase_begins(start)
    early = [task.due_at for task in tasks if task.phase == Phase.WEEK_BEFORE]
    if early and min(early) < starts[Phase.WEEK_BEFORE]:
        starts[Phase.WEEK_BEFORE] = local_midnight(local_day(min(early)))
    return starts


def format_day(value: dt.datetime) -> str:
    """ "Sunday 13 December" / "domingo 13 de diciembre": the format itself is translated."""
    # Translators: a Django date format for a day, see https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
    return date_format(value.astimezone(hospital_tz()), pgettext("date format", "l j F"))


def format_time(value: dt.datetime) -> str:
    """ "8:00 a.m." / "08:00": a clock time, never "midnight"; noon is "12:00 noon" ("12:00 p.m." is misread).

    A time at midnight is the last minute before it, "11:59 p.m." / "23:59": "by 12:00 a.m." (or "antes de
    las 00:00") in a list of tonight's cut-offs reads as either end of the night."""
    local = value.astimezone(hospital_tz())
    if local.time() == dt.time(0, 0):
        local -= dt.timedelta(minutes=1)
    if local.time() == dt.time(12, 0):
        # Translators: the clock time at midday; in a 24-hour language simply "12:00".
        return pgettext("time format", "12:00 noon")
    # Translators: a Django time format, see https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
    return date_format(local, pgettext("time format", "g:i a"))


def format_moment(value: dt.datetime) -> str:
    """ "11:59 p.m. Sunday 13 December": a moment at midnight is the last minute of the day before it ends."""
    local = value.astimezone(hospital_tz())
    if local.time() == dt.time(0, 0):
        local -= dt.timedelta(minutes=1)
    return _("%(time)s %(day)s") % {"day": format_day(local), "time": format_time(local)}


def localized(obj, field: str) -> str:
    """The Spanish text of a protocol field when Spanish is active and the protocol has it."""
    if translation.get_language() == "es":
        return getattr(obj, f"{field}_es") or getattr(obj, field)
    return getattr(obj, field)


def _patient_task(
    task: ChecklistTask, *, reportable: bool, episode: Episode, day_starts_at: dt.datetime, now: dt.datetime
) -> PatientTask:
    if task.status == ChecklistTask.Status.DONE:
        state, label = TaskState.DONE, _("Done")
    elif task.status == ChecklistTask.Status.NOT_APPLICABLE:
        state, label = TaskState.NOT_NEEDED, _("Not needed")
    elif task.awaits_verification:
        state, label = TaskState.REPORTED, _("You told us this is done. A nurse will check it.")
    else:
        state, label = TaskState.TO_DO, _("To do")
    on_the_day = task.phase == Phase.NIGHT_BEFORE and task.due_at > day_starts_at
    form_answered = (
        episode.information_read_at is not None
        if task.patient_form == PatientForm.READ_INFORMATION
        else bool(task.patient_answers)
    )
    return PatientTask(
        task=task,
        title=patient_task_title(task),
        instructions=localized(task, "patient_instructions"),
        due_text=_due_text(task, state=state, now=now),
        state=state,
        state_label=label,
        # A task with a form is reported through the form, which asks for what the nurse needs.
        can_report=reportable
        and state == TaskState.TO_DO
        and task.responsible == Responsible.PATIENT
        and not task.patient_form
        # A period is kept until its time, a step "from" a time taken once it has come:
        # "I've done this" only once the time has passed.
        and not (task.waits_for_due_time and now < task.due_at),
        form=task.patient_form if reportable or task.patient_form == PatientForm.READ_INFORMATION else "",
        form_answered=form_answered,
        shown_phase=Phase.DAY_OF if on_the_day else task.phase,
    )


def patient_task_title(task: ChecklistTask) -> str:
    """What the patient reads: the task's patient title, or the staff's title as the team's job."""
    title = localized(task, "patient_title")
    if title:
        return title
    if task.responsible == Responsible.PATIENT:
        return localized(task, "title")
    return _("The team will take care of this: %(task)s") % {"task": localized(task, "title")}


def due_line(task: ChecklistTask, moment: dt.datetime | None = None) -> str:
    """The one wording of a due time: "By <moment>" for a step, "Until <moment>" for a period,
    "From <moment>" for a step to take once the time has come (never "By": restarting a blood
    thinner earlier is unsafe)."""
    moment = format_moment(moment or task.due_at)
    if task.is_period:
        return _("Until %(moment)s") % {"moment": moment}
    if task.starts_at_due_time:
        return _("From %(moment)s") % {"moment": moment}
    return _("By %(moment)s") % {"moment": moment}


def _due_text(task: ChecklistTask, *, state: str, now: dt.datetime) -> str:
    """An exact time still ahead; never a past date as a deadline ("Do this today", "Call us").
    A period always reads "Until …" and a step from a time "From …": neither time is a deadline, so
    neither is ever late."""
    if task.waits_for_due_time:
        return due_line(task)
    patients_step = task.responsible == Responsible.PATIENT or bool(task.patient_form)
    if state == TaskState.TO_DO and task.due_at < now:
        return _("Please call us about this step: %(phone)s.") % {"phone": settings.WARD_PHONE} if patients_step else ""
    if task.is_expedited and state == TaskState.TO_DO and patients_step:
        # Scheduled too late for the protocol's time: as soon as possible, by the expedited time.
        if local_day(task.due_at) == local_day(now):
            return _("Do this today, by %(time)s") % {"time": format_time(task.due_at)}
        return _("As soon as you can, by %(moment)s") % {"moment": format_moment(task.due_at)}
    return due_line(task)


def _phase_when(phase: str, starts_at: dt.datetime, start: dt.datetime) -> str:
    if phase == Phase.WEEK_BEFORE:
        return _("from %(day)s") % {"day": format_day(starts_at)}
    if phase == Phase.NIGHT_BEFORE:
        return format_day(starts_at)
    if phase == Phase.DAY_OF:
        return _("%(day)s, procedure at %(time)s") % {"day": format_day(start), "time": format_time(start)}
    return _("from %(day)s, after your procedure") % {"day": format_day(start)}


def patient_checklist(episode: Episode, *, now: dt.datetime | None = None) -> PatientChecklist:
    """The episode as its patient sees it, in the active language (one query for the tasks)."""
    now = now or timezone.now()
    is_cancelled = episode.status == Episode.Status.CANCELLED
    is_done = episode.status == Episode.Status.COMPLETED
    # A step due on the procedure's calendar day is listed under "Day of", whatever the phase's window.
    procedure_day = local_midnight(local_day(episode.scheduled_start))
    tasks = [
        _patient_task(
            task,
            reportable=episode.accepts_patient_report_for(task),
            episode=episode,
            day_starts_at=procedure_day,
            now=now,
        )
        for task in episode.tasks.in_timeline_order()
    ]
    starts = phase_starts(episode.scheduled_start, [task.task for task in tasks])
    begun = [phase for phase in Phase.values if starts[phase] <= now]
    current = begun[-1] if begun else None
    phases = [
        PhaseStep(
            phase=phase,
            label=str(PHASE_LABELS[phase]),
            when=_phase_when(phase, starts[phase], episode.scheduled_start),
            starts_at=starts[phase],
            is_current=phase == current,
            is_past=phase in begun and phase != current,
            tasks=sorted(
                (task for task in tasks if task.shown_phase == phase),
                key=lambda task: (task.task.due_at, task.task.position),
            ),
        )
        for phase in Phase.values
    ]
    return PatientChecklist(
        episode=episode,
        procedure_when=format_moment(episode.scheduled_start),
        arrive_when=format_moment(episode.arrival_at),
        phases=phases,
        # Once the procedure is done, what is left from before it is no longer the patient's to do.
        next_task=_next_task([task for task in tasks if task.task.phase == Phase.AFTER] if is_done else tasks),
        after_procedure=now >= episode.scheduled_start,
        is_cancelled=is_cancelled,
    )


def _next_task(tasks: list[PatientTask]) -> PatientTask | None:
    """The patient's first open step: their own task or a question for them; the team's tasks never are."""
    return min(
        (task for task in tasks if task.asks_patient), key=lambda task: (task.task.due_at, task.task.pk), default=None
    )


def current_episode(user, *, now: dt.datetime | None = None) -> Episode | None:
    """The patient's procedure to show first, in one query.

    A procedure done in the last AFTER_CARE_DAYS whose after care is still open; else the next one
    from today on; else the most recent (the others are listed below it).
    """
    now = now or timezone.now()
    today = local_midnight(local_day(now))
    recent_after_care = has_open_after_care() & Q(scheduled_start__gte=now - dt.timedelta(days=AFTER_CARE_DAYS))
    upcoming = Q(status=Episode.Status.SCHEDULED, scheduled_start__gte=today)
    priority = Case(When(recent_after_care, then=0), When(upcoming, then=1), default=2)
    return (
        Episode.objects.visible_to(user)
        .exclude(status=Episode.Status.CANCELLED)
        .select_related("protocol_version")
        .alias(priority=priority, upcoming_start=Case(When(upcoming, then=F("scheduled_start"))))
        # The next upcoming one first, else the latest.
        .order_by("priority", "upcoming_start", "-scheduled_start")
        .first()
    )


def warning_signs_for(episode: Episode | None) -> WarningSigns:
    """The warning signs of the episode's protocol version (or the current kyphoplasty protocol), localized."""
    version = episode.protocol_version if episode else _default_protocol_version()
    signs = list(version.warning_signs.order_by("position", "pk")) if version else []
    return WarningSigns(
        call=[localized(sign, "text") for sign in signs if sign.severity == WarningSign.Severity.CALL],
        emergency=[localized(sign, "text") for sign in signs if sign.severity == WarningSign.Severity.EMERGENCY],
        ward_phone=settings.WARD_PHONE,
    )


@dataclass(frozen=True)
class PatientPageText:
    title: str
    paragraphs: list[str]


def patient_pages_for(episode: Episode) -> list[PatientPageText]:
    """The pages to read before consenting, from the episode's protocol version, in the active language."""
    return [
        PatientPageText(title=localized(page, "title"), paragraphs=localized(page, "body").split("\n\n"))
        for page in episode.protocol_version.patient_pages.order_by("position")
    ]


def _default_protocol_version():
    protocol = Protocol.objects.filter(slug="kyphoplasty").first()
    return protocol.current_version() if protocol else None
