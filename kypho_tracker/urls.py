from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import AdminLoginForm, LoginForm
from checklists import views as checklist_views

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", checklist_views.home, name="home"),
    path("healthz/", checklist_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("my/", include("portal.urls")),
    path("reports/", include("reports.urls")),
    path("check-ins/", include("checkins.urls")),
    path("", include("checklists.urls")),
]
