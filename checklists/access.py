"""Who may reach which object. A user with no link to an object gets 404, the wrong role 403."""

from collections.abc import Callable, Collection
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import ChecklistTask, Episode, Patient

CARE_TEAM = (Role.NURSE, Role.ADMIN)
NURSES = (Role.NURSE,)


def role_required(*roles: Role) -> Callable:
    """Let in logged-in users with one of `roles`; send anonymous users to log in, others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            _check_role(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_episode_for(user, pk: int, *, roles: Collection[Role] = CARE_TEAM) -> Episode:
    """Fetch an episode the user may see, with what its page shows, if their role may open it."""
    episode = get_object_or_404(
        Episode.objects.visible_to(user)
        .with_readiness()
        .select_related("patient", "nurse", "signed_off_by", "protocol_version__protocol"),
        pk=pk,
    )
    _check_role(user, roles)
    return episode


def get_task_for(user, pk: int, *, roles: Collection[Role] = NURSES) -> ChecklistTask:
    """Fetch a task of an episode the user may see, if their role may change it."""
    task = get_object_or_404(ChecklistTask.objects.filter(episode__in=Episode.objects.visible_to(user)), pk=pk)
    _check_role(user, roles)
    return task


def get_patient_for(user, pk: int, *, roles: Collection[Role] = CARE_TEAM) -> Patient:
    """Fetch a patient record the user may see, if their role may open it."""
    patient = get_object_or_404(Patient.objects.visible_to(user), pk=pk)
    _check_role(user, roles)
    return patient


def _check_role(user, roles: Collection[Role]) -> None:
    if user.role not in roles:
        raise PermissionDenied
