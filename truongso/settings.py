"""Trường Số settings: one module, driven by the environment, runnable with no configuration.

With nothing set it runs on an embedded SQLite database under ``var/`` with a filesystem
task queue, which is what ``make demo`` uses. Production sets ``DATABASE_URL``,
``REDIS_URL``, ``SECRET_KEY`` (or ``SECRET_KEY_FILE``), ``ALLOWED_HOSTS`` and ``SITE_ROOT``.
A malformed value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRUONGSO_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """Read ``NAME`` or the file named by ``NAME_FILE`` (Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    # Zero-configuration runs keep a random key on disk; production must set SECRET_KEY
    # so that every app server signs sessions with the same key.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


TESTING = "pytest" in sys.modules or env_bool("TRUONGSO_TESTING", False)
CI = env_bool("CI", False)
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
SITE_ROOT = env("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
HTTPS = SITE_ROOT.startswith("https://")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
if TESTING:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = [SITE_ROOT]
# Demo installations (``make demo`` sets it) show a banner and the current code on the TOTP page.
DEMO_MODE = env_bool("TRUONGSO_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "bootstrap",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "truongso.core",
    "truongso.registry",
    "truongso.accounts",
    "truongso.workflow",
    "truongso.gradebook",
    "truongso.admissions",
    "truongso.payments",
    "truongso.reportcards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "truongso.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "truongso.core.middleware.RequestContextMiddleware",
    "truongso.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "truongso.urls"
WSGI_APPLICATION = "truongso.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "truongso.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'truongso.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades inside write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DB_POOL", False):
        # Django 5.1+ native psycopg 3 pool; incompatible with CONN_MAX_AGE.
        _db["OPTIONS"] = {"pool": {"min_size": 2, "max_size": env_int("DB_POOL_SIZE", 10)}}
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        _db["CONN_HEALTH_CHECKS"] = True
DATABASES: dict[str, Any] = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, task queue ----------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from the cache, written through to the database. Not under tests: the
    # query counts the suite asserts must not depend on whether Redis is configured.
    SESSION_ENGINE = (
        "django.contrib.sessions.backends.cached_db"
        if not TESTING
        else "django.contrib.sessions.backends.db"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache"
            if not TESTING
            else "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(VAR_DIR / "cache") if not TESTING else "truongso-tests",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_QUEUE_DIR = VAR_DIR / "queue"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "out"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "out"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        # Broadcasts (worker pings, remote control) too; kombu's default is ./control.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"

# --- Security -----------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_NAME = "truongso_session"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Failed logins allowed per (username, IP) and per IP within the window before a lock-out.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_IP_LIMIT = env_int("LOGIN_FAILURE_IP_LIMIT", 50)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
OTP_TOTP_ISSUER = "Trường Số"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# One catalogue per area of the product (locale/<area>/<lang>/LC_MESSAGES/django.po),
# compiled to .mo by ``make messages`` with polib, so no gettext install is needed.
# Where two catalogues translate the same msgid, the earlier path wins: the base areas come
# first so that a newer app never changes the words of the pages it builds on (and
# core/tests/test_catalogues.py refuses such conflicts anyway).
_BASE_AREAS = [
    "core", "api", "registry_org", "registry_students", "registry_io",
    "gradebook", "gradebook_api", "gradebook_entry", "gradebook_results",
]  # fmt: skip
LOCALE_PATHS = sorted(
    (p for p in (BASE_DIR / "locale").glob("*") if p.is_dir()),
    key=lambda p: (_BASE_AREAS.index(p.name) if p.name in _BASE_AREAS else 99, p.name),
)
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["truongso.formats"]
LANGUAGE_COOKIE_NAME = "truongso_language"

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "truongso.accounts.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "truongso.registry.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "truongso.registry.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # Per client per minute; a load test or an integration partner may need more.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "60/min"),
        "user": env("API_THROTTLE_USER", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trường Số API",
    "DESCRIPTION": "Cơ sở dữ liệu giáo dục dùng chung — shared education database API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Offline: no call to the public validator badge service.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One name per choice set shared by several fields (e.g. "status" of students/transfers).
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "truongso.registry.reference.GRADE_CHOICES",
        "SemesterEnum": "truongso.registry.api.inputs.SEMESTERS",
        "OrgKindEnum": "truongso.registry.reference.OrgKind",
        "EventKindEnum": "truongso.registry.models.EventKind",
        "ExitKindEnum": "truongso.registry.api.inputs.EXIT_KINDS",
        "StudentStatusEnum": "truongso.registry.models.StudentStatus",
        "TransferStatusEnum": "truongso.registry.models.TransferStatus",
        "RoleEnum": "truongso.core.authz.Role",
        "InvoiceStatusEnum": "truongso.payments.models.InvoiceStatus",
        "PaymentStatusEnum": "truongso.payments.models.PaymentStatus",
        "RoundKindEnum": "truongso.admissions.models.RoundKind",
        "ApplicationStatusEnum": "truongso.admissions.models.ApplicationStatus",
    },
}

# --- Imports --------------------------------------------------------------------------------
# Spreadsheets above this many data rows are validated and applied by the background worker.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 40 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)

# --- Bank notifications (payments) ----------------------------------------------------------
# Secrets of the notification services, each also from a *_FILE. A service without its secret
# is refused (HTTP 503, stored in the notification log). Demo and test runs get a fixed SePay
# key so that the simulated transfer can be posted.
_DEMO_KEY = "truongso-demo-sepay-key" if (DEMO_MODE or DEBUG or TESTING) else ""
PAYMENTS_SEPAY_API_KEY = env("PAYMENTS_SEPAY_API_KEY", _DEMO_KEY)
PAYMENTS_SEPAY_HMAC_SECRET = env("PAYMENTS_SEPAY_HMAC_SECRET")
PAYMENTS_CASSO_SECRET = env("PAYMENTS_CASSO_SECRET")
PAYMENTS_PAYOS_CHECKSUM_KEY = env("PAYMENTS_PAYOS_CHECKSUM_KEY")
# Signed timestamps further than this from the server clock are refused (replay protection).
PAYMENTS_WEBHOOK_TOLERANCE = env_int("PAYMENTS_WEBHOOK_TOLERANCE", 300)
# payOS signs no delivery time: transactions older than this are refused.
PAYMENTS_PAYOS_MAX_AGE = env_int("PAYMENTS_PAYOS_MAX_AGE", 24 * 3600)
# A single transfer above this many đồng is refused as absurd and left for a human.
PAYMENTS_MAX_AMOUNT = env_int("PAYMENTS_MAX_AMOUNT", 2_000_000_000)

# --- Web payment gateway (VNPay-style redirect, signed return and IPN) -------------------------
# The merchant code and hash secret the gateway issued (secret also from *_FILE). With no secret
# the online payment button is not offered. Demo, DEBUG and test runs use the project's own fake
# gateway at /payments/fake-gateway/ (served only then) with a fixed demo secret.
PAYMENTS_FAKE_GATEWAY = DEMO_MODE or DEBUG or TESTING
PAYMENTS_GATEWAY_URL = env("PAYMENTS_GATEWAY_URL", "/payments/fake-gateway/pay/")
PAYMENTS_GATEWAY_TMN_CODE = env("PAYMENTS_GATEWAY_TMN_CODE", "TRUONGSO")
PAYMENTS_GATEWAY_HASH_SECRET = env(
    "PAYMENTS_GATEWAY_HASH_SECRET",
    "truongso-demo-gateway-secret" if PAYMENTS_FAKE_GATEWAY else "",
)
# Minutes a parent has to finish paying at the gateway (vnp_ExpireDate).
PAYMENTS_GATEWAY_EXPIRE_MINUTES = env_int("PAYMENTS_GATEWAY_EXPIRE_MINUTES", 15)

# --- Admissions: SMS and the parents' one-time codes (truongso/admissions/sms.py, otp.py) ------
# console: the text in the log (the demo also shows the code on the page); file: JSON lines;
# http: a JSON SMS gateway (POST {"to", "text", "sender"}, bearer API key, also from *_FILE).
ADMISSIONS_SMS_BACKEND = env("ADMISSIONS_SMS_BACKEND", "console")
if ADMISSIONS_SMS_BACKEND not in {"console", "file", "http"}:
    raise ImproperlyConfigured(
        f"ADMISSIONS_SMS_BACKEND={ADMISSIONS_SMS_BACKEND!r} is not console, file or http"
    )
ADMISSIONS_SMS_FILE = env("ADMISSIONS_SMS_FILE", str(VAR_DIR / "sms" / "outbox.jsonl"))
ADMISSIONS_SMS_URL = env("ADMISSIONS_SMS_URL")
ADMISSIONS_SMS_API_KEY = env("ADMISSIONS_SMS_API_KEY")
ADMISSIONS_SMS_SENDER = env("ADMISSIONS_SMS_SENDER", "TRUONGSO")
ADMISSIONS_SMS_TIMEOUT = env_int("ADMISSIONS_SMS_TIMEOUT", 10)
if ADMISSIONS_SMS_BACKEND == "http" and not (ADMISSIONS_SMS_URL and ADMISSIONS_SMS_API_KEY):
    raise ImproperlyConfigured("ADMISSIONS_SMS_BACKEND=http needs ADMISSIONS_SMS_URL and _API_KEY")
# A code lives 5 minutes and allows 5 wrong tries; one code a minute and 5 an hour per phone,
# 30 an hour per client IP. The phone session of a parent lasts 30 days.
ADMISSIONS_OTP_TTL = env_int("ADMISSIONS_OTP_TTL", 300)
ADMISSIONS_OTP_MAX_ATTEMPTS = env_int("ADMISSIONS_OTP_MAX_ATTEMPTS", 5)
ADMISSIONS_OTP_RESEND_SECONDS = env_int("ADMISSIONS_OTP_RESEND_SECONDS", 60)
ADMISSIONS_OTP_PER_PHONE_HOUR = env_int("ADMISSIONS_OTP_PER_PHONE_HOUR", 5)
ADMISSIONS_OTP_PER_IP_HOUR = env_int("ADMISSIONS_OTP_PER_IP_HOUR", 30)
ADMISSIONS_PARENT_SESSION_DAYS = env_int("ADMISSIONS_PARENT_SESSION_DAYS", 30)
# Parents still waiting are reminded by SMS this many hours before the confirmation deadline
# (truongso/admissions/services/notify.py).
ADMISSIONS_REMIND_HOURS = env_int("ADMISSIONS_REMIND_HOURS", 24)

# --- Report cards: signing (truongso/reportcards/signing) ------------------------------------
# Test CA and test certificates (manage.py reportcards_test_ca) live here, never in git.
REPORTCARDS_SIGNING_DIR = Path(
    env("REPORTCARDS_SIGNING_DIR", str(VAR_DIR / "reportcards" / "signing"))
)
# RFC 3161 timestamp authority; empty: signatures carry no timestamp (PAdES B-B instead of B-T).
REPORTCARDS_TSA_URL = env("REPORTCARDS_TSA_URL")
REPORTCARDS_TSA_TIMEOUT = env_int("REPORTCARDS_TSA_TIMEOUT", 10)
# Trusted roots for validation (PEM or DER files); empty: the test CA's root, when it exists.
REPORTCARDS_TRUST_ROOTS = env_list("REPORTCARDS_TRUST_ROOTS", "")
# Certificates the project refuses to sign with: a text file, one serial number (hex) a line.
REPORTCARDS_REVOKED_FILE = Path(
    env("REPORTCARDS_REVOKED_FILE", str(REPORTCARDS_SIGNING_DIR / "revoked.txt"))
)
# The local fake remote-signing service and fake TSA: only in demo, DEBUG and tests.
REPORTCARDS_FAKE_SERVICES = DEMO_MODE or DEBUG or TESTING
# Public address of the verification page printed on every report card (QR code and text).
REPORTCARDS_VERIFY_URL = env("REPORTCARDS_VERIFY_URL", "http://127.0.0.1:8000/verify/")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {"truongso": {"level": env("LOG_LEVEL", "INFO"), "propagate": True}},
}
