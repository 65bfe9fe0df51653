"""The protocol editor, for admins: versions, a draft's tasks, publishing and the diff between versions.

Every view is admin-only. A change to a version that is no longer a draft is refused with 409;
a draft that fails the publishing rules, or a bad form, gets 400 with the reasons.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role

from . import selectors, services
from .access import role_required
from .models import Protocol, ProtocolVersion, TaskTemplate, WarningSign
from .protocol_forms import ProtocolDiffForm, ProtocolTaskForm, ProtocolTaskMoveForm, ProtocolWarningSignForm

admin_only = role_required(Role.ADMIN)


def _get_version(pk: int) -> ProtocolVersion:
    """Fetch a protocol version with its protocol (the caller has checked the admin role)."""
    return get_object_or_404(ProtocolVersion.objects.select_related("protocol"), pk=pk)


def _get_task(pk: int) -> TaskTemplate:
    """Fetch a task template with its version and protocol (the caller has checked the admin role)."""
    return get_object_or_404(TaskTemplate.objects.select_related("protocol_version__protocol"), pk=pk)


@admin_only
def protocol_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    versions = ProtocolVersion.objects.annotate(task_count=Count("tasks")).order_by("-number")
    drafts = ProtocolVersion.objects.filter(protocol=OuterRef("pk"), status=ProtocolVersion.Status.DRAFT)
    protocols = (
        Protocol.objects.order_by("name")
        .annotate(has_draft=Exists(drafts))
        .prefetch_related(Prefetch("versions", queryset=versions))
    )
    return render(request, "checklists/protocol_list.html", {"protocols": protocols}, status=status)


@require_POST
@admin_only
def protocol_draft_create(request: HttpRequest, pk: int) -> HttpResponse:
    protocol = get_object_or_404(Protocol, pk=pk)
    try:
        draft = services.protocol_draft_create(protocol=protocol)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render_list(request, status=409)
    messages.success(request, f"Version {draft.number} started as a draft copy of the current version.")
    return redirect("checklists:protocol-version-detail", pk=draft.pk)


@admin_only
def protocol_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_version(request, _get_version(pk))


def _render_version(request: HttpRequest, version: ProtocolVersion, *, status: int = 200) -> HttpResponse:
    context = {
        "version": version,
        "outline": selectors.protocol_version_outline(version),
        # Emergency first, as patients see them.
        "warning_signs": version.warning_signs.order_by("-severity", "position", "pk"),
        "problems": services.protocol_version_problems(version) if version.is_editable else [],
        "diff_form": ProtocolDiffForm(version=version) if version.protocol.versions.count() > 1 else None,
    }
    return render(request, "checklists/protocol_version_detail.html", context, status=status)


def _refuse(request: HttpRequest, version: ProtocolVersion, error: ValidationError) -> HttpResponse:
    """A change the version's state does not allow (409) or that breaks a rule (400), with the reasons."""
    for message in error.messages:
        messages.error(request, message)
    status = 409 if isinstance(error, services.ProtocolVersionLocked) else 400
    return _render_version(request, _get_version(version.pk), status=status)


@admin_only
def protocol_task_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(pk)
    return _draft_form(
        request,
        version,
        ProtocolTaskForm(request.POST or None, submit_label="Add task"),
        lambda form: services.protocol_task_add(version=version, **form.task_fields()),
        done=lambda task: (f"“{task.title}” added to the {task.get_phase_display().lower()}.", _task_anchor(task)),
        template="checklists/protocol_task_form.html",
    )


@admin_only
def protocol_task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _get_task(pk)
    return _draft_form(
        request,
        task.protocol_version,
        ProtocolTaskForm(request.POST or None, instance=task),
        lambda form: services.protocol_task_update(task=task, **form.task_fields()),
        done=lambda task: (f"“{task.title}” saved.", _task_anchor(task)),
        template="checklists/protocol_task_form.html",
        # The heading keeps the saved title while the form shows what was typed.
        title=task.title,
    )


def _draft_form(request, version, form, operation, *, done, template: str, title: str = "") -> HttpResponse:
    """Show a form that changes a draft; on a valid POST run its one service and redirect with `done`'s
    message and URL, else re-render it with 400 (409 once the version is no longer a draft)."""
    if not version.is_editable:
        return _refuse(request, version, services.ProtocolVersionLocked.for_version(version, action="edited"))
    if request.method == "POST" and form.is_valid():
        try:
            changed = operation(form)
        except services.ProtocolVersionLocked as error:
            return _refuse(request, version, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message, url = done(changed)
            messages.success(request, message)
            return redirect(url)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "version": version, "title": title}, status=status)


