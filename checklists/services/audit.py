"""The one way a clinical service saves a record: with who made the change and why, in its history."""


def save_with_history(instance, *, by, reason: str) -> None:
    """Save `instance`; django-simple-history records `by` and `reason` on the history row it writes."""
    instance._history_user = by
    instance._change_reason = reason
    instance.save()
