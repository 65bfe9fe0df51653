"""The log-in page, with the reason the last session ended; the set-password page, with the rules first."""

from django.contrib.auth import views as auth_views

from .forms import LoginForm
from .passwords import password_rules_for
from .sessions import logged_out_message


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"logged_out_message": logged_out_message(self.request.session)}


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Where an invited patient (or anyone with a reset link) chooses a password."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["new_password1"].help_text = ""  # the rules are above the form, for this login only
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {"password_rules": password_rules_for(self.user) if context.get("validlink") else []}
