"""An admin's wording of a draft protocol version's messages: checked against a made-up long episode, then saved.

The editor's views are in `editor.py`; what wording is in force, and how it renders, in `rendering.py`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import TemplateSyntaxError
from django.utils import timezone

from checklists.models import ProtocolVersion

from .models import Channel, MessageTemplate
from .rendering import SMS_MAX_CHARS, gsm_text, reference_context, render_source


def message_template_save(*, version: ProtocolVersion, kind: str, channel: str, language: str, subject: str, body: str):
    """An admin's wording for a draft version; refused unless it renders, names the ward phone and fits an SMS."""
    with transaction.atomic():
        version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_editable:
            raise TemplateLocked("Only a draft's messages can change; start a new draft from the protocol list.")
        check_template(version=version, channel=channel, language=language, subject=subject, body=body)
        template, _ = MessageTemplate.objects.update_or_create(
            protocol_version=version,
            kind=kind,
            channel=channel,
            language=language,
            defaults={"subject": subject.strip(), "body": body.strip(), "updated_at": timezone.now()},
        )
    return template


def message_template_reset(*, version: ProtocolVersion, kind: str, channel: str, language: str) -> None:
    """Drop a draft's own wording: it uses the earlier version's, or the built-in one, again."""
    with transaction.atomic():
        version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
        if not version.is_editable:
            raise TemplateLocked("Only a draft's messages can change; start a new draft from the protocol list.")
        MessageTemplate.objects.filter(protocol_version=version, kind=kind, channel=channel, language=language).delete()


def check_template(*, version: ProtocolVersion, channel: str, language: str, subject: str, body: str) -> None:
    """Render against a made-up long episode of the version: errors, no ward phone, an SMS over two segments."""
    if channel == Channel.EMAIL and not subject.strip():
        raise ValidationError("An email needs a subject.")
    try:
        rendered = render_source(subject=subject, body=body, context=reference_context(version), language=language)
    except TemplateSyntaxError as error:
        raise ValidationError(f"The template has an error: {error}") from error
    if settings.WARD_PHONE not in rendered.body:
        raise ValidationError("Every message must give the ward phone: add {{ ward_phone }}.")
    if channel == Channel.SMS and len(gsm_text(rendered.body)) > SMS_MAX_CHARS:
        raise ValidationError(
            f"This text is {len(gsm_text(rendered.body))} characters for a long name and every step: "
            f"an SMS should stay within two segments ({SMS_MAX_CHARS})."
        )


class TemplateLocked(ValidationError):
    """The version is published or retired: its messages are frozen with it."""
