"""Requests no page can answer sensibly, refused before any view or library sees them; headers on every answer."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers


def reject_nul_bytes(get_response):
    """A NUL byte in the path, query string or a header is a 400.

    PostgreSQL cannot store NUL in text, so such a value would fail as a 500 wherever it reached the
    database (django-axes records the user agent of every failed log-in; admin filters query with
    the query string). Form fields already refuse NUL themselves.
    """

    def middleware(request: HttpRequest):
        headers = [value for key, value in request.META.items() if key.startswith("HTTP_") and isinstance(value, str)]
        query = [text for key, values in request.GET.lists() for text in (key, *values)]
        if any("\x00" in text for text in (request.path, *query, *headers)):
            return HttpResponseBadRequest("The request contains a NUL character.", content_type="text/plain")
        return get_response(request)

    return middleware


def security_headers(get_response):
    """Nothing a logged-in user sees is kept by the browser or a proxy; browser features we never use are off.

    Pages and downloads alike (PDF, calendar, CSV): each carries patient data, and a shared ward
    computer's cache or back button must not show it to the next person.
    """

    def middleware(request: HttpRequest):
        response = get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware
