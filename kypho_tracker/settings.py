"""Settings for Kypho Tracker: one file, every deployment value read from the environment."""

import datetime
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-dev-only-change-me" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "phonenumber_field",
    "accounts",
    "audit",
    "checklists",
    "portal",
    "reports",
    "medicines",
    "health_check",
    "notifications",
    "checkins",
]

MIDDLEWARE = [
    # First, so it times the whole stack and logs every answer, refusals included.
    "kypho_tracker.request_log.request_log",
    "kypho_tracker.middleware.reject_nul_bytes",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kypho_tracker.middleware.security_headers",
    "django_htmx.middleware.HtmxMiddleware",
    # After htmx (it reads request.htmx): logs out idle and over-age sessions, and turns the log-in
    # redirect of an htmx request into HX-Redirect so the browser goes to the log-in page.
    "accounts.sessions.session_timeout",
    # Until the second step of log-in is done (when the login has one), only that step's pages open.
    "accounts.mfa.SecondStepMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it must see the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kypho_tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "kypho_tracker.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take SQLite's write lock up front, so two requests changing the
    # same task are serialised the way SELECT ... FOR UPDATE serialises them on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles each large aggregate for 80-140 ms (measured on the report), far
    # more than the queries of a web request take to run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# One connection per worker process, kept between requests and checked before a request reuses it,
# so a database restart fails only the requests in flight and the next ones reconnect.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every app server (rate limits, rendered PDFs): Redis in production (`CACHE_URL`, else
# `REDIS_URL`, e.g. redis://127.0.0.1:6379/1); a per-process memory cache when neither is set.
CACHES = {"default": env.cache_url("CACHE_URL", default=env.str("REDIS_URL", default="locmemcache://"))}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's four, plus 12 characters for staff and no reuse of the current password (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "accounts.passwords.StaffMinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.NotCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Automatic log-off (HIPAA 164.312(a)(2)(iii)): after this long without a request, and in any case
# SESSION_MAX_AGE_HOURS after log-in. See accounts/sessions.py.
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=15)
PATIENT_IDLE_TIMEOUT_MINUTES = env.int("PATIENT_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_MAX_AGE_HOURS = env.int("SESSION_MAX_AGE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 60 * 60

# Two-step log-in (django-otp, accounts/mfa.py): required for admins and the Django admin when on.
REQUIRE_ADMIN_MFA = env.bool("REQUIRE_ADMIN_MFA", default=not DEBUG)
OTP_TOTP_ISSUER = "Kypho Tracker"

# Rate limits (kypho_tracker/rate_limits.py), as "count/period" (s, m, h, d) per client address or login.
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="20/m"),  # log-in attempts per address, any account
    "password-reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/h"),  # reset emails per address
    "invitation": env.str("RATE_LIMIT_INVITATION", default="30/h"),  # invitation emails per login
    "pdf": env.str("RATE_LIMIT_PDF", default="10/m"),  # checklist PDFs per login
}
# django-ratelimit reads the client's address the way the audit logs do (a trusted proxy's record of it).
RATELIMIT_IP_META_KEY = "kypho_tracker.client_address.client_ip"

# django-axes: lock an account out after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Log-in ignores the username's case, so the lock-out must too: NURSE, Nurse and nurse are one account.
AXES_USERNAME_CALLABLE = "accounts.lockout.canonical_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_HTTPONLY = True  # only the server reads it (Django's set_language view)
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
# The hospital's timezone: every due time a nurse or patient sees is shown in it.
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A strict Content Security Policy: only our own vendored scripts and styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page of ours uses, switched off (kypho_tracker/middleware.py sends it).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Shown to patients with the warning signs: the number that reaches the ward day and night.
WARD_PHONE = env.str("WARD_PHONE", default="(555) 010-0100")
# Invitation links (Django's password-reset tokens) expire after this many seconds.
PASSWORD_RESET_TIMEOUT = env.int("INVITE_LINK_TIMEOUT_SECONDS", default=3 * 24 * 60 * 60)

# Check-ins after the procedure (app checkins): a check-in link sent by SMS or email works this long
# at most (and never after its check-in closes, nor once answered); unacknowledged alerts escalate
# after these times. The link is made when its message is sent (at the check-in's opening, or the end
# of the quiet hours): the default, the longest answering window a check-in may have (14 days; the
# baseline's is 7), lets a link work until its check-in closes.
CHECKIN_LINK_MAX_AGE_SECONDS = env.int("CHECKIN_LINK_MAX_AGE_SECONDS", default=14 * 24 * 60 * 60)
CHECKIN_EMERGENCY_ESCALATION_MINUTES = env.int("CHECKIN_EMERGENCY_ESCALATION_MINUTES", default=30)
CHECKIN_CALL_TODAY_ESCALATION_WORKING_HOURS = env.int("CHECKIN_CALL_TODAY_ESCALATION_WORKING_HOURS", default=4)
# Who is told of an escalated alert (by the notifications outbox): an email address and/or a mobile
# number (E.164 or national); neither set: the escalation shows in the app only.
WARD_ESCALATION_EMAIL = env.str("WARD_ESCALATION_EMAIL", default="")
WARD_ESCALATION_PHONE = env.str("WARD_ESCALATION_PHONE", default="")
# The ward's working hours, Monday to Friday, hospital time (checklists/hospital_time.add_working_hours):
# the clock of a call-today alert's escalation and of an expedited task's due time.
WORKDAY_START = datetime.time.fromisoformat(env.str("WORKDAY_START", default="08:00"))
WORKDAY_END = datetime.time.fromisoformat(env.str("WORKDAY_END", default="18:00"))
# Scheduled too late for the protocol: a task whose due time has passed is due this many working hours
# from the scheduling (never after the patient's arrival) and labelled expedited.
EXPEDITED_WORKING_HOURS = env.int("EXPEDITED_WORKING_HOURS", default=4)

