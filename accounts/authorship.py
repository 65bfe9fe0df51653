"""Authorship is never lost: a login that changed a record stays, so its history keeps naming it.

simple-history's `history_user` is SET_NULL (not configurable), so deleting such a login would turn
its changes into "system" changes. Deleting it is refused here, for the admin and the shell alike;
deactivate it instead (the Django admin offers that). Clinical foreign keys to logins (the assigned
nurse, who completed or signed off) are PROTECT in their models.
"""

from django.apps import apps
from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import User


def history_models() -> list:
    return [model for model in apps.get_models() if any(f.name == "history_user" for f in model._meta.fields)]


def has_authored_records(user: User) -> bool:
    """Whether any history table names the login as the author of a change."""
    return any(model.objects.filter(history_user=user).exists() for model in history_models())


@receiver(pre_delete, sender=User, dispatch_uid="accounts.authorship.refuse_deleting_authors")
def refuse_deleting_authors(sender, instance: User, **kwargs) -> None:
    if has_authored_records(instance):
        raise ProtectedError(
            f"{instance} changed clinical records: deactivate the login instead of deleting it.", {instance}
        )
