"""The nurses' pages of a procedure: the worklist, the after-care list, the episode page and its task and
episode actions (tick, not applicable, undo, reschedule, cancel, sign off, time-out, record done)."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.reads import reads_patient_data

from .access import CARE_TEAM, NURSES, get_episode_for, get_task_for, role_required
from .filters import WorklistFilter
from .forms import (
    CancelForm,
    ContactAttemptForm,
    RecordDoneForm,
    RescheduleForm,
    SignOffForm,
    TaskChangeForm,
    TaskReasonForm,
    TimeOutForm,
)
from .late_scheduling import late_tasks_if_rescheduled
from .models import ContactAttempt, Episode, Readiness, TaskStateError, TimeOut
from .selectors import (
    blocking_tasks,
    episode_contact_attempts,
    episode_history,
    episode_timeline,
    latest_time_out,
    readiness_counts,
    with_progress_for_page,
)
from .services.contacts import contact_attempt_record
from .services.day_of import episode_record_done, episode_sign_off, episode_time_out_record
from .services.episodes import episode_cancel, episode_reschedule
from .services.tasks import (
    TaskChangeConflict,
    task_mark_done,
    task_mark_not_applicable,
    task_reject_patient_report,
    task_reopen,
)
from .worklist import worklist_rows

EPISODES_PER_PAGE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_care_team:
        return redirect("checklists:episode-list")
    return redirect("portal:checklist")


@role_required(*CARE_TEAM)
def episode_list(request: HttpRequest) -> HttpResponse:
    """The worklist: upcoming procedures with their readiness, filtered by what is in the URL."""
    params = {**WorklistFilter.default_params(), **request.GET.dict()}
    episodes = (
        Episode.objects.visible_to(request.user)
        .filter(status=Episode.Status.SCHEDULED)
        .with_readiness()
        .select_related("patient", "nurse")
    )
    worklist = WorklistFilter(params, queryset=episodes, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    # The tabs, and what the page links keep, also on a refused filter.
    context = {
        "filter": worklist,
        # Folded behind a button (a <details>, no JavaScript) unless a filter is set or refused.
        "filters_open": any(request.GET.get(name) for name in worklist.filters if name != "scope")
        or not worklist.is_valid(),
        "query_string": query.urlencode(),
        "scope_all_query": _with_scope(query, ""),
        "scope_mine_query": _with_scope(query, "mine"),
    }
    if not worklist.is_valid():
        return render(request, "checklists/worklist.html", {**context, "mine": worklist.is_mine}, status=400)
    # Counted over every other filter but readiness, so the line stays an overview to pick from
    # (without a readiness filter, that is the worklist's own filter: no second one to build).
    readiness = worklist.form.cleaned_data.get("readiness")
    counted = WorklistFilter({**params, "readiness": ""}, queryset=episodes, request=request) if readiness else worklist
    counts = readiness_counts(counted.qs)
    paginator = Paginator(worklist.qs.order_by("scheduled_start", "pk"), EPISODES_PER_PAGE)
    # Every procedure still to come is in exactly one readiness state, so the counts already say how
    # many the list holds: no COUNT query of its own.
    paginator.count = counts[Readiness(readiness).label] if readiness else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    # Progress is aggregated over the tasks of this page's episodes only, not the whole filter.
    page.object_list = with_progress_for_page(page.object_list)
    now = timezone.now()
    context |= {
        "page": page,
        "rows": worklist_rows(page.object_list, now=now),
        "readiness_counts": counts,
        "now": now,
        "mine": worklist.is_mine,
    }
    return render(request, "checklists/worklist.html", context)


@role_required(*CARE_TEAM)
def after_care_list(request: HttpRequest) -> HttpResponse:
    """After the procedure: the ones nobody recorded done yet, then the after-care tasks still open."""
    now = timezone.now()
    visible = Episode.objects.visible_to(request.user).select_related("patient", "nurse")
    not_recorded = visible.not_recorded_done(now=now)
    context = {
        "not_recorded": not_recorded[:EPISODES_PER_PAGE],
        "not_recorded_count": not_recorded.count(),
        "page": Paginator(visible.needing_after_care(now=now), EPISODES_PER_PAGE).get_page(request.GET.get("page")),
        "now": now,
    }
    return render(request, "checklists/after_care.html", context)


def _with_scope(query, scope: str) -> str:
    query = query.copy()
    query.pop("scope", None)
    if scope:
        query["scope"] = scope
    return query.urlencode()


@login_required
@reads_patient_data("episode")
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request.user, pk)
    return _render_episode(request, episode)


def _render_episode(
    request: HttpRequest, episode: Episode, *, status: int = 200, changed_task: int | None = None
) -> HttpResponse:
    """The checklist page, or for htmx only its checklist part, which carries the messages.

    The messages about a task change are shown by that task's row (`changed_task`), where the nurse is.
    """
    open_only = _open_only(request)
    if changed_task is None:
        changed_task = _int_or_none(request.GET.get("changed"))
    timeline = episode_timeline(episode, open_only=open_only, keep=changed_task)
    shown = {task.pk for group in timeline for task in group.shown}
    context = {
        "episode": episode,
        "timeline": timeline,
        "blocking": blocking_tasks(timeline),
        "open_only": open_only,
        "changed_task": changed_task if changed_task in shown else None,
        "history": episode_history(episode),
        "time_out": latest_time_out(episode),
        "time_out_sides": TimeOut.Side.choices,
        "can_change_tasks": request.user.is_nurse and episode.tasks_can_change,
        "can_change_episode": request.user.is_nurse and episode.is_scheduled,
        "contact_attempts": episode_contact_attempts(episode),
        "can_log_calls": request.user.is_nurse and episode.tasks_can_change,
        "call_outcomes": ContactAttempt.Outcome.choices,
    }
    template = "checklists/_checklist.html" if request.htmx else "checklists/episode_detail.html"
    return render(request, template, context, status=status)


def _open_only(request: HttpRequest) -> bool:
    """The checklist's "Open only" toggle: a link (GET) or, after a change, a field of the posted form."""
    return (request.POST if request.method == "POST" else request.GET).get("open") == "1"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@dataclass(frozen=True)
