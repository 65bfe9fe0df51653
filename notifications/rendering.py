"""The words of a message: the protocol's template (or the built-in one) over the episode as it is now.

Rendered by the worker at sending time, in the patient's language, so a message says what is true
when it leaves; the text as sent is stored on the row.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from checkins.links import checkin_link_path
from checklists.hospital_time import hospital_quiet_hours, hospital_tz, local_moment
from checklists.models import Phase, ProtocolVersion, Responsible, WarningSign
from portal.timeline import format_day, format_moment, format_time, localized

from .models import Channel, Kind, Message, MessageTemplate, preference_for
from .planning import episode_plan

# Two concatenated SMS segments of the GSM 03.38 alphabet (153 characters each once joined).
SMS_MAX_CHARS = 306
# GSM 03.38's basic set, less the Latin letters and digits (checked separately): anything else
# turns a whole SMS into UCS-2, 67 characters a segment.
_GSM_EXTRA = set("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r")
_SMS_REPLACEMENTS = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    # A link in the body that answers something without a password (a check-in's): sent, never logged.
    secret_link: str = ""

    def for_the_log(self) -> "Rendered":
        """The text as the delivery log keeps it: a password-free link replaced by a placeholder."""
        if not self.secret_link:
            return self
        return Rendered(subject=self.subject, body=self.body.replace(self.secret_link, LINK_NOT_KEPT), secret_link="")


# What the delivery log keeps instead of a check-in's link (whoever reads the log must not be able to answer).
LINK_NOT_KEPT = "[check-in link, not kept in the log]"


def template_source(message: Message) -> tuple[str, str]:
    """(subject, body) source of a message: see `effective_template`."""
    version = message.episode.protocol_version if message.episode_id else None
    subject, body, _ = effective_template(version, message.kind, message.channel, message.language_to_send)
    return subject, body


def templates_in_force(version: ProtocolVersion, **slot) -> dict[tuple[str, str, str], MessageTemplate]:
    """(kind, channel, language) → the admin's template a version uses: its own, else the latest earlier one."""
    rows = (
        MessageTemplate.objects.filter(
            protocol_version__protocol_id=version.protocol_id, protocol_version__number__lte=version.number, **slot
        )
        .select_related("protocol_version")
        .order_by("protocol_version__number")
    )
    return {(row.kind, row.channel, row.language): row for row in rows}


def effective_template(version: ProtocolVersion | None, kind: str, channel: str, language: str, *, in_force=None):
    """(subject, body, origin): the version's template in force, else the built-in wording (origin None)."""
    if version is not None and in_force is None:
        in_force = templates_in_force(version, kind=kind, channel=channel, language=language)
    custom = (in_force or {}).get((kind, channel, language))
    if custom is not None:
        return custom.subject, custom.body, custom
    return (*builtin_source(kind, channel, language), None)


def builtin_source(kind: str, channel: str, language: str) -> tuple[str, str]:
    """The shipped wording: `messages/<kind>.<channel>.<language>.txt`; an email's first line is its subject."""
    source = get_template(f"notifications/messages/{kind}.{channel}.{language}.txt").template.source
    if channel == Channel.EMAIL:
        subject, _, body = source.partition("\n")
        return subject.strip(), body.lstrip("\n")
    return "", source


def render_message(message: Message, *, now: dt.datetime | None = None) -> Rendered:
    subject_source, body_source = template_source(message)
    with translation.override(message.language_to_send):
        context = Context(message_context(message, now=now or timezone.now()), autoescape=False)
        subject = " ".join(Template(subject_source).render(context).split())
        body = _tidy(Template(body_source).render(context))
    if message.channel == Channel.SMS:
        body = fit_sms(body, language=message.language_to_send)
    return Rendered(subject=subject, body=body, secret_link=context.get("checkin_url", ""))


def render_source(*, subject: str, body: str, context: dict, language: str) -> Rendered:
    """Render template text against a given context (the template editor's preview and check)."""
    with translation.override(language):
        ctx = Context(context, autoescape=False)
        return Rendered(subject=" ".join(Template(subject).render(ctx).split()), body=_tidy(Template(body).render(ctx)))


