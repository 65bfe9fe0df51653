"""Probes for the load balancer: liveness (the process answers) and readiness (it can serve pages)."""

import dataclasses

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu.exceptions import OperationalError


def liveness(request: HttpRequest) -> HttpResponse:
    """Checks nothing on purpose: restart the process only when it no longer answers at all."""
    return HttpResponse("ok", content_type="text/plain")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection, whatever its transport (Redis, RabbitMQ, a folder)."""

    url: str = dataclasses.field(repr=False)

    def run(self):
        from kypho_tracker.celery import app

        try:
            with app.connection_for_write(self.url) as connection:
                connection.ensure_connection(max_retries=1, timeout=3)
        except OperationalError as error:
            raise ServiceUnavailable("The task broker cannot be reached.") from error


class ReadinessView(HealthCheckView):
    """200 when the database, the cache and the task broker answer; 500 naming the failed ones otherwise."""

    def get_checks(self):
        return [Database(), Cache(), Broker(url=settings.CELERY_BROKER_URL)]
