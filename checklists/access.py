"""Who may reach which object. A user with no link to an object gets 404, the wrong role 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import ChecklistTask, Episode, Patient


def role_required(*roles: Role) -> Callable:
    """Let in logged-in users with one of `roles`; send anonymous users to log in, others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_episode_for_care_team(user, pk: int) -> Episode:
    """Fetch an episode a nurse or admin may open, with what its page shows."""
    episode = get_object_or_404(
        Episode.objects.visible_to(user).select_related("patient", "nurse", "protocol_version__protocol"), pk=pk
    )
    if not user.is_care_team:
        raise PermissionDenied
    return episode


def get_task_for_nurse(user, pk: int) -> ChecklistTask:
    """Fetch a task a nurse may change."""
    task = get_object_or_404(
        ChecklistTask.objects.filter(episode__in=Episode.objects.visible_to(user)).select_related("episode"), pk=pk
    )
    if user.role != Role.NURSE:
        raise PermissionDenied
    return task


def get_patient_for_care_team(user, pk: int) -> Patient:
    if not user.is_care_team:
        raise PermissionDenied
    return get_object_or_404(Patient, pk=pk)
