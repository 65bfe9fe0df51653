from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from checklists.access import role_required
from checklists.models import Episode
from checklists.selectors import episode_timeline


@role_required(Role.PATIENT)
def checklist(request: HttpRequest) -> HttpResponse:
    episodes = (
        Episode.objects.visible_to(request.user)
        .exclude(status=Episode.Status.CANCELLED)
        .select_related("protocol_version__protocol")
        .order_by("scheduled_start")
    )
    timelines = [(episode, episode_timeline(episode)) for episode in episodes]
    return render(request, "portal/checklist.html", {"timelines": timelines})
