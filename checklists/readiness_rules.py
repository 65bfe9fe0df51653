"""Conditions that apps above `checklists` add to the readiness rule, registered at start-up in their
`AppConfig.ready()` (the medicines app: a medicine waiting for the prescriber's decision), so that
`checklists` never imports them. Each condition is an SQL expression on the episode (an `Exists`
or a `Q`), so `Episode.objects.with_readiness()` stays one annotation: no extra query, and nothing
stored.

A registered condition makes a scheduled episode **At risk** when nothing makes it Blocked: the
Blocked rules (a critical task overdue) come first, and an app that wants to block puts a critical
task on the checklist (the medicines app's "Prescriber's decision for X"), which blocks once overdue.
"""

import datetime as dt
from collections.abc import Callable
from functools import reduce
from operator import or_

from django.db.models import Q

# (now, horizon) -> a condition on Episode; horizon = now + READINESS_AT_RISK_HOURS.
AtRiskCondition = Callable[[dt.datetime, dt.datetime], Q]

_at_risk_conditions: list[AtRiskCondition] = []


def at_risk_condition(function: AtRiskCondition) -> AtRiskCondition:
    """Register the decorated function as an At-risk condition (call from an AppConfig.ready())."""
    if function not in _at_risk_conditions:
        _at_risk_conditions.append(function)
    return function


def registered_at_risk(*, now: dt.datetime, horizon: dt.datetime) -> Q | None:
    """Every registered condition, joined by OR; None when no app registered one."""
    conditions = [condition(now, horizon) for condition in _at_risk_conditions]
    return reduce(or_, conditions) if conditions else None
