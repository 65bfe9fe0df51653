"""The project's URLs plus the benchmark's baseline page, used only by the benchmark scripts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from kypho_tracker.urls import urlpatterns as project_urlpatterns


@login_required
def trivial_page(request):
    """The least a real page does here: session, logged-in user, base template."""
    return render(request, "base.html")


urlpatterns = [path("bench/trivial-page/", trivial_page, name="bench-trivial-page"), *project_urlpatterns]
