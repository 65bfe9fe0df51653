"""The protocol editor, for admins: versions, a draft's tasks, publishing and the diff between versions.

Every view is admin-only. A change to a version that is no longer a draft is refused with 409;
a draft that fails the publishing rules, or a bad form, gets 400 with the reasons.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Model, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role

from . import protocol_selectors
from .access import role_required
from .models import Protocol, ProtocolVersion, TaskTemplate
from .protocol_forms import (
    DraftItemForm,
    ProtocolDiffForm,
    ProtocolTaskForm,
    ProtocolTaskMoveForm,
    ProtocolWarningSignForm,
)
from .services import protocols

admin_only = role_required(Role.ADMIN)


@admin_only
def protocol_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed what in the protocol's versions and their items, discarded drafts included."""
    protocol = get_object_or_404(Protocol, pk=pk)
    context = {"protocol": protocol, "changes": protocol_selectors.protocol_history(protocol)}
    return render(request, "checklists/protocol_history.html", context)


def _get_version(pk: int) -> ProtocolVersion:
    """Fetch a protocol version with its protocol (the caller has checked the admin role)."""
    return get_object_or_404(ProtocolVersion.objects.select_related("protocol"), pk=pk)


@admin_only
def protocol_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    versions = ProtocolVersion.objects.annotate(task_count=Count("tasks")).order_by("-number")
    drafts = ProtocolVersion.objects.filter(protocol=OuterRef("pk"), status=ProtocolVersion.Status.DRAFT)
    listed = (
        Protocol.objects.order_by("name")
        .annotate(has_draft=Exists(drafts))
        .prefetch_related(Prefetch("versions", queryset=versions))
    )
    return render(request, "checklists/protocol_list.html", {"protocols": listed}, status=status)


@require_POST
@admin_only
def protocol_draft_create(request: HttpRequest, pk: int) -> HttpResponse:
    protocol = get_object_or_404(Protocol, pk=pk)
    try:
        draft = protocols.protocol_draft_create(protocol=protocol)
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
        "outline": protocol_selectors.protocol_version_outline(version),
        # Emergency first, as patients see them.
        "warning_signs": version.warning_signs.order_by("-severity", "position", "pk"),
        "problems": protocol_selectors.protocol_version_problems(version) if version.is_editable else [],
        "diff_form": ProtocolDiffForm(version=version) if version.protocol.versions.count() > 1 else None,
    }
    return render(request, "checklists/protocol_version_detail.html", context, status=status)


def _refuse(request: HttpRequest, version: ProtocolVersion, error: ValidationError) -> HttpResponse:
    """A change the version's state does not allow (409) or that breaks a rule (400), with the reasons."""
    for message in error.messages:
        messages.error(request, message)
    status = 409 if isinstance(error, protocols.ProtocolVersionLocked) else 400
    return _render_version(request, _get_version(version.pk), status=status)


@dataclass(frozen=True)
class DraftItemPages:
    """The add, edit and remove actions of one kind of a draft's items (the URLs pass which): form,
    services, and where the version's page shows an item and the place a removed one leaves."""

    form_class: type[DraftItemForm]
    add: Callable[..., Model]  # the service, called with version= and the form's fields
    update: Callable[[Model, dict], Model]
    anchor: Callable[[Model], str]  # where the version's page shows the item
    remove: Callable[[Model], None]
    removed: Callable[[Model], tuple[str, str]]  # the message after removing the item, and where to go

    def get(self, pk: int) -> Model:
        """Fetch an item with its version and protocol (the caller has checked the admin role)."""
        model = self.form_class._meta.model
        return get_object_or_404(model.objects.select_related("protocol_version__protocol"), pk=pk)


def _task_anchor(task: TaskTemplate) -> str:
    return f"{reverse('checklists:protocol-version-detail', args=[task.protocol_version_id])}#task-{task.pk}"


def _phase_anchor(task: TaskTemplate) -> str:
    return f"{reverse('checklists:protocol-version-detail', args=[task.protocol_version_id])}#phase-{task.phase}"


