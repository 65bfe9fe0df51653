"""Test settings: the production settings, with a fast password hasher and no HTTPS redirect."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from kypho_tracker.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# On in production (DEBUG off); the two-step log-in's own tests turn it on.
REQUIRE_ADMIN_MFA = False
# Tests run without collectstatic: no manifest, and static files come straight from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Tests never share a cache with anything: each process has its own, whatever the shell exports.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Messages: sent in-process by the tests that dispatch them; SMS kept in memory (notifications.sms.outbox).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
SMS_BACKEND = "notifications.sms.LocmemBackend"
# Checklist PDFs are queued to a worker (eager here: rendered inline, then found in the cache).
PORTAL_PDF_IN_WORKER = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as in production, not Django's shared in-memory test database: there a second connection
    # gets "table is locked" at once, where a file waits for the write lock that IMMEDIATE transactions
    # take at BEGIN (tests/test_lock_order.py races two services on it).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
