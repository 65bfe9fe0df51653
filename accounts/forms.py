from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class UsernameLengthCheckedMixin:
    """Check the username's length before anyone tries to log in with it.

    AuthenticationForm sets the field's max_length after the field is built, so the validator is
    never added: an over-long username would reach django-axes, whose record of the failed attempt
    cannot hold it (a 500 on PostgreSQL).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))


class LoginForm(UsernameLengthCheckedMixin, AuthenticationForm):
    """The app's log-in form."""


class AdminLoginForm(UsernameLengthCheckedMixin, AdminAuthenticationForm):
    """The Django admin's log-in form (staff only, as Django's)."""
