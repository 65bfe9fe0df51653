"""The medicine catalogue (data, versioned, editable by admins) and each episode's medication plan."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from checklists.models import ChecklistTask, Episode

from .texts import Names


class DrugClass(models.TextChoices):
    VKA = "vka", _("Vitamin K antagonist")
    DOAC = "doac", _("Direct oral anticoagulant")
    HEPARIN = "heparin", _("Heparin")
    ANTIPLATELET = "antiplatelet", _("Antiplatelet")
    NSAID = "nsaid", _("Anti-inflammatory (NSAID)")
    COX2 = "cox2", _("COX-2 selective anti-inflammatory")
    GLP1_WEEKLY = "glp1_weekly", _("GLP-1 agonist, weekly")
    GLP1_DAILY = "glp1_daily", _("GLP-1 agonist, daily")
    SGLT2 = "sglt2", _("SGLT2 inhibitor")
    INSULIN = "insulin", _("Insulin")
    METFORMIN = "metformin", _("Metformin")
    OTHER = "other", _("Other")


class CatalogueEntry(models.Model):
    """What the shipped catalogue and the admins share: which catalogue version wrote a row, and
    whether an admin changed it since (then a newer shipped version never overwrites it silently)."""

    catalogue_version = models.PositiveIntegerField(default=1)
    locally_edited = models.BooleanField(
        default=False, help_text="Changed by an admin: loading a newer catalogue keeps this row and says so."
    )
    source = models.TextField(help_text="Where each figure comes from.")

    class Meta:
        abstract = True


class LabTest(CatalogueEntry):
    """A day-of laboratory check with its acceptable range (INR, platelets)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    name_es = models.CharField("name (Spanish)", max_length=60, blank=True)
    unit = models.CharField(max_length=20)
    lower_limit = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    upper_limit = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_in_range(self, value: Decimal) -> bool:
        below = self.lower_limit is not None and value < self.lower_limit
        above = self.upper_limit is not None and value > self.upper_limit
        return not (below or above)

    def describe_range(self) -> str:
        if self.lower_limit is not None and self.upper_limit is not None:
            return f"{self.lower_limit}–{self.upper_limit} {self.unit}"
        if self.upper_limit is not None:
            return f"≤ {self.upper_limit} {self.unit}"
        return f"≥ {self.lower_limit} {self.unit}"


class MedicineQuerySet(models.QuerySet):
    def search(self, term: str):
        """Catalogue entries whose generic or brand name (English or Spanish) contains `term`."""
        term = term.strip()
        return self.filter(
            Q(generic_name__icontains=term) | Q(brand_names__icontains=term) | Q(brand_names_es__icontains=term)
        )


class Medicine(CatalogueEntry):
    """A catalogue entry: the default hold before a high-bleeding-risk spine procedure and the restart after."""

    slug = models.SlugField(unique=True)
    generic_name = models.CharField(max_length=80)
    generic_name_es = models.CharField("generic name (Spanish)", max_length=100)
    brand_names = models.CharField(max_length=200, blank=True)
    brand_names_es = models.CharField("brand names (Spanish-speaking markets)", max_length=200, blank=True)
    drug_class = models.CharField(max_length=16, choices=DrugClass.choices)
    hold_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Whole calendar days with no dose before the procedure day."
    )
    hold_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Hours with no dose before the start (heparins)."
    )
    restart_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Earliest restart, in hours after the start; empty: the prescriber says."
    )
    lab_test = models.ForeignKey(LabTest, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    prescriber_must_decide = models.BooleanField(
        default=False, help_text="No date is proposed: the prescriber gives one (or says continue)."
    )
    usually_continued = models.BooleanField(default=False, help_text="The proposal is to keep taking it.")

    history = HistoricalRecords()
    objects = MedicineQuerySet.as_manager()

    class Meta:
        ordering = ["generic_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold_days__isnull=True) | Q(hold_hours__isnull=True), name="medicine_one_hold_unit"
            ),
            models.CheckConstraint(condition=Q(drug_class__in=DrugClass.values), name="medicine_class_valid"),
        ]

    def __str__(self) -> str:
        return self.generic_name

    @property
    def is_antiplatelet(self) -> bool:
        return self.drug_class == DrugClass.ANTIPLATELET

    @property
    def is_weekly_glp1(self) -> bool:
        return self.drug_class == DrugClass.GLP1_WEEKLY

    def describe_hold(self) -> str:
        if self.usually_continued:
            return "usually continued"
        if self.hold_hours is not None:
            return f"{self.hold_hours} h"
        if self.hold_days is not None:
            return f"{self.hold_days} day" if self.hold_days == 1 else f"{self.hold_days} days"
        return "prescriber decides"


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting for the prescriber")
    STOP_AS_PROPOSED = "stop_as_proposed", _("Stop as proposed")
    STOP_OTHER_DATE = "stop_other_date", _("Stop on another date")
    CONTINUE = "continue", _("Continue")
    CONTINUE_LIQUID_DIET = "continue_liquid_diet", _("Continue, with a 24-hour clear-liquid diet")
    BRIDGING = "bridging", _("Stop, with bridging")


class DecisionChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    NOTE = "note", _("Written note or order")
    IN_PERSON = "in_person", _("In person")
    MESSAGE = "message", _("Secure message")


class EpisodeMedicineQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)

    def visible_to(self, user):
        """Care team sees every plan; a patient only their own episodes' medicines."""
        return self.filter(episode__in=Episode.objects.visible_to(user))


class EpisodeMedicine(models.Model):
    """One medicine a patient takes, with the proposed hold and the prescriber's recorded decision.

    Dates are stored as rules relative to the procedure (a day offset from its local date, or minutes
    from its start), so a reschedule moves them; `last_dose_at_for` and friends turn them into times.
    """

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="medicines")
    medicine = models.ForeignKey(Medicine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    other_name = models.CharField("name (not in the catalogue)", max_length=80, blank=True)
    dose = models.CharField(max_length=80)
    indication = models.CharField("what it is for", max_length=120, blank=True)
    recent_coronary_stent = models.BooleanField(
        "coronary stent in the last 12 months",
        default=False,
        help_text="An antiplatelet is then the prescriber's call.",
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    # The proposal, frozen when the medicine is added (catalogue edits later do not change it).
    proposed_decision = models.CharField(max_length=24, choices=Decision.choices)
    proposed_last_dose_day = models.SmallIntegerField(null=True, blank=True)
    proposed_last_dose_minutes = models.IntegerField(null=True, blank=True)
    proposed_restart_minutes = models.IntegerField(null=True, blank=True)
    proposal_basis = models.CharField(max_length=200)

    # The prescriber's decision, taken by a nurse.
    decision = models.CharField(max_length=24, choices=Decision.choices, default=Decision.PENDING)
    last_dose_day = models.SmallIntegerField(null=True, blank=True)
    last_dose_minutes = models.IntegerField(null=True, blank=True)
    restart_minutes = models.IntegerField(null=True, blank=True)
    prescriber_name = models.CharField(max_length=120, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_channel = models.CharField(max_length=16, choices=DecisionChannel.choices, blank=True)
    decision_note = models.TextField(blank=True)
    bridging_plan = models.TextField(blank=True)
    shorter_hold_confirmed = models.BooleanField(default=False)
    hold_too_short = models.BooleanField(default=False)

    # The tasks this medicine put on the episode's checklist.
    decision_task = models.ForeignKey(ChecklistTask, on_delete=models.PROTECT, related_name="+")
    last_dose_task = models.ForeignKey(ChecklistTask, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    restart_task = models.ForeignKey(ChecklistTask, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    liquid_diet_task = models.ForeignKey(
        ChecklistTask, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = EpisodeMedicineQuerySet.as_manager()

    class Meta:
        ordering = ["episode", "added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(medicine__isnull=False) | ~Q(other_name=""), name="episode_medicine_named"
            ),
            models.CheckConstraint(
                condition=Q(last_dose_day__isnull=True) | Q(last_dose_minutes__isnull=True),
                name="episode_medicine_one_last_dose_rule",
            ),
            models.CheckConstraint(
                condition=Q(decision="pending") | (~Q(prescriber_name="") & Q(decided_at__isnull=False)),
                name="episode_medicine_decision_has_prescriber",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}".strip()

    @property
    def name(self) -> str:
        return self.medicine.generic_name if self.medicine else self.other_name

    @property
    def name_es(self) -> str:
        return self.medicine.generic_name_es if self.medicine else self.other_name

    @property
    def names(self) -> Names:
        return Names(en=self.name, es=self.name_es)

    @property
    def is_decided(self) -> bool:
        return self.decision != Decision.PENDING

    @property
    def stops(self) -> bool:
        """The decision is to stop it before the procedure (with or without bridging)."""
        return self.decision in (Decision.STOP_AS_PROPOSED, Decision.STOP_OTHER_DATE, Decision.BRIDGING)

    @property
    def lab_test(self) -> LabTest | None:
        return self.medicine.lab_test if self.medicine else None

    def catalogue_min_hold(self) -> tuple[int | None, int | None]:
        """(last dose day offset, last dose minutes) the catalogue asks for at least; (None, None): no minimum."""
        if self.medicine is None or self.medicine.prescriber_must_decide:
            return None, None
        if self.recent_coronary_stent and self.medicine.is_antiplatelet:
            return None, None
        return self.proposed_last_dose_day, self.proposed_last_dose_minutes

    def last_dose_at_for(self, start: dt.datetime, *, proposed: bool = False) -> dt.datetime | None:
        day, minutes = (
            (self.proposed_last_dose_day, self.proposed_last_dose_minutes)
            if proposed
            else (self.last_dose_day, self.last_dose_minutes)
        )
        rule = last_dose_rule(day=day, minutes=minutes)
        return rule.due_at_for(start) if rule else None

    def restart_at_for(self, start: dt.datetime, *, proposed: bool = False) -> dt.datetime | None:
        minutes = self.proposed_restart_minutes if proposed else self.restart_minutes
        return None if minutes is None else ChecklistTask(due_offset_minutes=minutes).due_at_for(start)

    @property
    def proposed_last_dose_at(self) -> dt.datetime | None:
        return self.last_dose_at_for(self.episode.scheduled_start, proposed=True)

    @property
    def proposed_restart_at(self) -> dt.datetime | None:
        return self.restart_at_for(self.episode.scheduled_start, proposed=True)

    @property
    def last_dose_at(self) -> dt.datetime | None:
        return self.last_dose_at_for(self.episode.scheduled_start)

    @property
    def restart_at(self) -> dt.datetime | None:
        return self.restart_at_for(self.episode.scheduled_start)


# A last dose counted in calendar days is "by 11:59 p.m." of that day, the patient's own clock.
LAST_DOSE_CLOCK = dt.time(23, 59)


def last_dose_rule(*, day: int | None, minutes: int | None) -> ChecklistTask | None:
    """An unsaved task carrying the last-dose due rule (the checklist's own due arithmetic), or None."""
    if minutes is not None:
        return ChecklistTask(due_offset_minutes=minutes)
    if day is not None:
        return ChecklistTask(due_day_offset=day, due_clock_time=LAST_DOSE_CLOCK)
    return None


# The protocol's own medicine-review task, closed by the review's answer (a test pins it in the shipped protocol).
REVIEW_TASK_TITLE = "Review all medicines and plan when to stop blood thinners"


class MedicineReview(models.Model):
    """The answer to "what does the patient take?": the list is complete, or no regular medicines."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="medicine_review")
    no_regular_medicines = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return "No regular medicines" if self.no_regular_medicines else "Medicine list complete"


class LabResult(models.Model):
    """A day-of lab value with its unit, judged against the catalogue's range when it was recorded."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="lab_results")
    lab_test = models.ForeignKey(LabTest, on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(max_digits=7, decimal_places=2)
    unit = models.CharField(max_length=20)
    lower_limit = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    upper_limit = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    in_range = models.BooleanField()
    taken_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.lab_test.name} {self.value} {self.unit}"