class ChangeAction:
    """One way a nurse changes a task or an episode: the form it posts, the service it calls, what it says after."""

    form_class: type[forms.Form]
    service: Callable[..., object]
    service_fields: tuple[str, ...]
    done_message: str


TASK_ACTIONS = {
    "mark-done": ChangeAction(TaskChangeForm, task_mark_done, ("note",), "marked done"),
    "not-applicable": ChangeAction(
        TaskReasonForm, task_mark_not_applicable, ("reason", "note"), "marked not applicable"
    ),
    "reopen": ChangeAction(TaskReasonForm, task_reopen, ("reason",), "reopened"),
    "reject-report": ChangeAction(
        TaskReasonForm,
        task_reject_patient_report,
        ("reason",),
        "patient report rejected; the task stays open",
    ),
}

EPISODE_ACTIONS = {
    "cancel": ChangeAction(CancelForm, episode_cancel, ("reason",), "Procedure cancelled."),
    "sign-off": ChangeAction(SignOffForm, episode_sign_off, ("override_reason",), "Signed off: ready for procedure."),
    "time-out": ChangeAction(
        TimeOutForm,
        episode_time_out_record,
        (
            "identity_confirmed",
            "procedure_confirmed",
            "vertebral_levels",
            "side",
            "imaging_displayed",
            "consent_matches",
        ),
        "Time-out recorded.",
    ),
    "contact": ChangeAction(ContactAttemptForm, contact_attempt_record, ("outcome", "note"), "Call logged."),
    "record-done": ChangeAction(
        RecordDoneForm,
        episode_record_done,
        ("ended_at", "levels_treated"),
        "Procedure recorded as done. The after care runs from its end; its tasks stay open to tick.",
    ),
}