@require_POST
@admin_only
def protocol_task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _get_task(pk)
    try:
        services.protocol_task_remove(task=task)
    except ValidationError as error:
        return _refuse(request, task.protocol_version, error)
    messages.success(request, f"“{task.title}” removed from {task.get_phase_display().lower()}.")
    return redirect(_phase_anchor(task))


@require_POST
@admin_only
def protocol_task_move(request: HttpRequest, pk: int) -> HttpResponse:
    task = _get_task(pk)
    form = ProtocolTaskMoveForm(request.POST)
    if not form.is_valid():
        return _refuse(request, task.protocol_version, ValidationError("Choose to move the task up or down."))
    try:
        task = services.protocol_task_move(task=task, direction=form.cleaned_data["direction"])
    except ValidationError as error:
        return _refuse(request, task.protocol_version, error)
    return redirect(_task_anchor(task))


@require_POST
@admin_only
def protocol_version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(pk)
    try:
        version = services.protocol_version_publish(version=version)
    except ValidationError as error:
        return _refuse(request, version, error)
    messages.success(
        request,
        f"Version {version.number} published: newly scheduled procedures use it; "
        "procedures already scheduled keep the checklist they were created with.",
    )
    return redirect("checklists:protocol-version-detail", pk=version.pk)


@require_POST
@admin_only
def protocol_draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(pk)
    try:
        services.protocol_draft_discard(version=version)
    except ValidationError as error:
        return _refuse(request, version, error)
    messages.success(request, f"Draft version {version.number} of {version.protocol.name} discarded.")
    return redirect("checklists:protocol-list")


@admin_only
def protocol_version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between this version and another one of the same protocol (by default the one before it)."""
    version = _get_version(pk)
    if "against" in request.GET:
        form = ProtocolDiffForm(request.GET, version=version)
    else:
        previous = version.protocol.versions.filter(number__lt=version.number).order_by("-number").first()
        form = ProtocolDiffForm({"against": previous.pk} if previous else None, version=version)
    if not form.is_bound:
        messages.info(request, "This is the first version: there is nothing to compare it with.")
        return redirect("checklists:protocol-version-detail", pk=version.pk)
    if not form.is_valid():
        return render(request, "checklists/protocol_version_diff.html", {"version": version, "form": form}, status=400)
    old, new = sorted([version, form.cleaned_data["against"]], key=lambda each: each.number)
    context = {"version": version, "form": form, "diff": selectors.protocol_version_diff(old, new)}
    return render(request, "checklists/protocol_version_diff.html", context)


@admin_only
def protocol_warning_sign_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(pk)
    return _draft_form(
        request,
        version,
        ProtocolWarningSignForm(request.POST or None, submit_label="Add warning sign"),
        lambda form: services.protocol_warning_sign_add(version=version, **form.cleaned_data),
        done=lambda sign: ("Warning sign added.", _warning_signs_anchor(version)),
        template="checklists/protocol_warning_sign_form.html",
    )


@admin_only
def protocol_warning_sign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sign = _get_warning_sign(pk)
    return _draft_form(
        request,
        sign.protocol_version,
        ProtocolWarningSignForm(request.POST or None, instance=sign),
        lambda form: services.protocol_warning_sign_update(sign=sign, **form.cleaned_data),
        done=lambda sign: ("Warning sign saved.", _warning_signs_anchor(sign.protocol_version)),
        template="checklists/protocol_warning_sign_form.html",
        title=sign.text,
    )


@require_POST
@admin_only
def protocol_warning_sign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sign = _get_warning_sign(pk)
    try:
        services.protocol_warning_sign_remove(sign=sign)
    except ValidationError as error:
        return _refuse(request, sign.protocol_version, error)
    messages.success(request, f"Warning sign “{sign.text}” removed.")
    return redirect(_warning_signs_anchor(sign.protocol_version))


def _get_warning_sign(pk: int) -> WarningSign:
    """Fetch a warning sign with its version and protocol (the caller has checked the admin role)."""
    return get_object_or_404(WarningSign.objects.select_related("protocol_version__protocol"), pk=pk)


def _warning_signs_anchor(version: ProtocolVersion) -> str:
    return f"{reverse('checklists:protocol-version-detail', args=[version.pk])}#warning-signs"


def _task_anchor(task: TaskTemplate) -> str:
    return f"{reverse('checklists:protocol-version-detail', args=[task.protocol_version_id])}#task-{task.pk}"


def _phase_anchor(task: TaskTemplate) -> str:
    return f"{reverse('checklists:protocol-version-detail', args=[task.protocol_version_id])}#phase-{task.phase}"
