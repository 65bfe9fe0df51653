"""One JSON line per request: who, what, how it ended and how long it took; never what was searched.

The path is logged without its query string (the worklist's name search lives there) and the user
by id and role only, so no patient's name reaches the logs.
"""

import datetime as dt
import json
import logging
import re
import time
import uuid

from django.http import HttpRequest

logger = logging.getLogger("kypho_tracker.requests")

# A request id set by the proxy in front (X-Request-ID) is kept when it looks like one.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_log(get_response):
    """Time every request and log it as structured fields; echo the request id in the response."""

    def middleware(request: HttpRequest):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        response = get_response(request)
        user = getattr(request, "user", None)
        authenticated = bool(user and user.is_authenticated)
        fields = {
            "request_id": request.request_id,
            "user_id": user.pk if authenticated else None,
            "role": user.role if authenticated else None,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        logger.info("request", extra={"fields": fields})
        response["X-Request-ID"] = request.request_id
        return response

    return middleware


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