# Views on one object take only @login_required: their access helper answers 404 to a user with
# no link to the object before it answers 403 to a wrong role, so nothing reveals that it exists.


@require_POST
@login_required
def task_change(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Validate the posted form, run the action's service, then redirect; refusals re-render with a 4xx."""
    change = TASK_ACTIONS[action]
    task = get_task_for(request.user, pk)
    form = change.form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, f"“{task.title}”: {' '.join(errors)}")
        return _render_episode(
            request, get_episode_for(request.user, task.episode_id), status=400, changed_task=task.pk
        )
    data = form.cleaned_data
    try:
        change.service(
            task=task,
            by=request.user,
            expected_version=data["version"],
            **{field: data[field] for field in change.service_fields},
        )
    except (TaskChangeConflict, TaskStateError) as refusal:
        messages.warning(request, f"“{task.title}”: {refusal}")
        return _render_episode(
            request, get_episode_for(request.user, task.episode_id), status=409, changed_task=task.pk
        )
    messages.success(request, f"“{task.title}” {change.done_message}.")
    return _after_change(request, task.episode_id, changed_task=task.pk)


def _after_change(request: HttpRequest, episode_pk: int, *, changed_task: int | None = None) -> HttpResponse:
    """htmx gets the refreshed checklist in place; a plain form post is redirected (POST/redirect/GET)
    back to the changed task's row, its confirmation beside it, and to the same "Open only" view."""
    if request.htmx:
        return _render_episode(request, get_episode_for(request.user, episode_pk), changed_task=changed_task)
    query = {"open": "1"} if _open_only(request) else {}
    if changed_task is not None:
        query["changed"] = str(changed_task)
    url = reverse("checklists:episode-detail", args=[episode_pk])
    if query:
        url += "?" + urlencode(query)
    return redirect(f"{url}#task-{changed_task}" if changed_task is not None else url)


@require_POST
@login_required
def episode_change(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Validate the posted form, run the action's service, then redirect; refusals re-render with a 4xx."""
    change = EPISODE_ACTIONS[action]
    episode = get_episode_for(request.user, pk, roles=NURSES)
    form = change.form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form[field].label}: {' '.join(errors)}")
        return _render_episode(request, episode, status=400)
    try:
        change.service(
            episode=episode, by=request.user, **{field: form.cleaned_data[field] for field in change.service_fields}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render_episode(request, get_episode_for(request.user, episode.pk), status=409)
    messages.success(request, change.done_message)
    return _after_change(request, episode.pk)


@require_POST
@login_required
def episode_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a procedure; a new start too close for the protocol first lists the tasks it cannot meet, to confirm."""
    episode = get_episode_for(request.user, pk, roles=NURSES)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        for field in form.visible_fields():
            if field.errors:
                messages.error(request, f"{field.label}: {' '.join(field.errors)}")
        return _render_episode(request, episode, status=400)
    start = form.cleaned_data["scheduled_start"]
    expedite = form.late_tasks_confirmed
    if not expedite and episode.is_scheduled:
        late = late_tasks_if_rescheduled(episode=episode, scheduled_start=start)
        if late:
            context = {
                "episode": episode,
                "form": form.with_confirmation(request.POST),
                "late_tasks": late,
                "new_start": start,
            }
            return render(request, "checklists/reschedule_confirm.html", context)
    try:
        episode_reschedule(
            episode=episode,
            by=request.user,
            scheduled_start=start,
            reason=form.cleaned_data["reason"],
            expedite_late=expedite,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render_episode(request, get_episode_for(request.user, episode.pk), status=409)
    if expedite:
        messages.success(request, "Procedure rescheduled; the tasks it was too late for are due as soon as possible.")
    else:
        messages.success(request, "Procedure rescheduled; every due time moved with it.")
    return _after_change(request, episode.pk)
