"""Password rules on top of Django's (ASVS 2.1): 12 characters for staff, never the current password again."""

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def is_staff_login(user) -> bool:
    return user is not None and (user.role != "patient" or user.is_staff or user.is_superuser)


class StaffMinimumLengthValidator:
    """Nurses, admins and anyone with the Django admin need a longer password than patients."""

    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def applies_to(self, user) -> bool:
        return is_staff_login(user)

    def validate(self, password: str, user=None) -> None:
        if self.applies_to(user) and len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "Staff passwords need at least %(min_length)d character.",
                    "Staff passwords need at least %(min_length)d characters.",
                    self.min_length,
                )
                % {"min_length": self.min_length},
                code="password_too_short_for_staff",
            )

    def get_help_text(self) -> str:
        return _("Staff passwords need at least %(min_length)d characters.") % {"min_length": self.min_length}


class NotCurrentPasswordValidator:
    """A new password must differ from the one it replaces."""

    def validate(self, password: str, user=None) -> None:
        if user is not None and user.pk and user.has_usable_password() and check_password(password, user.password):
            raise ValidationError(_("This is your current password. Choose a new one."), code="password_unchanged")

    def get_help_text(self) -> str:
        return _("Your password can’t be the one you have now.")


def password_rules_for(user) -> list[str]:
    """The rules that apply to this login, in words, to show before the password is typed."""
    return [
        validator.get_help_text()
        for validator in get_default_password_validators()
        if getattr(validator, "applies_to", lambda user: True)(user)
    ]
