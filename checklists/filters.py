import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User

from .models import Readiness

WORKLIST_DAYS_AHEAD = 14


class WorklistFilter(django_filters.FilterSet):
    """The worklist's filters; all of them live in the URL so a view can be bookmarked and shared."""

    start_from = django_filters.DateFilter(
        label="From", method="filter_start_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    start_to = django_filters.DateFilter(
        label="To", method="filter_start_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    readiness = django_filters.ChoiceFilter(
        label="Readiness",
        choices=Readiness.upcoming_choices(),
        empty_label="Any readiness",
    )
    nurse = django_filters.ModelChoiceFilter(
        label="Assigned nurse",
        queryset=User.objects.filter(role=Role.NURSE).order_by("first_name", "last_name"),
        empty_label="Any nurse",
    )
    q = django_filters.CharFilter(label="Name or MRN", method="filter_search")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain Bootstrap classes instead of crispy here: the worklist is the page drawn most often.
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    @classmethod
    def default_params(cls) -> dict[str, str]:
        today = timezone.localdate()
        return {
            "start_from": today.isoformat(),
            "start_to": (today + dt.timedelta(days=WORKLIST_DAYS_AHEAD)).isoformat(),
        }

    def filter_start_from(self, queryset, name, value: dt.date):
        return queryset.filter(scheduled_start__gte=_local_midnight(value))

    def filter_start_to(self, queryset, name, value: dt.date):
        return queryset.filter(scheduled_start__lt=_local_midnight(value + dt.timedelta(days=1)))

    def filter_search(self, queryset, name, value: str):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(patient__mrn__iexact=term)
                | Q(patient__first_name__icontains=term)
                | Q(patient__last_name__icontains=term)
            )
        return queryset


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
