"""The catalogue is edited here by admins, with history; an edited row is then kept by `load_medicines`.
Patients' plans and lab results are read-only (they change only through the app's services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from checklists.admin import HistoryViewOnlyMixin, NoDeleteMixin, ReadOnlyMixin

from .models import EpisodeMedicine, LabResult, LabTest, Medicine, MedicineReview


class CatalogueAdmin(HistoryViewOnlyMixin, NoDeleteMixin, SimpleHistoryAdmin):
    readonly_fields = ("slug", "catalogue_version", "locally_edited")

    def has_add_permission(self, request) -> bool:
        # New entries come with the shipped catalogue (its slug ties them to the data file).
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.locally_edited = True
        obj._change_reason = f"Edited by an admin: {', '.join(form.changed_data) or 'no field changed'}"
        super().save_model(request, obj, form, change)


@admin.register(Medicine)
class MedicineAdmin(CatalogueAdmin):
    list_display = (
        "generic_name",
        "drug_class",
        "hold_days",
        "hold_hours",
        "restart_hours",
        "prescriber_must_decide",
        "locally_edited",
    )
    list_filter = ("drug_class", "prescriber_must_decide", "locally_edited")
    search_fields = ("generic_name", "brand_names", "brand_names_es")


@admin.register(LabTest)
class LabTestAdmin(CatalogueAdmin):
    list_display = ("name", "unit", "lower_limit", "upper_limit", "locally_edited")


@admin.register(EpisodeMedicine)
class EpisodeMedicineAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "episode", "decision", "prescriber_name", "hold_too_short")
    list_filter = ("decision", "hold_too_short")


@admin.register(LabResult)
class LabResultAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "episode", "in_range", "taken_at")


@admin.register(MedicineReview)
class MedicineReviewAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "episode", "reviewed_by", "reviewed_at")
