"""Probes for the load balancer: liveness (the process answers) and readiness (it can serve pages)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


def liveness(request: HttpRequest) -> HttpResponse:
    """Checks nothing on purpose: restart the process only when it no longer answers at all."""
    return HttpResponse("ok", content_type="text/plain")


def readiness_checks() -> list:
    """The database and the cache, and the task broker when one is configured (Redis)."""
    checks = [Database(), Cache()]
    broker_url = getattr(settings, "CELERY_BROKER_URL", "")
    if broker_url.startswith(("redis://", "rediss://")):
        checks.append(Redis(client_factory=lambda: RedisClient.from_url(broker_url)))
    return checks


class ReadinessView(HealthCheckView):
    """200 when every check passes, 500 naming the failed ones otherwise (`?format=json` for machines)."""

    def get_checks(self):
        return readiness_checks()
