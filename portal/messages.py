"""Refusals raised in English by the checklists app, translated when a patient sees them."""

from django.utils.translation import gettext, gettext_noop

# Marked here so makemessages extracts them; models.py raises them untranslated.
DOMAIN_MESSAGES = [
    gettext_noop("This task is already closed."),
    gettext_noop("Only your own tasks can be reported done."),
    gettext_noop("You have already told us this is done."),
    gettext_noop("This step was for before your procedure, which has now taken place."),
    gettext_noop("This lasts until the time shown: tell us once that time has passed."),
    gettext_noop("This starts at the time shown: tell us once you have done it, not before."),
    gettext_noop("The procedure is cancelled; its tasks can no longer be changed."),
    # Role names shown in the navigation bar (accounts.models.Role labels).
    gettext_noop("Patient"),
    gettext_noop("Nurse"),
    gettext_noop("Admin"),
]


def translated(error: Exception) -> str:
    return gettext(str(error))
