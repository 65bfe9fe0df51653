"""Checks that apps above `checklists` add to the day-of sign-off, registered at start-up in their
`AppConfig.ready()` (the medicines app: day-of labs such as the INR), so that `checklists` never
imports them. Each check answers the reasons the episode is not ready; like an open critical task,
any reason refuses the sign-off unless the nurse gives an override reason.
"""

from collections.abc import Callable

from .models import Episode

SignOffCheck = Callable[[Episode], list[str]]

_checks: list[SignOffCheck] = []


def sign_off_check(function: SignOffCheck) -> SignOffCheck:
    """Register the decorated function as a sign-off check (call from an AppConfig.ready())."""
    if function not in _checks:
        _checks.append(function)
    return function


def sign_off_problems(episode: Episode) -> list[str]:
    """Every registered check's reasons, in registration order."""
    return [problem for check in _checks for problem in check(episode)]
