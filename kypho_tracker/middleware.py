"""Requests no page can answer sensibly, refused before any view or library sees them."""

from django.http import HttpRequest, HttpResponseBadRequest


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
