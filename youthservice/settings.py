"""Youthservice settings: one module, every value from the environment.

Embedded default (no environment): SQLite, Celery tasks run in-process, DEBUG only when
DJANGO_DEBUG=1 (set by `make run`). Production sets DATABASE_URL, CELERY_BROKER_URL,
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (see docker-compose.yml and the README).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# A development key exists only while DEBUG is on; production must supply its own.
SECRET_KEY = (
    env("DJANGO_SECRET_KEY", default="insecure-development-key-only-for-make-run")
    if DEBUG
    else env("DJANGO_SECRET_KEY")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Messages live in the session, never in a cookie: one can hold a self-update link to copy.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
COUNCIL_NAME = env("YOUTHSERVICE_COUNCIL_NAME", default="Demo Borough Council")
# The council's DfE local-authority code: the NCCIS return's LA and a transfer package's sender. The demo
# is 882; production must name its own (three digits, as the DfE's list of LA codes gives them).
COUNCIL_LA_CODE = env("YOUTHSERVICE_LA_CODE", default="882") if DEBUG else env("YOUTHSERVICE_LA_CODE")
if not (len(COUNCIL_LA_CODE) == 3 and COUNCIL_LA_CODE.isdigit() and COUNCIL_LA_CODE >= "201"):
    raise ImproperlyConfigured(
        f"YOUTHSERVICE_LA_CODE must be the council's 3-digit DfE code, not {COUNCIL_LA_CODE!r}"
    )
# The address young people's self-update links point at (emails are sent from tasks, not requests).
SITE_URL = env("YOUTHSERVICE_SITE_URL", default="http://127.0.0.1:8000")
# Email: the console in the embedded default; production sets EMAIL_URL (smtp+tls://user:pass@host:587).
# Without DEBUG there is no default: the console would print young people's addresses and links.
vars().update(env.email_url("EMAIL_URL", default="consolemail://") if DEBUG else env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="youth-support@example.invalid")
# GOV.UK Notify for self-update links by text message and email (exchange/notify.py). Without a key,
# emails go through EMAIL_URL and text messages to the console (or SMS_FILE_PATH), DEBUG only.
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_EMAIL_TEMPLATE_ID = env("NOTIFY_EMAIL_TEMPLATE_ID", default="")
SMS_FILE_PATH = env("SMS_FILE_PATH", default="")
# The cache carries import progress between the worker and the pages: production shares one in Redis.
# Production shares one (Redis): throttles and lockouts must count across every gunicorn worker.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://") if DEBUG else env.cache_url("CACHE_URL")
}
# Managers' dashboards are about 30 aggregate queries over every status: each viewer's figures are
# kept this long (the page says how fresh they are). 0 computes them on every view.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # trigram lookups for name search (cases/namesearch.py); idle on SQLite
    "django.forms",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, never a CDN
    "guardian",
    "simple_history",
    # The project's apps, ground floor first (docs/architecture.md; `make lint` enforces the layers).
    "core",
    "cases",
    "tracking",
    "sharing",
    "exchange",
    "retention",
    "demo",  # demo data and the synthetic council
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ApiTrailingSlashMiddleware",
    "core.middleware.RateLimitHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cases.middleware.ReachOncePerRequest",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "core.middleware.TwoFactorRequiredMiddleware",
    "core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "youthservice.urls"
FORM_RENDERER = "core.forms.FormRenderer"  # GOV.UK fields in Jinja2 (core/jinja2/), the admin's in templates
WSGI_APPLICATION = "youthservice.wsgi.application"

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
                "core.context_processors.service",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: pages run short queries whose estimated cost can pass jit_above_cost, and
    # compiling took 25 ms of a 180 ms work-list count that runs in a few ms. Cursors planned for the
    # whole result: every .iterator() here (menus, facts, the return) reads to the end, and planned for
    # the first rows a filter menu's EXISTS took 250 ms instead of 5 (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c cursor_tuple_fraction=1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and access ----------------------------------------------------------------
# Object-level decisions are made only by cases/access.py, which honours co-worker grant expiry.
# guardian supplies the direct foreign-key permission tables; its backend is deliberately not
# installed, because it would grant expired co-worker permissions through user.has_perm(perm, obj).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username and address
    "core.backends.CachedPermissionsBackend",  # Django's model backend, its answers kept in the cache
]
# Sign-in lockout (django-axes): failures count per username *and* address, so one person's mistakes
# (or an attack on one account) never lock out colleagues behind the same council network address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:caseload"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after signing in,
# whichever comes first (core.middleware.SessionLifetimeMiddleware), and when the browser closes.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=10) * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Read from the shared cache, written through to the database: one query fewer on every request. Ended
# sessions are deleted through the session engine (core.services), which clears both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Two-factor authentication (django-otp, TOTP) for every account, in the browser and on the API.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Youthservice")

# --- Security (production values unless DEBUG) ------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
# With HSTS on, subdomains and preload too (the NCSC / GOV.UK guidance for public services); a council
# whose subdomains are not all on HTTPS yet sets these to 0.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# How many proxies in front of gunicorn append to X-Forwarded-For: the lockout and the API's
# per-address throttle read the address the outermost one saw (core.middleware.client_address).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXIES", default=1 if BEHIND_PROXY else 0)
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_address"

# Content Security Policy (django-csp): our own scripts, styles and images only; nothing inline, no
# plugins, no framing. GOV.UK Frontend and the API docs (drf-spectacular's sidecar) are served by us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST API (/api/v1/) ----------------------------------------------------------------------
# Knox tokens (stored hashed, expiring) for systems, sessions for the browser; both must pass the
# two-factor check (cases.access.VerifiedUser). JSON only; throttled per user and per address.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cases.access.VerifiedUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.AnonRateThrottle", "core.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="20/minute"),
        "user": env("API_USER_RATE", default="2000/hour"),
    },
    "EXCEPTION_HANDLER": "cases.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
IDEMPOTENCY_KEEP_HOURS = env.int("IDEMPOTENCY_KEEP_HOURS", default=24)  # a retry within it gets the first
REST_KNOX = {"TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=90)), "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "Youthservice API",
    "DESCRIPTION": (
        "Young people, contacts, actions, activities, offers, characteristics, disclosures and subject "
        "requests, each limited to the records the signed-in user may reach. Authenticate with "
        "`Authorization: Token <token>` (manage.py api_token_create) or a signed-in browser session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["cases.access.VerifiedUser"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OfferStateEnum": "tracking.models.Offer.State",
        "SubjectRequestStateEnum": "sharing.models.SubjectRequest.State",
        "SubjectRequestKindEnum": "sharing.models.SubjectRequest.Kind",
        "OrganisationKindEnum": "cases.models.Organisation.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "youthservice.api.schema_fixes",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files (GOV.UK Frontend is built into static/ by `make assets`) --------------------
# STATIC_URL is /assets/ because govuk-frontend's compiled CSS refers to /assets/images/...
STATIC_URL = "/assets/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- History ----------------------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True  # corrections are new edits with a reason, not reverts

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # embedded mode: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than this (a 50,000-row import takes about two minutes): a task still running is
# killed, and a message not acknowledged by then (its worker died) is delivered again soon after, so a
# crashed import does not sit for hours with its file in the database. The broker's visibility timeout
# must stay above the time limit, or Redis hands a running task to a second worker.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=20 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The key for destruction records' hashes; keep it when rotating DJANGO_SECRET_KEY, or records made
# before cannot be re-applied after a restore.
RETENTION_HASH_KEY = env("RETENTION_HASH_KEY", default="")
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# People destroyed in one transaction by the retention purge: each batch is wholly gone or wholly there.
RETENTION_PURGE_BATCH = env.int("RETENTION_PURGE_BATCH", default=2000)
# The destruction ledger (retention.ledger): every destruction written outside the database, so that
# restoring a backup cannot bring people back. Keep it off the database's disk and out of its backups,
# on storage that only appends; production must name it.
DESTRUCTION_LEDGER_DIR = (
    env("DESTRUCTION_LEDGER_DIR", default=str(BASE_DIR / "var" / "destruction-ledger"))
    if DEBUG
    else env("DESTRUCTION_LEDGER_DIR")
)

CELERY_BEAT_SCHEDULE = {  # every beat job is declared here, with a crontab.guru reading
    "nightly-work-lists": {
        "task": "cases.tasks.work_lists_rebuild",
        "schedule": crontab(minute=5, hour=0),  # "At 00:05" every day
    },
    "nightly-changes": {
        "task": "cases.tasks.changes_expire",
        "schedule": crontab(minute=15, hour=0),  # "At 00:15" every day
    },
    "nightly-tracking": {
        "task": "tracking.tasks.nightly_tracking",
        "schedule": crontab(minute=30, hour=1),  # "At 01:30" every day
    },
    "nightly-purge": {
        "task": "retention.tasks.purge_expired",
        "schedule": crontab(minute=30, hour=2),  # "At 02:30" every day
    },
    "nightly-import-data": {
        "task": "exchange.tasks.import_data_expire",
        "schedule": crontab(minute=0, hour=3),  # "At 03:00" every day
    },
    "self-update-delivery": {
        "task": "exchange.tasks.self_update_delivery_check",
        "schedule": crontab(minute="*/10"),  # "At every 10th minute"
    },
}
# How long the API's changes feed keeps a tombstone (a deleted, merged, moved or destroyed record's
# ids): a client that has not followed the feed for longer must sync again in full.
CHANGES_KEEP_DAYS = env.int("CHANGES_KEEP_DAYS", default=90)
# How long imports keep what they hold: an unfinished batch's file, a row waiting for review.
IMPORT_FILE_KEEP_DAYS = env.int("IMPORT_FILE_KEEP_DAYS", default=7)
REVIEW_ROW_KEEP_DAYS = env.int("REVIEW_ROW_KEEP_DAYS", default=90)

# --- Logging: JSON lines to stdout; personal data never logged --------------------------------
# Code logs ids only; core.logs also redacts identifiers and contact details from every
# message and logs exceptions by type and stack, never their message (tests/test_logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "core.logs.PersonalDataFilter"}},
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["personal_data"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (console in DEBUG, mail to ADMINS) would bypass the filter: ours only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
