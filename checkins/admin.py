"""Django admin: admins tune the check-in questions, schedule and rules of a **draft** protocol version
(load_checkin_protocols never overwrites their edits); a published or retired version's are shown
read-only, frozen with it like its tasks. Check-ins, answers and alerts are clinical records, read-only
here, and their histories view-only. Nothing is deleted that a check-in has used (the models protect it)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from checklists.admin import HistoryViewOnlyMixin, NoDeleteMixin, ReadOnlyMixin
from checklists.models import ProtocolVersion

from .models import Alert, Checkin, CheckinAnswer, CheckinPoint, CheckinQuestion, CheckinRule


def _on_draft(item) -> bool:
    """Only a draft version's check-in data changes (None: a new item, its version chosen among drafts)."""
    return item is None or item.protocol_version.is_editable


class DraftOnlyMixin(NoDeleteMixin):
    """Check-in data changes on a draft only; a published version's is what its episodes are asked (403 on save)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _on_draft(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "protocol_version":
            kwargs["queryset"] = ProtocolVersion.objects.filter(status=ProtocolVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "questions":
            kwargs["queryset"] = CheckinQuestion.objects.filter(protocol_version__status=ProtocolVersion.Status.DRAFT)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CheckinRuleInline(admin.TabularInline):
    model = CheckinRule
    extra = 0
    fields = ("answer", "min_score", "level", "reason")

    # `obj` is the question: its rules change with it, on a draft only.
    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and _on_draft(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and _on_draft(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and _on_draft(obj)


@admin.register(CheckinQuestion)
class CheckinQuestionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("key", "protocol_version", "position", "kind", "text")
    list_filter = ("protocol_version", "kind")
    inlines = [CheckinRuleInline]

    def save_formset(self, request, form, formset, change):
        # A rule belongs to its question's protocol version.
        for rule in formset.save(commit=False):
            rule.protocol_version = form.instance.protocol_version
            rule.save()
        formset.save_m2m()


@admin.register(CheckinPoint)
class CheckinPointAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("key", "protocol_version", "anchor", "days", "answer_within_hours")
    list_filter = ("protocol_version", "anchor")
    filter_horizontal = ("questions",)


@admin.register(Checkin)
class CheckinAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("episode", "point", "opens_at", "closes_at", "status", "level", "answered_via")
    list_filter = ("status", "level")
    list_select_related = ("episode__patient", "episode__protocol_version__protocol", "point")


@admin.register(CheckinAnswer)
class CheckinAnswerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("checkin", "question", "value", "score")
    list_select_related = (
        "checkin__episode__patient",
        "checkin__episode__protocol_version__protocol",
        "checkin__point",
        "question",
    )


@admin.register(Alert)
class AlertAdmin(HistoryViewOnlyMixin, ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("checkin", "kind", "raised_at", "escalate_at", "acknowledged_at", "acknowledged_by", "outcome")
    list_filter = ("kind", "outcome")
    list_select_related = (
        "checkin__episode__patient",
        "checkin__episode__protocol_version__protocol",
        "checkin__point",
        "acknowledged_by",
    )
