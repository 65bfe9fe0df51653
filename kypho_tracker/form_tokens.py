"""Sending a form twice (a double click, a resent POST) creates one record: each rendered form carries a
fresh token, and the first request to use it claims it in the shared cache for a day.
"""

import uuid

from django import forms
from django.core.cache import cache

PENDING = "pending"
TOKEN_SECONDS = 24 * 60 * 60


class SubmissionTokenField(forms.UUIDField):
    """A hidden field with a new token each time the empty form is drawn."""

    def __init__(self, **kwargs):
        super().__init__(required=False, initial=uuid.uuid4, widget=forms.HiddenInput, **kwargs)


def _key(token: uuid.UUID) -> str:
    return f"form-token:{token}"


def claim(token: uuid.UUID | None):
    """None if this request is the first to use the token; else PENDING or what the first one created."""
    if token is None or cache.add(_key(token), PENDING, TOKEN_SECONDS):
        return None
    return cache.get(_key(token), PENDING)


def fulfil(token: uuid.UUID | None, pk: int) -> None:
    if token is not None:
        cache.set(_key(token), pk, TOKEN_SECONDS)


def release(token: uuid.UUID | None) -> None:
    """The first request was refused: the corrected form may be sent again with the same token."""
    if token is not None:
        cache.delete(_key(token))
