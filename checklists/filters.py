import datetime as dt

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import Role, User

from .forms import PersonChoiceField
from .hospital_time import PLAUSIBLE_DATE_VALIDATORS, local_midnight, today
from .models import Readiness

WORKLIST_DAYS_AHEAD = 14
SEARCH_MAX_LENGTH = 100


class WorklistFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start_from, start_to = cleaned.get("start_from"), cleaned.get("start_to")
        if start_from and start_to and start_from > start_to:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return cleaned


class NurseFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


class WorklistFilter(django_filters.FilterSet):
    """The worklist's filters; all of them live in the URL so a view can be bookmarked and shared."""

    scope = django_filters.ChoiceFilter(
        choices=[("mine", "My patients")], method="filter_scope", widget=forms.HiddenInput
    )
    start_from = django_filters.DateFilter(
        label="From",
        method="filter_start_from",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=PLAUSIBLE_DATE_VALIDATORS,
    )
    start_to = django_filters.DateFilter(
        label="To",
        method="filter_start_to",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=PLAUSIBLE_DATE_VALIDATORS,
    )
    readiness = django_filters.ChoiceFilter(
        label="Readiness",
        choices=Readiness.upcoming_choices(),
        empty_label="Any readiness",
    )
    nurse = NurseFilter(
        label="Assigned nurse",
        queryset=User.objects.filter(role=Role.NURSE).order_by("first_name", "last_name"),
        empty_label="Any nurse",
    )
    q = django_filters.CharFilter(label="Name or MRN", method="filter_search", max_length=SEARCH_MAX_LENGTH)

    class Meta:
        form = WorklistFilterForm

    form_class = None  # built by the first worklist request

    def get_form_class(self):
        """The filter form's class, built once, not once per request as django-filter does. A class
        holds no data: each form gets its own copies of the fields, and the nurse choices a fresh query."""
        if WorklistFilter.form_class is None:
            form_class = super().get_form_class()
            # Plain Bootstrap classes instead of crispy here: the worklist is the page drawn most often.
            for field in form_class.base_fields.values():
                field.widget.attrs["class"] = (
                    "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )
            WorklistFilter.form_class = form_class
        return WorklistFilter.form_class

    @classmethod
    def default_params(cls) -> dict[str, str]:
        first = today()
        return {
            "start_from": first.isoformat(),
            "start_to": (first + dt.timedelta(days=WORKLIST_DAYS_AHEAD)).isoformat(),
        }

    @property
    def is_mine(self) -> bool:
        """The "My patients" tab: only the episodes assigned to the nurse looking."""
        return self.form.cleaned_data.get("scope") == "mine"

    def filter_scope(self, queryset, name, value: str):
        user = getattr(self.request, "user", None)
        return queryset.filter(nurse=user) if user is not None else queryset.none()

    def filter_start_from(self, queryset, name, value: dt.date):
        return queryset.filter(scheduled_start__gte=local_midnight(value))

    def filter_start_to(self, queryset, name, value: dt.date):
        return queryset.filter(scheduled_start__lt=local_midnight(value + dt.timedelta(days=1)))

    def filter_search(self, queryset, name, value: str):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(patient__mrn__iexact=term)
                | Q(patient__first_name__icontains=term)
                | Q(patient__last_name__icontains=term)
            )
        return queryset