def _warning_signs_anchor(version: ProtocolVersion) -> str:
    return f"{reverse('checklists:protocol-version-detail', args=[version.pk])}#warning-signs"


TASK_PAGES = DraftItemPages(
    ProtocolTaskForm,
    protocols.protocol_task_add,
    lambda task, fields: protocols.protocol_task_update(task=task, **fields),
    _task_anchor,
    remove=lambda task: protocols.protocol_task_remove(task=task),
    removed=lambda task: (f"“{task.title}” removed from {task.get_phase_display().lower()}.", _phase_anchor(task)),
)
SIGN_PAGES = DraftItemPages(
    ProtocolWarningSignForm,
    protocols.protocol_warning_sign_add,
    update=lambda sign, fields: protocols.protocol_warning_sign_update(sign=sign, **fields),
    anchor=lambda sign: _warning_signs_anchor(sign.protocol_version),
    remove=lambda sign: protocols.protocol_warning_sign_remove(sign=sign),
    removed=lambda sign: (f"Warning sign “{sign.text}” removed.", _warning_signs_anchor(sign.protocol_version)),
)


@admin_only
def protocol_item_create(request: HttpRequest, pk: int, pages: DraftItemPages) -> HttpResponse:
    """A new task or warning sign in the draft `pk`."""
    return _draft_item_form(request, pages, _get_version(pk))


@admin_only
def protocol_item_edit(request: HttpRequest, pk: int, pages: DraftItemPages) -> HttpResponse:
    """Edit the task or warning sign `pk` of a draft."""
    item = pages.get(pk)
    return _draft_item_form(request, pages, item.protocol_version, item=item)


@require_POST
@admin_only
def protocol_item_delete(request: HttpRequest, pk: int, pages: DraftItemPages) -> HttpResponse:
    """Take the task or warning sign `pk` out of its draft."""
    item = pages.get(pk)
    try:
        pages.remove(item)
    except ValidationError as error:
        return _refuse(request, item.protocol_version, error)
    message, destination = pages.removed(item)
    messages.success(request, message)
    return redirect(destination)


def _draft_item_form(request, pages: DraftItemPages, version: ProtocolVersion, *, item=None) -> HttpResponse:
    """Add an item to a draft (`item` None) or edit one: on a valid POST run the service and redirect to
    the item; else show the form, with 400 for a POST (409 once the version is no longer a draft)."""
    if not version.is_editable:
        return _refuse(request, version, protocols.ProtocolVersionLocked.for_version(version, action="edited"))
    # The heading keeps the saved name while the form shows what was typed.
    heading = str(item) if item is not None else ""
    form = pages.form_class(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            fields = form.item_fields()
            saved = pages.add(version=version, **fields) if item is None else pages.update(item, fields)
        except protocols.ProtocolVersionLocked as error:
            return _refuse(request, version, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{form.noun.capitalize()} “{saved}” {'saved' if item else 'added'}.")
            return redirect(pages.anchor(saved))
    context = {"form": form, "version": version, "heading": heading}
    return render(
        request, "checklists/protocol_item_form.html", context, status=400 if request.method == "POST" else 200
    )


@require_POST
@admin_only
def protocol_task_move(request: HttpRequest, pk: int) -> HttpResponse:
    task = TASK_PAGES.get(pk)
    form = ProtocolTaskMoveForm(request.POST)
    if not form.is_valid():
        return _refuse(request, task.protocol_version, ValidationError("Choose to move the task up or down."))
    try:
        task = protocols.protocol_task_move(task=task, direction=form.cleaned_data["direction"])
    except ValidationError as error:
        return _refuse(request, task.protocol_version, error)
    return redirect(_task_anchor(task))


@require_POST
@admin_only
def protocol_version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _get_version(pk)
    try:
        version = protocols.protocol_version_publish(version=version)
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
        protocols.protocol_draft_discard(version=version)
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
    context = {"version": version, "form": form, "diff": protocol_selectors.protocol_version_diff(old, new)}
    return render(request, "checklists/protocol_version_diff.html", context)
