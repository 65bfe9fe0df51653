"""Mark a view as reading patient data: each successful answer (2xx) then writes a `PatientRead` row.

    @login_required
    @reads_patient_data("episode")          # the URL's `pk` is an episode's id
    def episode_detail(request, pk): ...

    @reads_patient_data("patient", kwarg="patient_pk")   # another URL argument names the patient
    @reads_patient_data("task")             # a task's id: its episode and patient are logged
    @reads_patient_data("own")              # a patient's own record, with no id in the URL
    @reads_patient_data("many")             # many patients at once (a report, a CSV): path and filters

Refused requests (403, 404, a 400 form) are not reads and write nothing.
"""

from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.http import HttpRequest, HttpResponse

from kypho_tracker.client_address import client_ip

from .models import PatientRead


def _episode(request, pk):
    episode = apps.get_model("checklists", "Episode").objects.filter(pk=pk).values("pk", "patient_id").first()
    return (episode["patient_id"], episode["pk"]) if episode else (None, None)


def _task(request, pk):
    task = apps.get_model("checklists", "ChecklistTask").objects.filter(pk=pk)
    row = task.values("episode_id", "episode__patient_id").first()
    return (row["episode__patient_id"], row["episode_id"]) if row else (None, None)


def _own(request, pk):
    patient = apps.get_model("checklists", "Patient").objects.filter(user=request.user).values("pk").first()
    return (patient["pk"] if patient else None), None


RESOLVERS: dict[str, Callable] = {
    "episode": _episode,
    "task": _task,
    "patient": lambda request, pk: (pk, None),
    "own": _own,
    "many": lambda request, pk: (None, None),
}


def reads_patient_data(kind: str, *, kwarg: str = "pk") -> Callable:
    resolve = RESOLVERS[kind]

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300 and request.user.is_authenticated:
                patient_id, episode_id = resolve(request, kwargs.get(kwarg))
                record_read(request, patient_id=patient_id, episode_id=episode_id)
            return response

        return wrapper

    return decorator


def record_read(request: HttpRequest, *, patient_id: int | None, episode_id: int | None) -> PatientRead:
    return PatientRead.objects.create(
        user=request.user,
        patient_id=patient_id,
        episode_id=episode_id,
        view_name=request.resolver_match.view_name if request.resolver_match else "",
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
    )
