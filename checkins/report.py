"""The check-in figures of the admins' report, for the report's period (procedures by their scheduled start).

Definitions (also on the report page):
- Response rate = check-ins answered ÷ check-ins answered or missed; those still to come, still open or
  cancelled with their procedure are not counted.
- Alerts by kind: every alert raised for the period's procedures (emergency, call today, missed).
- Time to acknowledge: minutes from an alert being raised to its first acknowledgement, acknowledged
  alerts only; the median, and p90 by nearest rank (the smallest time that 90 % of them were within).
- Pain: procedures with both a baseline score and a score 4–6 weeks after (a check-in 28 to 42 days
  after the end; the latest one when there are two). Improved = at least 2 points lower than baseline.
"""

import math
import statistics
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Alert, Anchor, Checkin, CheckinAnswer

WEEKS_4_TO_6 = (28, 42)
IMPROVED_BY = 2


@dataclass(frozen=True)
class CheckinFigures:
    answered: int
    missed: int
    alerts_by_kind: dict[str, int]
    minutes_to_acknowledge: list[float]
    not_acknowledged: int
    pain_pairs: list[tuple[int, int]]  # (baseline, 4–6 weeks) per procedure

    @property
    def response_rate(self) -> float | None:
        due = self.answered + self.missed
        return 100 * self.answered / due if due else None

    @property
    def median_minutes_to_acknowledge(self) -> float | None:
        return statistics.median(self.minutes_to_acknowledge) if self.minutes_to_acknowledge else None

    @property
    def p90_minutes_to_acknowledge(self) -> float | None:
        times = sorted(self.minutes_to_acknowledge)
        return times[math.ceil(0.9 * len(times)) - 1] if times else None

    @property
    def median_pain_baseline(self) -> float | None:
        return statistics.median(before for before, _ in self.pain_pairs) if self.pain_pairs else None

    @property
    def median_pain_4_to_6_weeks(self) -> float | None:
        return statistics.median(after for _, after in self.pain_pairs) if self.pain_pairs else None

    @property
    def improved_rate(self) -> float | None:
        if not self.pain_pairs:
            return None
        improved = sum(1 for before, after in self.pain_pairs if before - after >= IMPROVED_BY)
        return 100 * improved / len(self.pain_pairs)


def checkin_figures(scope) -> CheckinFigures:
    """Three queries: check-in counts, the alerts, the pain scores that pair up."""
    episodes = scope.episodes()
    counts = Checkin.objects.filter(episode__in=episodes).aggregate(
        answered=Count("pk", filter=Q(status=Checkin.Status.ANSWERED)),
        missed=Count("pk", filter=Q(status=Checkin.Status.MISSED)),
    )
    alerts = list(
        Alert.objects.filter(checkin__episode__in=episodes).values_list("kind", "raised_at", "acknowledged_at")
    )
    by_kind = dict.fromkeys(Alert.Kind.values, 0)
    for kind, _, _ in alerts:
        by_kind[kind] += 1
    scores = (
        CheckinAnswer.objects.filter(checkin__episode__in=episodes, score__isnull=False)
        .filter(
            Q(checkin__point__anchor=Anchor.BEFORE_START)
            | Q(checkin__point__anchor=Anchor.AFTER_END, checkin__point__days__range=WEEKS_4_TO_6)
        )
        .order_by("checkin__opens_at")
        .values_list("checkin__episode_id", "checkin__point__anchor", "score")
    )
    baseline, later = {}, {}
    for episode_id, anchor, score in scores:
        (baseline if anchor == Anchor.BEFORE_START else later)[episode_id] = score
    return CheckinFigures(
        answered=counts["answered"],
        missed=counts["missed"],
        alerts_by_kind=by_kind,
        minutes_to_acknowledge=[(acked - raised).total_seconds() / 60 for _, raised, acked in alerts if acked],
        not_acknowledged=sum(1 for *_, acked in alerts if acked is None),
        pain_pairs=[(baseline[episode_id], later[episode_id]) for episode_id in sorted(baseline.keys() & later.keys())],
    )
