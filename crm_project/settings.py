"""Relay CRM settings. Everything deployment-specific comes from the environment."""

import secrets
import sys
from pathlib import Path

import dj_database_url

from crm_project.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# Without a key, management commands (migrate, create_account) still run, with a
# throwaway key; serving refuses to start (crm_project/wsgi.py) unless debugging.
SECRET_KEY_IS_EPHEMERAL = not SECRET_KEY
if SECRET_KEY_IS_EPHEMERAL:
    SECRET_KEY = (
        "django-insecure-development-key-never-use-in-production"
        if DEBUG
        else secrets.token_urlsafe(50)
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
PORT = env_int("PORT", 8000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "djmoney",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "accounts.apps.AccountsConfig",
    "schedules.apps.SchedulesConfig",
    "customfields.apps.CustomfieldsConfig",
    "events.apps.EventsConfig",
    "trash.apps.TrashConfig",
    "companies.apps.CompaniesConfig",
    "contacts.apps.ContactsConfig",
    "deals.apps.DealsConfig",
    "activities.apps.ActivitiesConfig",
    "notes.apps.NotesConfig",
    "notifications.apps.NotificationsConfig",
    "web.apps.WebConfig",
    "demo.apps.DemoConfig",
    "scaleout.apps.ScaleoutConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crm_project.middleware.RejectOversizedBodyMiddleware",
    "crm_project.middleware.RejectNulInQueryMiddleware",
    "crm_project.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crm_project.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "web.signin_return.SignInReturnsToPageMiddleware",
    # Last: its retry re-runs the view and its rendering only (see the module).
    "crm_project.shard_move_retry.RetrySafeRequestOnShardMoveMiddleware",
]

ROOT_URLCONF = "crm_project.urls"
WSGI_APPLICATION = "crm_project.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "web.context_processors.navigation",
            ],
        },
    },
]

# SQLite file in the project folder is the embedded default; DATABASE_URL picks PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own psycopg 3 pool; a persistent connection per thread would defeat it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Each connection is checked as it leaves the pool, so after PostgreSQL restarts
    # the app recovers by itself instead of failing on dead connections.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
    }
    # JIT compiles any plan the planner costs high (a forecast over 200,000 deals) and
    # that takes longer than running it: tens of ms per OLTP query, for nothing.
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
    # Parameters sent apart from the SQL, so psycopg prepares a statement that a pooled
    # connection runs often (from its 5th run) and PostgreSQL stops planning it again:
    # every request's token lookup, counter and page queries; +12% list throughput.
    # DATABASE_PREPARE_THRESHOLD=0 turns preparing off, for a pooler such as PgBouncer
    # in transaction mode without prepared-statement support.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    prepare_threshold = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        prepare_threshold if prepare_threshold > 0 else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages (and the import's progress polls) read while a background task
    # writes; IMMEDIATE transactions take the write lock up front instead of failing
    # halfway with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Bodies above this are refused with 413 before any parser reads them; file uploads
# (the CSV import: 50,000 rows) have their own, larger limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_MAX_BODY_BYTES", 2_621_440)
MAX_UPLOAD_BYTES = env_int("DJANGO_MAX_UPLOAD_BYTES", 12 * 1024 * 1024)

# Served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto):
# DJANGO_HTTPS=1 turns on redirects, secure cookies and HSTS.
HTTPS = env_bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The cache of this process; nothing relies on it being shared (throttles do not use it).
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Rate-limit counters must be shared by every worker process, or each of gunicorn's
# workers grants the whole budget again. They live in Redis when REDIS_URL is set, else
# in a table of the database (created by a migration, so `migrate` is enough). Only the
# development server, a single process, counts in its own memory: on SQLite a write per
# request would queue behind a CSV import's long transaction. accounts/checks.py refuses
# a per-process backend anywhere else.
RUNNING_DEVELOPMENT_SERVER = sys.argv[1:2] == ["runserver"]
THROTTLE_CACHE_TABLE = "throttle_counters"
if REDIS_URL:
    CACHES["throttles"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "throttle",
    }
elif RUNNING_DEVELOPMENT_SERVER:
    CACHES["throttles"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttles",
    }
else:
    CACHES["throttles"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": THROTTLE_CACHE_TABLE,
        # Every write counts the table (Django culls past MAX_ENTRIES): kept small, it
        # stays sub-millisecond; culling first drops expired counters.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "lib.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "lib.api.filters.StableOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["lib.api.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lib.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api.throttles.TokenRateThrottle"],
    # Proxies in front of the app that append the client's address to X-Forwarded-For:
    # with 0 the peer address (REMOTE_ADDR) is the client and the header is ignored, so
    # a client cannot pick its own address to escape a limit.
    "NUM_PROXIES": env_int("DJANGO_TRUSTED_PROXIES", 0, minimum=0),
    "DEFAULT_THROTTLE_RATES": {
        "api": env_str("API_THROTTLE_RATE", "1200/min"),
        "login_ip": env_str("LOGIN_IP_THROTTLE_RATE", "30/min"),
        "login_username": env_str("LOGIN_USERNAME_THROTTLE_RATE", "10/min"),
        # The calendar feed: per feed URL, and per client address over every feed.
        "calendar_feed": env_str("CALENDAR_FEED_THROTTLE_RATE", "60/hour"),
        "calendar_feed_address": env_str("CALENDAR_FEED_ADDRESS_THROTTLE_RATE", "120/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Relay CRM API",
    "DESCRIPTION": "Contacts, companies, deals, activities and notes, scoped to one account.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The record types (events, the trash) keep one name whatever other enums exist.
    "ENUM_NAME_OVERRIDES": {
        "RecordTypeEnum": "events.models.RECORD_TYPES",
        "ActivityTypeEnum": "activities.models.Activity.Type",
        # A definition's record types are a subset: named apart, or one replaced the other.
        "CustomFieldRecordTypeEnum": "customfields.models.CustomFieldDefinition.RecordType",
        "CustomFieldTypeEnum": "customfields.models.CustomFieldDefinition.Type",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lib.api.schema.add_error_responses",
    ],
}

PHONENUMBER_DEFAULT_FORMAT = "E164"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Strict CSP: no inline script or style anywhere (the admin alone may use inline styles,
# see crm_project/csp.py); every asset is served from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Background work (the CSV import): django-tasks, its queue in the database. A worker
# runs beside the web server (`manage.py db_worker`, started by `make run`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Mail (notifications): the console under `make run` (debug), SMTP otherwise.
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Relay CRM <relay@localhost>")
# Where the web app is reached, for links in mail (sent by the worker, without a
# request to take the host from).
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}")
