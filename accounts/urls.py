from django.urls import path

from . import mfa_views

app_name = "accounts"

urlpatterns = [
    path("mfa/", mfa_views.mfa_status, name="mfa"),
    path("mfa/setup/start/", mfa_views.mfa_setup_start, name="mfa-setup-start"),
    path("mfa/setup/", mfa_views.mfa_setup, name="mfa-setup"),
    path("mfa/setup/confirm/", mfa_views.mfa_confirm, name="mfa-confirm"),
    path("mfa/verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("mfa/remove/", mfa_views.mfa_remove, name="mfa-remove"),
]
