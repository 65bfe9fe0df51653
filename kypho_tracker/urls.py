from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import AdminLoginForm
from accounts.views import LoginView, SetPasswordView
from checklists import views as checklist_views

from . import health
from .rate_limits import rate_limited

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", checklist_views.home, name="home"),
    path("healthz/", health.liveness, name="healthz"),
    path("readyz/", health.ReadinessView.as_view(), name="readyz"),
    path("accounts/login/", rate_limited("login", key="ip")(LoginView.as_view()), name="login"),
    path(
        "accounts/password_reset/",
        rate_limited("password-reset", key="ip")(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/reset/<uidb64>/<token>/", SetPasswordView.as_view(), name="password_reset_confirm"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/login/", rate_limited("login", key="ip")(admin.site.login)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("my/", include("portal.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("check-ins/", include("checkins.urls")),
    path("", include("medicines.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("checklists.urls")),
]