# Readiness: a critical task due within this many hours puts its episode "at risk".
READINESS_AT_RISK_HOURS = env.int("READINESS_AT_RISK_HOURS", default=48)

SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kypho-tracker@localhost")

# Phone numbers are stored in E.164 (+12025550123); a number typed without a country code is read as US.
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"

# Messages to patients (app `notifications`, see its README): the outbox rows are written with the
# clinical change; Celery workers send them. With no broker configured, Celery uses a folder on disk
# (`make run`: one worker beside the web server, no Redis needed).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BASE_DIR / ".run" / "broker"),
        "data_folder_out": str(BASE_DIR / ".run" / "broker"),
        "processed_folder": str(BASE_DIR / ".run" / "broker-done"),
        "control_folder": str(BASE_DIR / ".run" / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
# One queue name per deployment, so two deployments (or a test) can share a broker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="kypho")
# Messages and the check-ins' sweep use that queue; checklist PDFs have their own, so that patients fetching
# PDFs never hold back a change alert or a ward escalation (production runs a worker for each: Procfile).
CELERY_DOCUMENTS_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-documents"
CELERY_TASK_ROUTES = {"portal.tasks.render_checklist_pdf": {"queue": CELERY_DOCUMENTS_QUEUE}}
CELERY_TASK_IGNORE_RESULT = True
# Patients' checklist PDFs not yet cached are rendered by a worker (portal/pdf.py), which hands them back
# through the cache: so only where every process shares one (CACHE_URL/REDIS_URL); else in the request.
PORTAL_PDF_IN_WORKER = env.bool(
    "PORTAL_PDF_IN_WORKER", default=not CACHES["default"]["BACKEND"].endswith(".LocMemCache")
)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# How often the pick-up job looks for due messages (Celery beat): a change alert leaves within this.
NOTIFY_PICKUP_SECONDS = env.int("NOTIFY_PICKUP_SECONDS", default=20)
CELERY_BEAT_SCHEDULE = {
    "send-due-messages": {"task": "notifications.tasks.dispatch_due_messages", "schedule": NOTIFY_PICKUP_SECONDS},
    # Check-ins: mark missed ones (a follow-up call) and stamp escalations (defined with the CHECKIN_ settings).
    "sweep-checkins": {"task": "checkins.tasks.sweep_checkins", "schedule": 60},
}
# Local clock times (hospital timezone) of the planned messages; quiet hours are "HH:MM-HH:MM".
NOTIFY_WEEK_BEFORE_AT = env.str("NOTIFY_WEEK_BEFORE_AT", default="10:00")
NOTIFY_NIGHT_BEFORE_AT = env.str("NOTIFY_NIGHT_BEFORE_AT", default="17:00")
NOTIFY_AFTER_CARE_AT = env.str("NOTIFY_AFTER_CARE_AT", default="10:00")
NOTIFY_QUIET_HOURS = env.str("NOTIFY_QUIET_HOURS", default="21:00-08:00")
NOTIFY_TASK_REMINDER_LEAD_MINUTES = env.int("NOTIFY_TASK_REMINDER_LEAD_MINUTES", default=120)
# A patient step due from arrival until this many hours after the start is done in the hospital: no reminder.
NOTIFY_IN_CARE_HOURS = env.int("NOTIFY_IN_CARE_HOURS", default=6)
# Where patients go on the day, as the confirmation says it.
PROCEDURE_PLACE = env.str("PROCEDURE_PLACE", default="the day-surgery reception desk, main hospital, ground floor")
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=5)
# Per-provider rate limits (Celery's per-worker task rate limit, "N/s" or "N/m").
NOTIFY_EMAIL_RATE_LIMIT = env.str("NOTIFY_EMAIL_RATE_LIMIT", default="10/s")
NOTIFY_SMS_RATE_LIMIT = env.str("NOTIFY_SMS_RATE_LIMIT", default="1/s")
# Where links in messages point (the portal, the calendar file); no trailing slash.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# SMS: the console backend prints; `notifications.sms.TwilioBackend` sends through Twilio.
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.ConsoleBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / ".run" / "sms"))
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")

# X-Forwarded-Proto (and the client address in X-Forwarded-For) are believed only when a TLS proxy
# that sets them is in front: otherwise any client could claim "https" or another address.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds the whole domain and its subdomains to HTTPS in every browser, for months,
    # and is slow to undo: the hospital's domain owner decides, so it is off unless set.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    # The load balancer probes the app servers over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]

# JSON lines on stderr for the log pipeline (`LOG_FORMAT=text` for people); one line per request
# from kypho_tracker.request_log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kypho_tracker.request_log.JsonFormatter"}, "text": {}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
