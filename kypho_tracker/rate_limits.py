"""Rate limits (django-ratelimit over the shared cache): log-in attempts and password-reset emails per
client address, invitation emails and PDF downloads per login. Over the limit: 429 with a message.

The counters live in the default cache, which must be shared by every app server in production
(CACHE_URL / REDIS_URL, see Operations); with the per-process memory cache each server counts apart.
"""

from functools import partial, wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage


def rate_limited(
    group: str, *, key: str, methods: tuple[str, ...] = ("POST",), uncounted_statuses: tuple[int, ...] = ()
):
    """Limit a view to settings.RATE_LIMITS[group] (e.g. "20/m") requests per `key` ("ip" or "user").

    A response whose status is in `uncounted_statuses` (the PDF's "being prepared" page, 202) uses none of
    the allowance: for such a view the count is read before the view runs and raised after it answered
    anything else (requests in flight at the same moment may pass one or two over the limit).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return view(request, *args, **kwargs)
            usage = partial(
                get_usage, request, group=group, key=key, rate=settings.RATE_LIMITS[group], method=list(methods)
            )
            if not uncounted_statuses:
                return too_many_requests() if usage(increment=True)["should_limit"] else view(request, *args, **kwargs)
            so_far = usage(increment=False)
            if so_far["should_limit"] or so_far["count"] >= so_far["limit"]:
                return too_many_requests()
            response = view(request, *args, **kwargs)
            if response.status_code not in uncounted_statuses:
                usage(increment=True)
            return response

        return wrapper

    return decorator


def too_many_requests() -> HttpResponse:
    return HttpResponse(
        "Too many requests in a short time. Please wait a minute and try again.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
