"""The lock-out counts failed log-ins per account, and an account's name ignores case."""

from django.conf import settings
from django.http import HttpRequest


def canonical_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username django-axes counts failures under: the typed one, trimmed and lower-cased.

    Log-in finds the account whatever the case (accounts.models.CaseInsensitiveUserManager), so
    counting `nurse`, `NURSE` and `Nurse` apart would give an attacker five tries per spelling.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return username.strip().lower() if isinstance(username, str) else username
