"""Settings for the awarding-body hub.

Every value comes from the environment (see the table in README.md). The defaults need
no service at all: SQLite, media on local disk, Celery over kombu's filesystem transport
and email to the console. Setting DATABASE_URL, REDIS_URL, EMAIL_URL and the S3 variables
switches each part to its production service; DJANGO_DEBUG=0 is the production profile.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from hub.storage import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("HUB_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The production profile is fixed when settings load; pytest-django flips DEBUG at run
# time, so code that must behave differently in production reads this flag instead.
HUB_PRODUCTION = not DEBUG

if HUB_PRODUCTION:
    # No default: a production process without its own key refuses to start.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="django-insecure-development-only-key-do-not-deploy"
    )
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "hub",
    "centres",
    "par",
    "moderation",
    "claims",
    "certificates",
    "notices",
    "downloads",
    "reviews",
]

MIDDLEWARE = [
    # Outermost: it times the whole request, sees its final status and names it in the logs.
    "hub.request_log.RequestLogMiddleware",
    # Before anything reads the Host header: load balancers probe by address (hub/middleware.py).
    "hub.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hub.sessions.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the user the session engine read with the session (one round trip).
    "centres.middleware.AuthenticationMiddleware",
    # After authentication, so it sees who the response is for.
    "hub.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp, its one policy built once (hub/csp.py).
    "hub.csp.CSPMiddleware",
    "centres.middleware.CurrentCentreMiddleware",
    # Last, as django-axes asks: it turns a lockout signal into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"

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
                "centres.context_processors.current_centre",
                "hub.context_processors.navigation",
                "hub.csrf.context",
            ],
        },
    },
]

WSGI_APPLICATION = "hub.wsgi.application"

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, worker and beat read while one of them writes; IMMEDIATE
    # transactions take the write lock up front, so a writer waits (timeout) instead of
    # failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, whose health check polls the socket before any SELECT 1.
        DATABASES["default"]["ENGINE"] = "hub.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server, and every statement run twice on a connection prepared
    # (psycopg): its parse and plan are reused while the connection lives (CONN_MAX_AGE).
    # PostgreSQL CPU per view on the 20k bench copy, the 11 bench pages: 34.4 -> 22.9 ms in
    # all, every page lower; planning was 0.05-0.35 ms a statement. HUB_DB_PREPARED_STATEMENTS=0
    # turns preparing off, behind a pooler in transaction mode.
    _pg = DATABASES["default"].setdefault("OPTIONS", {})
    _pg.setdefault("server_side_binding", True)
    if env.bool("HUB_DB_PREPARED_STATEMENTS", default=True):
        _pg.setdefault("prepare_threshold", 2)
    # Planner settings sent with each connection (libpq options: no superuser, no server
    # config; HUB_PG_OPTIONS replaces them). The hub's database fits in memory, so a random
    # page read costs about a sequential one: random_page_cost=1.1. That also keeps prepared
    # statements' generic plans on the indexes: at 4, PAR Bulk's page query hashed all 30,000
    # registrations of the qualification (page 5.6 -> 6.7 ms); at 1.1 it probes 100 learners.
    # jit=off: PAR Bulk's count plan costs 38,690 at 20k learners and grows with them; past
    # jit_above_cost (100,000) every view would compile it (measured: 13.0 -> 25.3 ms).
    _pg["options"] = " ".join(
        filter(
            None,
            [
                _pg.get("options", ""),
                env.str("HUB_PG_OPTIONS", default="-c random_page_cost=1.1 -c jit=off"),
            ],
        )
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "centres.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user and their memberships in one statement.
    "centres.backends.MembershipsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations use the same link: three days

# Sessions last a working day idle, so nobody loses work to the old portals' ten-minute
# timeout. hub.sessions renews one (a single write) only once HUB_SESSION_RENEW_SECONDS
# have passed since its last write, never on every request.
SESSION_COOKIE_AGE = env.int("HUB_SESSION_SECONDS", default=60 * 60 * 8)
# Sessions live in the database, which every web node shares (never a node's cache or files);
# hub.session_store is Django's database engine reading the session, its user and their
# memberships in one statement (table hub_session: Django's with the user's id).
SESSION_ENGINE = "hub.session_store"
HUB_SESSION_RENEW_SECONDS = env.int("HUB_SESSION_RENEW_SECONDS", default=15 * 60)
# R-NEW-1: pages warn this long before an idle session would end, with "Stay logged in".
HUB_SESSION_WARNING_SECONDS = env.int("HUB_SESSION_WARNING_SECONDS", default=300)

# django-axes: five wrong passwords for one email from one address lock that pair out.
AXES_FAILURE_LIMIT = env.int("HUB_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("HUB_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# axes would look for USERNAME_FIELD ("email"), but the login form and authenticate() call
# it "username": without this every failure is recorded with no email at all.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the app: hub.client_ip counts them off X-Forwarded-For, and
# gives the lockout and every rate limit the same client address (django-ipware, which
# axes would otherwise use, is not installed).
HUB_PROXY_COUNT = env.int("HUB_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "hub.client_ip.axes_client_ip"

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The hub speaks British English only, and Django's en-GB catalogues say what their source
# strings say. Without the translation machinery every gettext, date and number in a
# template skips a per-request language lookup (asgiref's Local): about a tenth of the batch
# page's Python (issue 9). Dates and numbers keep en-GB's formats: get_language() is still
# LANGUAGE_CODE, so Django's en_GB format module is used.
USE_I18N = False
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("HUB_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No MEDIA_URL: uploads are never public; every download goes through an access check.

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
HUB_SIGNED_URL_SECONDS = env.int("HUB_SIGNED_URL_SECONDS", default=60)
# A production install keeps no state on a web node: uploads and certificates go to S3, so
# any node (or a replacement) serves them. Local media is for one machine, said explicitly.
HUB_SINGLE_NODE = env.bool("HUB_SINGLE_NODE", default=False)
if AWS_STORAGE_BUCKET_NAME:
    default_storage = s3_storage(
        bucket_name=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region_name=env.str("AWS_S3_REGION_NAME", default=""),
        signed_url_seconds=HUB_SIGNED_URL_SECONDS,
    )
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            # WhiteNoise's manifest storage, each address worked out once (hub/staticfiles.py).
            "hub.staticfiles.StaticFilesStorage"
            if HUB_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not HUB_PRODUCTION
if not HUB_PRODUCTION:
    # Local folders the embedded defaults write to (WhiteNoise warns when one is missing).
    for _folder in (STATIC_ROOT, MEDIA_ROOT):
        _folder.mkdir(parents=True, exist_ok=True)
# Uploads arrive on disk, never whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000  # a PAR page may tick thousands of units at once

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down or unreachable fails fast, so callers that fail safe
            # (rate limits) answer at once instead of waiting for the OS to give up.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Awarding Body Hub <hub@awarding.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
HUB_MODERATION_TEAM_EMAIL = env.str("HUB_MODERATION_TEAM_EMAIL", default="moderation@awarding.test")

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "store_processed": False,
    }
else:
    # Longer than any task runs, so Redis does not hand a running task to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("HUB_REDIS_VISIBILITY_TIMEOUT", default=60 * 60)
    }

# --- Production keeps no state on one node --------------------------------------------
# Any web node or worker may serve any request or task, so what they share lives in shared
# services: files in S3, the cache (rate limits) and the broker in Redis, the database (and
# with it sessions and locks) in PostgreSQL. A node-local part is refused unless
# HUB_SINGLE_NODE=1 says this install is one machine.
if HUB_PRODUCTION and not HUB_SINGLE_NODE:
    _local = [
        name
        for name, is_local in (
            ("media on local disk (set AWS_STORAGE_BUCKET_NAME)", not AWS_STORAGE_BUCKET_NAME),
            (
                "SQLite (set DATABASE_URL to PostgreSQL)",
                "sqlite3" in DATABASES["default"]["ENGINE"],
            ),
            ("a per-process cache (set REDIS_URL)", not REDIS_URL),
            ("a broker on local disk (set REDIS_URL)", CELERY_BROKER_URL == "filesystem://"),
        )
        if is_local
    ]
    if _local:
        raise ImproperlyConfigured(
            "The production profile keeps no state on one node, but this configuration has "
            + "; ".join(_local)
            + ". Set HUB_SINGLE_NODE=1 if this is a single-node install."
        )

CELERY_TASK_IGNORE_RESULT = True
# The queue every task goes to and every worker reads: another name lets two installs (or a
# test's own processes) share one Redis without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("HUB_CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
# Beat keeps its schedule in memory (hub/beat.py): no file a restart could find half-written,
# and each sweep takes a lock (hub/locks.py), so a second beat by mistake does nothing twice.
CELERY_BEAT_SCHEDULER = "hub.beat:MemoryScheduler"
# Deadlines are indexed columns swept here, never long ETA tasks (R-SLA-3).
CELERY_BEAT_SCHEDULE: dict = {
    "certificates-sweep": {
        "task": "certificates.tasks.sweep_certificates",
        "schedule": env.int("HUB_CERTIFICATE_SWEEP_SECONDS", default=300),
    },
    "sla-sweep": {
        "task": "moderation.tasks.sweep_sla",
        "schedule": env.int("HUB_SLA_SWEEP_SECONDS", default=900),
    },
    "claims-processing-sweep": {
        "task": "claims.tasks.sweep_finalised_claims",
        "schedule": env.int("HUB_CLAIMS_SWEEP_SECONDS", default=600),
    },
    "outbox-sweep": {
        "task": "hub.tasks.outbox_sweep",
        "schedule": env.int("HUB_OUTBOX_SWEEP_SECONDS", default=60),
    },
    "orphan-sweep": {
        "task": "hub.tasks.orphan_sweep",
        "schedule": env.int("HUB_ORPHAN_SWEEP_SECONDS", default=6 * 60 * 60),
    },
    # Sessions past their expiry (a working day) are deleted, so the table holds live ones.
    "session-sweep": {
        "task": "hub.tasks.session_sweep",
        "schedule": env.int("HUB_SESSION_SWEEP_SECONDS", default=6 * 60 * 60),
    },
    "download-sweep": {
        "task": "downloads.tasks.download_sweep",
        "schedule": env.int("HUB_DOWNLOAD_SWEEP_SECONDS", default=15 * 60),
    },
    # R-REV-2: reviews due soon or overdue alert as moderation's SLA does.
    "review-sla-sweep": {
        "task": "reviews.tasks.sweep_review_sla",
        "schedule": env.int("HUB_REVIEW_SWEEP_SECONDS", default=900),
    },
}
# A prepared download's link works this long after its zip is built; then beat's download
# sweep removes the zip from storage (R-DL-1).
HUB_DOWNLOAD_EXPIRY_HOURS = env.int("HUB_DOWNLOAD_EXPIRY_HOURS", default=72)
# Stored files no row refers to (work killed between storing a file and committing its row)
# are removed by the orphan sweep (hub/orphans.py) once older than this.
HUB_ORPHAN_GRACE_HOURS = env.int("HUB_ORPHAN_GRACE_HOURS", default=24)
# The outbox (hub/outbox.py): first retry after HUB_OUTBOX_RETRY_SECONDS, doubling up to
# HUB_OUTBOX_MAX_DELAY; a delivery claimed longer than the lease ago (its worker died) is
# taken over; after HUB_OUTBOX_MAX_ATTEMPTS the row stays for an admin to look at.
HUB_OUTBOX_RETRY_SECONDS = env.int("HUB_OUTBOX_RETRY_SECONDS", default=30)
HUB_OUTBOX_MAX_DELAY = env.int("HUB_OUTBOX_MAX_DELAY", default=60 * 60)
HUB_OUTBOX_LEASE_SECONDS = env.int("HUB_OUTBOX_LEASE_SECONDS", default=15 * 60)
HUB_OUTBOX_MAX_ATTEMPTS = env.int("HUB_OUTBOX_MAX_ATTEMPTS", default=12)

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if HUB_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the nodes over plain HTTP, behind the TLS they terminate.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-csp 4: no inline script or style anywhere; every asset is served from here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# No input gets maxlength (a browser cuts what is typed without a word); the server says the limit.
FORM_RENDERER = "hub.forms.FormRenderer"

# --- Hub rules ------------------------------------------------------------------------
HUB_MAX_DOCUMENT_MB = env.int("HUB_MAX_DOCUMENT_MB", default=10)
# One learner's work for one unit on a moderation batch (R-BAT-5).
HUB_MAX_SAMPLE_MB = env.int("HUB_MAX_SAMPLE_MB", default=50)
# A zip upload may unpack to at most this much (guards the moderator against zip bombs).
HUB_MAX_ZIP_UNCOMPRESSED_MB = env.int("HUB_MAX_ZIP_UNCOMPRESSED_MB", default=500)
HUB_MAX_IMPORT_MB = env.int("HUB_MAX_IMPORT_MB", default=5)
# Most wall or CPU seconds the content checks may spend on one upload before refusing it.
HUB_UPLOAD_CHECK_SECONDS = env.float("HUB_UPLOAD_CHECK_SECONDS", default=5.0)
HUB_PAGE_SIZE = env.int("HUB_PAGE_SIZE", default=50)
# Links in emails sent by background tasks, which have no request to build them from.
HUB_SITE_URL = env.str("HUB_SITE_URL", default="http://127.0.0.1:8000/")
# R-CRT-3: the name printed at the head of every certificate.
HUB_AWARDING_BODY_NAME = env.str("HUB_AWARDING_BODY_NAME", default="The Awarding Body")
# R-SLA-1: warn the moderator and the moderation team this many days before the SLA ends.
HUB_SLA_WARN_DAYS = env.int("HUB_SLA_WARN_DAYS", default=5)
# R-REV-1: a centre may ask for a review this many months after the outcome (a batch's
# moderation outcome, a claim's finalisation); R-REV-2: the review's SLA clock, from Requested.
HUB_REVIEW_WINDOW_MONTHS = env.int("HUB_REVIEW_WINDOW_MONTHS", default=3)
HUB_REVIEW_SLA_WEEKS = env.int("HUB_REVIEW_SLA_WEEKS", default=4)
# R-SLA-2: a certificate dispatch is at risk this many working days before it is due.
HUB_DISPATCH_AT_RISK_WORKING_DAYS = env.int("HUB_DISPATCH_AT_RISK_WORKING_DAYS", default=2)
# A claim on an email older than this belongs to a dead worker; the sweep takes it over.
HUB_DISPATCH_CLAIM_MINUTES = env.int("HUB_DISPATCH_CLAIM_MINUTES", default=15)
# The sweep leaves younger work to the normal path (issue task, then dispatch task).
HUB_HEAL_AFTER_MINUTES = env.int("HUB_HEAL_AFTER_MINUTES", default=10)
# Public "verify a certificate" page: attempts per client address per minute.
HUB_VERIFY_ATTEMPTS_PER_MINUTE = env.int("HUB_VERIFY_ATTEMPTS_PER_MINUTE", default=10)

# "json": one line of JSON per record, and one per request on hub.request (method, path
# name, status, duration, user id, request id; hub/request_log.py), for a log platform.
# "text": plain lines for a terminal, where runserver already logs each request.
HUB_LOG_FORMAT = env.str("HUB_LOG_FORMAT", default="json" if HUB_PRODUCTION else "text")
if HUB_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("HUB_LOG_FORMAT is json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 400) is one line with its reason, never a traceback: on the
    # logger where Django writes 403s, and on the handler for django.security.* children.
    "filters": {
        "client_errors_on_one_line": {"()": "hub.log_filters.ClientErrorsOnOneLine"},
        "request_id": {"()": "hub.request_log.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "hub.request_log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_errors_on_one_line", "request_id"],
            **({"formatter": "json"} if HUB_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["client_errors_on_one_line"]},
        "hub.request": {"level": "INFO" if HUB_LOG_FORMAT == "json" else "WARNING"},
    },
}
# In JSON mode the worker and beat log through the handler above (JSON, with the id of the
# request that sent the task) instead of Celery replacing it with its own text format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = HUB_LOG_FORMAT != "json"
