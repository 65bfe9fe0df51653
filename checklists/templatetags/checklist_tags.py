import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def readiness_badge(episode) -> str:
    """The readiness badge (text, not colour alone) and the sign-off marker, for lists and pages.

    A tag rather than an include: the worklist draws fifty of them per page.
    """
    badge = format_html(
        '<span class="badge readiness-badge readiness-{0}" data-readiness="{0}">{1}</span>',
        episode.readiness,
        episode.get_readiness_display(),
    )
    if episode.was_signed_off_with_override:
        return format_html(
            '{} <span class="badge text-bg-danger" title="{}">Signed off with override</span>',
            badge,
            episode.sign_off_override_reason,
        )
    if episode.signed_off_at:
        return format_html('{} <span class="badge text-bg-success">Signed off ready</span>', badge)
    return badge


@register.simple_tag
def phase_progress(episode) -> str:
    # Plain formatting (the labels are our own constants, the counts integers): format_html_join
    # escaped each of the 200 values per page one by one.
    return mark_safe(
        "".join(
            f"<div>{escape(label)}: {closed:d}/{total:d}</div>" for label, closed, total in episode.phase_progress()
        )
    )


@register.filter
def tel_href(phone) -> str:
    """A phone number as a `tel:` link target: E.164 (+12025550143), or else its digits and a leading +."""
    return "tel:" + (getattr(phone, "as_e164", "") or re.sub(r"(?!^\+)[^\d]", "", str(phone).strip()))
