"""Django admin: a read-only window on the records. Patients, procedures, tasks and protocols change only
through the app's services (the nurses' pages, the protocol editor at /protocols/), which check the
rules and record who and why; nothing can be deleted here, and every history is view-only."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ChecklistTask,
    ContactAttempt,
    Episode,
    Patient,
    Protocol,
    ProtocolVersion,
    RejectedTaskChange,
    TaskTemplate,
    WarningSign,
)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class HistoryViewOnlyMixin:
    """simple-history's page for an old version saves its form on POST, whatever the change permission
    and SIMPLE_HISTORY_REVERT_DISABLED say: it would edit clinical records around the services. Only GET.
    Its views also pass ids from the URL straight to the database: anything but a number is a 404."""

    def history_view(self, request, object_id, extra_context=None):
        _require_number(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _require_number(object_id, version_id)
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def _require_number(*ids: str) -> None:
    if not all(str(value).isdigit() for value in ids):
        raise Http404("No such record.")


class TaskTemplateInline(ReadOnlyMixin, admin.TabularInline):
    model = TaskTemplate
    extra = 0
    fields = (
        "phase",
        "position",
        "title",
        "responsible",
        "is_critical",
        "due_offset_minutes",
        "due_day_offset",
        "due_clock_time",
    )


class WarningSignInline(ReadOnlyMixin, admin.TabularInline):
    model = WarningSign
    extra = 0


@admin.register(Protocol)
class ProtocolAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "slug")


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("protocol", "number", "status", "published_at")
    list_filter = ("protocol", "status")
    inlines = [TaskTemplateInline, WarningSignInline]


@admin.register(TaskTemplate)
class TaskTemplateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "protocol_version", "phase", "position", "responsible", "is_critical")
    list_filter = ("protocol_version", "phase", "is_critical")


@admin.register(Patient)
class PatientAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("mrn", "last_name", "first_name", "date_of_birth", "preferred_language")
    search_fields = ("mrn", "last_name", "first_name")


@admin.register(Episode)
class EpisodeAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("patient", "scheduled_start", "status", "nurse", "vertebral_levels")
    list_filter = ("status",)
    list_select_related = ("patient", "nurse")


@admin.register(ChecklistTask)
class ChecklistTaskAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("title", "episode", "phase", "status", "due_at", "completed_by")
    list_filter = ("status", "phase", "is_critical")
    list_select_related = ("episode__patient", "episode__protocol_version__protocol", "completed_by")


@admin.register(RejectedTaskChange)
class RejectedTaskChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("task", "attempted_by", "attempted_at", "attempted_status", "seen_version", "current_version")


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("episode", "outcome", "made_by", "made_at")
    list_filter = ("outcome",)
    list_select_related = ("episode__patient", "episode__protocol_version__protocol", "made_by")
