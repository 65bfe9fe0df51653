"""Rate limits (django-ratelimit over the shared cache): log-in attempts and password-reset emails per
client address, invitation emails and PDF downloads per login. Over the limit: 429 with a message.

The counters live in the default cache, which must be shared by every app server in production
(CACHE_URL / REDIS_URL, see Operations); with the per-process memory cache each server counts apart.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited


def rate_limited(group: str, *, key: str, methods: tuple[str, ...] = ("POST",)):
    """Limit a view to settings.RATE_LIMITS[group] (e.g. "20/m") requests per `key` ("ip" or "user")."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            rate = settings.RATE_LIMITS[group]
            if request.method in methods and is_ratelimited(
                request, group=group, key=key, rate=rate, method=list(methods), increment=True
            ):
                return HttpResponse(
                    "Too many requests in a short time. Please wait a minute and try again.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
