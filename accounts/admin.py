from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kypho_tracker.client_address import client_ip

from . import mfa
from .authorship import has_authored_records
from .models import SecurityEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Role", {"fields": ("role",)}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Role", {"fields": ("role",)}))
    actions = ["deactivate", "remove_two_step_log_in"]

    def has_delete_permission(self, request, obj=None) -> bool:
        """A login whose name is on a change to a record is deactivated, never deleted (accounts/authorship.py)."""
        return super().has_delete_permission(request, obj) and (obj is None or not has_authored_records(obj))

    @admin.action(description="Deactivate the selected logins (they keep their name on what they did)")
    def deactivate(self, request, queryset) -> None:
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            SecurityEvent.objects.create(
                user=user, by=request.user, kind=SecurityEvent.Kind.DEACTIVATED, ip_address=client_ip(request)
            )
        self.message_user(request, "Deactivated: they can no longer log in.", messages.SUCCESS)

    @admin.action(description="Remove two-step log-in (lost phone): they set it up again at next log-in")
    def remove_two_step_log_in(self, request, queryset) -> None:
        for user in queryset:
            mfa.mfa_remove(request=request, user=user)
        self.message_user(request, "Two-step log-in removed.", messages.SUCCESS)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """An audit log: to look at, never to add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyLogAdmin):
    list_display = ("at", "kind", "user", "by", "ip_address")
    list_filter = ("kind",)
    list_select_related = ("user", "by")


# django-axes' logs of log-ins and failures are audit records too. (Its access attempts, the
# lock-out counters, stay deletable: deleting one is how an administrator unlocks an account.)
for model, model_admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (ReadOnlyLogAdmin, model_admin), {}))

# Devices change only through the two-step log-in's pages and the action above, which record who did it.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
