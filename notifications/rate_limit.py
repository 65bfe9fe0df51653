"""Each provider's sending rate, shared by every worker: a counter per time window in the Django cache.

Celery's own `rate_limit` counts per worker process, so N workers would send N times the rate the
provider allows (Twilio queues or refuses the excess). Here every worker takes a send from one
counter per provider and window (`notify-rate:<channel>:<window>`), in the cache all app servers
share (`CACHE_URL`, Redis in production; `incr` is atomic there). Without a shared cache (the
default per-process memory cache: `make run`'s single worker) the limit holds per process.
"""

import time

from django.conf import settings
from django.core.cache import cache as default_cache

from .models import Channel

UNIT_SECONDS = {"s": 1, "m": 60, "h": 60 * 60}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/s" → (10 sends, in a window of 1 second); also "/m" and "/h"."""
    count, _, unit = rate.strip().partition("/")
    return int(count), UNIT_SECONDS[unit or "s"]


def provider_rate(channel: str) -> str:
    return settings.NOTIFY_EMAIL_RATE_LIMIT if channel == Channel.EMAIL else settings.NOTIFY_SMS_RATE_LIMIT


def send_slot_wait(channel: str, *, now: float | None = None, cache=None) -> float:
    """Take one send from the channel's allowance in the current window: 0 if granted, else the seconds
    until the next window begins (the caller waits that long and asks again)."""
    cache = cache or default_cache
    limit, window = parse_rate(provider_rate(channel))
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"notify-rate:{channel}:{slot}"
    cache.add(key, 0, timeout=window * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: this send opens the window again
        cache.add(key, 1, timeout=window * 2)
        used = 1
    return 0.0 if used <= limit else (slot + 1) * window - now