def escalation_context(message: Message) -> dict:
    """What the ward's escalation contact reads: who (MRN and initials only), which alert, since when, a link."""
    alert, patient = message.alert, message.patient
    return {
        "mrn": patient.mrn,
        "initials": f"{patient.first_name[:1]}. {patient.last_name[:1]}.",
        "alert_kind": alert.get_kind_display(),
        "raised_at": format_moment(alert.raised_at),
        "waited_minutes": int((alert.escalated_at - alert.raised_at).total_seconds() // 60),
        "reasons": [reason for reason in alert.reasons.splitlines() if reason.strip()],
        "alerts_url": settings.SITE_URL + reverse("checkins:alert-queue"),
        "episode_url": settings.SITE_URL + reverse("checklists:episode-detail", args=[message.episode_id]),
    }


def message_context(message: Message, *, now: dt.datetime) -> dict:
    """What a template can say (listed in the notifications README)."""
    patient = message.patient
    context = {
        "first_name": patient.first_name,
        "ward_phone": settings.WARD_PHONE,
        "portal_url": settings.SITE_URL + reverse("portal:checklist"),
        "place": settings.PROCEDURE_PLACE,
        "invite_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
    }
    if message.to_ward:
        return context | escalation_context(message)
    episode = message.episode
    if episode is None:
        return context
    start = episode.scheduled_start
    open_patient_tasks = [
        task
        for task in episode.tasks.in_timeline_order()
        if task.responsible == Responsible.PATIENT and task.is_pending and task.patient_reported_at is None
    ]
    context.update(
        procedure_day=format_day(start),
        procedure_time=format_time(start),
        procedure_moment=format_moment(start),
        arrival_time=format_time(episode.arrival_at),
        arrival_moment=format_moment(episode.arrival_at),
        calendar_url=settings.SITE_URL + reverse("portal:episode-calendar", args=[episode.pk]),
        # Before the start and still to come: the cut-offs, restated as clock times.
        steps_before=[_step(task) for task in open_patient_tasks if now < task.due_at <= start],
        first_steps=[_step(task) for task in open_patient_tasks if now < task.due_at <= start][:3],
        night_steps=[
            _step(task)
            for task in open_patient_tasks
            if task.phase in (Phase.NIGHT_BEFORE, Phase.DAY_OF) and now < task.due_at <= start
        ],
        # The cut-offs from the evening's quiet hours (21:00) to the start: eating, drinking.
        overnight_steps=[
            _step(task) for task in open_patient_tasks if max(now, night_from(start)) <= task.due_at <= start
        ],
        # Still to come (the day-after message must not list "lie flat" from the day before).
        after_steps=[_step(task) for task in open_patient_tasks if task.phase == Phase.AFTER and task.due_at > now],
    )
    if message.task_id is not None:
        context["task"] = _step(message.task)
        context["tasks"] = [_step(task) for task in reminder_steps(message)]
    if message.previous_start is not None:
        context["previous_moment"] = format_moment(message.previous_start)
    if message.kind == Kind.AFTER_CARE:
        context.update(warning_signs(episode.protocol_version))
    if message.checkin_id is not None:
        context.update(checkin_context(message.checkin))
    return context


def checkin_context(checkin) -> dict:
    """A check-in's message: its signed link, made now (so it works from when it is sent), and when it closes."""
    return {
        "checkin_url": settings.SITE_URL + checkin_link_path(checkin),
        "checkin_closes": format_moment(checkin.closes_at),
        "checkin_before": checkin.point.is_baseline,
    }


def reminder_steps(message: Message) -> list:
    """The steps a reminder names: its own and those falling at the same minute (`planning.combined_reminders`),
    from the plan as it is now."""
    episode = message.episode
    plan = episode_plan(episode, list(episode.tasks.all()), quiet=preference_for(message.patient).quiet_hours())
    item = next((item for item in plan if item.task is not None and item.task.pk == message.task_id), None)
    return item.tasks if item is not None else [message.task]


def warning_signs(version: ProtocolVersion) -> dict:
    signs = list(version.warning_signs.all())
    return {
        "emergency_signs": [
            localized(sign, "text") for sign in signs if sign.severity == WarningSign.Severity.EMERGENCY
        ],
        "call_signs": [localized(sign, "text") for sign in signs if sign.severity == WarningSign.Severity.CALL],
    }


def reference_context(version: ProtocolVersion) -> dict:
    """A made-up episode at 08:00 in ten days with every patient task of the version, for the editor's check."""
    start = timezone.now().replace(hour=13, minute=0, second=0, microsecond=0) + dt.timedelta(days=10)
    arrival = start - dt.timedelta(minutes=version.protocol.arrival_minutes_before)
    steps = [
        {
            "title": localized(t, "title"),
            "instructions": localized(t, "patient_instructions"),
            "due": format_moment(t.due_at_for(start)),
            "until": t.is_period,
            "starts": t.starts_at_due_time,
        }
        for t in version.tasks.in_timeline_order()
        if t.responsible == Responsible.PATIENT
    ]
    return {
        "first_name": "Maximiliana",
        "ward_phone": settings.WARD_PHONE,
        "place": settings.PROCEDURE_PLACE,
        "invite_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
        "portal_url": settings.SITE_URL + reverse("portal:checklist"),
        "procedure_day": format_day(start),
        "procedure_time": format_time(start),
        "procedure_moment": format_moment(start),
        "previous_moment": format_moment(start - dt.timedelta(days=1)),
        "arrival_time": format_time(arrival),
        "arrival_moment": format_moment(arrival),
        "calendar_url": settings.SITE_URL + reverse("portal:episode-calendar", args=[1]),
        "steps_before": steps,
        "first_steps": steps[:3],
        "night_steps": steps,
        "overnight_steps": steps,
        "after_steps": steps,
        "task": steps[0] if steps else {"title": "", "instructions": "", "due": "", "time": ""},
        "tasks": steps[:3],  # a combined reminder: the night's three cut-offs
        # As long as a real link on a long site address: the SMS check measures the text as sent.
        "checkin_url": "https://kypho-tracker.hospital.example.org/check-ins/link/MTIzNDU:1vQdZx:" + "x" * 43 + "/",
        "checkin_closes": format_moment(start),
        "checkin_before": False,
        **warning_signs(version),
    }


def night_from(start: dt.datetime) -> dt.datetime:
    """When the hospital's quiet hours begin on the evening before the procedure."""
    day_before = start.astimezone(hospital_tz()).date() - dt.timedelta(days=1)
    return local_moment(day_before, hospital_quiet_hours()[0])


def _step(task) -> dict:
    return {
        "title": localized(task, "title"),
        "instructions": localized(task, "patient_instructions"),
        "due": format_moment(task.due_at),
        "time": format_time(task.due_at),
        # A period ("No driving for 24 hours"): the templates say "Until", not "By"; a step from a
        # time ("Restart clopidogrel"): "From", never "By" (earlier is unsafe).
        "until": task.is_period,
        "starts": task.starts_at_due_time,
    }


def _tidy(text: str) -> str:
    """Template tags leave blank lines: keep at most one in a row, none at the ends.

    English times end with a period ("8 a.m."): a sentence ending on one keeps a single period.
    """
    text = text.replace("a.m..", "a.m.").replace("p.m..", "p.m.")
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


def gsm_text(text: str) -> str:
    """The text in the GSM alphabet: accents it lacks dropped (á → a, keeping ñ, é, ¿, ¡), quotes straightened."""
    out = []
    for char in text:
        char = _SMS_REPLACEMENTS.get(char, char)
        if (char.isascii() and char.isalnum()) or char in _GSM_EXTRA:
            out.append(char)
        else:
            base = unicodedata.normalize("NFD", char)[0]
            out.append(base if base.isascii() else "?")
    return "".join(out)


MORE = {"en": "More: {url}", "es": "Mas: {url}"}


def fit_sms(text: str, *, language: str = "en") -> str:
    """At most two SMS segments: whole middle lines are dropped (the first line and the last, with the
    ward phone, stay), and a pointer to the portal takes their place."""
    lines = gsm_text(text).splitlines()
    if len("\n".join(lines)) <= SMS_MAX_CHARS or len(lines) < 3:
        return "\n".join(lines)[:SMS_MAX_CHARS]
    first, middle, last = lines[0], lines[1:-1], lines[-1]
    pointer = MORE.get(language, MORE["en"]).format(url=settings.SITE_URL + "/my/")
    while middle and len("\n".join([first, *middle, pointer, last])) > SMS_MAX_CHARS:
        middle.pop()
    return "\n".join([first, *middle, pointer, last])[:SMS_MAX_CHARS]
