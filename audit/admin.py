"""The read-access log in the Django admin: to look at, never to add, change or delete."""

from django.contrib import admin

from .models import PatientRead


@admin.register(PatientRead)
class PatientReadAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "patient", "view_name", "ip_address")
    list_filter = ("view_name",)
    list_select_related = ("user", "patient")
    search_fields = ("patient__mrn", "user__username")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
