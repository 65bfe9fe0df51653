from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before anyone tries to log in with it.

    AuthenticationForm sets the field's max_length after the field is built, so the validator is
    never added: an over-long username would reach django-axes, whose record of the failed attempt
    cannot hold it (a 500 on PostgreSQL).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))
