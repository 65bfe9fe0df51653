"""Django admin: admins tune the check-in questions, schedule and rules (load_checkin_protocols never
overwrites their edits); check-ins, answers and alerts are clinical records, read-only here, and their
histories view-only. Nothing is deleted that a check-in has used (the models protect it)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from checklists.admin import HistoryViewOnlyMixin, NoDeleteMixin, ReadOnlyMixin

from .models import Alert, Checkin, CheckinAnswer, CheckinPoint, CheckinQuestion, CheckinRule


class CheckinRuleInline(admin.TabularInline):
    model = CheckinRule
    extra = 0
    fields = ("answer", "min_score", "level", "reason")


@admin.register(CheckinQuestion)
class CheckinQuestionAdmin(NoDeleteMixin, admin.ModelAdmin):
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
class CheckinPointAdmin(NoDeleteMixin, admin.ModelAdmin):
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
