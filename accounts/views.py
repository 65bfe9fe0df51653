"""The log-in page: Django's, with the reason the last session ended."""

from django.contrib.auth import views as auth_views

from .forms import LoginForm
from .sessions import logged_out_message


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"logged_out_message": logged_out_message(self.request.session)}
