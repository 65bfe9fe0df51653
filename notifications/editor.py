"""Admins word the messages of a protocol version (English and Spanish, email and SMS); drafts only."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from checklists.access import role_required
from checklists.models import Language, ProtocolVersion

from .models import WARD_KINDS, Channel, Kind
from .rendering import effective_template, templates_in_force
from .wording import TemplateLocked, message_template_reset, message_template_save

admin_only = role_required(Role.ADMIN)

# The invitation's email is the portal's own (it carries the one-time link); only its SMS is worded here.
# Messages to the ward (an escalation) are not the patient's: they keep the built-in wording.
SLOTS = [
    (kind, channel, language)
    for kind in Kind.values
    for channel in Channel.values
    for language in Language.values
    if not (kind == Kind.INVITATION and channel == Channel.EMAIL) and kind not in WARD_KINDS
]


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=4000)

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        if channel == Channel.SMS:
            del self.fields["subject"]


def _slot(version_pk: int, kind: str, channel: str, language: str) -> ProtocolVersion:
    if (kind, channel, language) not in SLOTS:
        raise Http404("No such message.")
    return get_object_or_404(ProtocolVersion.objects.select_related("protocol"), pk=version_pk)


@admin_only
def message_template_list(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ProtocolVersion.objects.select_related("protocol"), pk=pk)
    rows = []
    in_force = templates_in_force(version)  # one query for every slot
    for kind, channel, language in SLOTS:
        subject, body, origin = effective_template(version, kind, channel, language, in_force=in_force)
        rows.append(
            {
                "kind": Kind(kind).label,
                "slot": (kind, channel, language),
                "channel": Channel(channel).label,
                "language": Language(language).label,
                "origin": _origin_text(version, origin),
                "subject": subject,
                "body": body,
            }
        )
    return render(request, "notifications/message_template_list.html", {"version": version, "rows": rows})


@admin_only
def message_template_edit(request: HttpRequest, pk: int, kind: str, channel: str, language: str) -> HttpResponse:
    version = _slot(pk, kind, channel, language)
    subject, body, origin = effective_template(version, kind, channel, language)
    form = MessageTemplateForm(request.POST or None, initial={"subject": subject, "body": body}, channel=channel)
    context = {
        "version": version,
        "form": form,
        "title": f"{Kind(kind).label} · {Channel(channel).label} · {Language(language).label}",
        "origin": _origin_text(version, origin),
        "slot": (kind, channel, language),
    }
    if request.method != "POST":
        return render(request, "notifications/message_template_form.html", context)
    if form.is_valid():
        try:
            message_template_save(
                version=version,
                kind=kind,
                channel=channel,
                language=language,
                subject=form.cleaned_data.get("subject", ""),
                body=form.cleaned_data["body"],
            )
        except TemplateLocked as locked:
            form.add_error(None, locked)
            return render(request, "notifications/message_template_form.html", context, status=409)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, f"{context['title']} saved for version {version.number}.")
            return redirect("notifications:message-template-list", pk=version.pk)
    return render(request, "notifications/message_template_form.html", context, status=400)


@require_POST
@admin_only
def message_template_use_previous(request: HttpRequest, pk: int, kind: str, channel: str, language: str):
    version = _slot(pk, kind, channel, language)
    try:
        message_template_reset(version=version, kind=kind, channel=channel, language=language)
    except TemplateLocked as locked:
        messages.error(request, locked.message)
        return redirect("notifications:message-template-list", pk=version.pk)
    messages.success(request, "This message uses the earlier wording again.")
    return redirect("notifications:message-template-list", pk=version.pk)


def _origin_text(version: ProtocolVersion, origin) -> str:
    if origin is None:
        return "built-in wording"
    if origin.protocol_version_id == version.pk:
        return f"worded for version {version.number}"
    return f"from version {origin.protocol_version.number}"
