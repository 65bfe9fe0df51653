"""The signed link that answers one check-in without a password (for an SMS or an email).

It names the check-in and nothing else, expires after CHECKIN_LINK_MAX_AGE_SECONDS, and works only
while its check-in is open and unanswered: once answered, the same link is refused.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_noop

from .models import Checkin

SALT = "checkins.link"
EXPIRED = gettext_noop("This link has expired. If you need help, call the ward.")
NOT_VALID = gettext_noop("This link does not work. Please check that you copied all of it.")


class LinkRefused(Exception):
    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


def checkin_link_path(checkin: Checkin) -> str:
    return reverse("checkins:link", args=[signing.dumps(checkin.pk, salt=SALT)])


def checkin_from_token(token: str) -> Checkin:
    """The check-in a link names; a forged or damaged link is a 404, an expired one a 410."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=settings.CHECKIN_LINK_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise LinkRefused(EXPIRED, status=410) from None
    except signing.BadSignature:
        raise LinkRefused(NOT_VALID, status=404) from None
    checkin = Checkin.objects.select_related("point", "episode__patient").filter(pk=pk).first()
    if checkin is None:
        raise LinkRefused(NOT_VALID, status=404)
    return checkin
