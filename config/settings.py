"""Varde settings: one module, driven by environment variables, failing loudly on bad values.

VARDE_ENV selects the profile:
  development (default) - SQLite in var/, a secret key generated once into var/, DEBUG off unless asked.
  test                  - used by the test suite.
  production            - SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are required; secure cookies, HSTS.
DATABASE_URL (e.g. postgres://user@127.0.0.1:5432/varde) switches from SQLite to PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VARDE_ENV = env.str("VARDE_ENV", default="development")
if VARDE_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"VARDE_ENV must be development, test or production, not {VARDE_ENV!r}")
PRODUCTION = VARDE_ENV == "production"

VAR_DIR = Path(env.str("VARDE_VAR_DIR", default=str(BASE_DIR / "var")))


def _development_secret_key() -> str:
    """A per-checkout key kept in var/ so that sessions survive restarts of the demo."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
    if "DATABASE_URL" not in env:
        raise ImproperlyConfigured("DATABASE_URL must be set in production (PostgreSQL)")
elif VARDE_ENV == "test":
    SECRET_KEY = "test-only-key-not-secret-" + "x" * 40
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "varde.core",
    "varde.accounts",
    "varde.audit",
    "varde.persons",
    "varde.cases",
    "varde.events",
    "varde.identification",
    "varde.response",
    "varde.linkage",
    "varde.statistics",
    "varde.interchange",
    "varde.coordination",
    "varde.prosecution",
    "varde.api",
    "varde.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "varde.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "varde.accounts.middleware.SessionLimitsMiddleware",
    "varde.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "varde.core.middleware.NoStoreMiddleware",
    # Last, so that it sees the lockout flag set during authentication and answers for it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "varde" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "varde.web.context.navigation",
            ],
        },
    }
]

if "DATABASE_URL" in env:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "varde.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Keep a process's database connection between requests (opening one costs PostgreSQL a backend
# start for every page), checked before reuse so that a restarted database is not an error.
# VARDE_DB_CONN_MAX_AGE=0 goes back to one connection a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("VARDE_DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Argon2id first; PBKDF2 stays so that older hashes still verify (and are upgraded at sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if VARDE_ENV == "test":
    # Speed only: the suite hashes thousands of passwords. Never outside VARDE_ENV=test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "varde" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders; the folder must exist
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("ds", NODE_MODULES / "@digdir" / "designsystemet-css" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- sign-in, second factor, sessions (issue 7) ---------------------------------------------------
# Lockout: 5 failed sign-ins (web, API token, admin) for one username, or from one address, lock that
# username / address for 30 minutes; a successful sign-in clears only that username's failures from that
# address (varde.accounts.lockout.VardeAxesHandler; axes' own handler would clear every failure from the
# address, for every username: issue 21, finding 1). Behind a reverse proxy set
# AXES_IPWARE_PROXY_COUNT so that the client's address (not the proxy's) is counted. The answer never
# says whether the account exists (varde.accounts.lockout).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
if not 3 <= AXES_FAILURE_LIMIT <= 10:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be between 3 and 10")
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=None)
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "varde.accounts.lockout.VardeAxesHandler"
AXES_LOCKOUT_CALLABLE = "varde.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Masked in what axes keeps of a failed sign-in. `next` (the sign-in page's query string) may hold the
# page the session ended on, a case search's text included (`/cases/?q=...`; issue 20).
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp_code", "next", "q"]

# TOTP (RFC 6238) second factor, required for every role that opens case data or grants roles.
OTP_TOTP_ISSUER = "Varde"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next try (django-otp)
VARDE_INACTIVITY_TIMEOUT = dt.timedelta(minutes=30)
VARDE_SESSION_MAX_AGE = dt.timedelta(hours=12)
VARDE_REAUTH_WINDOW = dt.timedelta(minutes=5)  # password + code, before exports and break-the-glass
VARDE_API_TOKEN_MAX_AGE = dt.timedelta(hours=12)
VARDE_BREAK_GLASS_HOURS = env.int("VARDE_BREAK_GLASS_HOURS", default=12)
if not 1 <= VARDE_BREAK_GLASS_HOURS <= 24:
    raise ImproperlyConfigured("VARDE_BREAK_GLASS_HOURS must be between 1 and 24")
VARDE_RETENTION_DAYS = env.int("VARDE_RETENTION_DAYS", default=5 * 365)
if VARDE_RETENTION_DAYS < 365:
    raise ImproperlyConfigured("VARDE_RETENTION_DAYS must be at least 365 (one year after closure)")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(VARDE_SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts or styles anywhere: htmx is told not to inject its indicator styles (base.html).
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
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True  # type: ignore[assignment]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "varde.api.authentication.VerifiedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "varde.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, nested at most 32 levels: deeper answers 400, not a RecursionError's 500 (issue 21).
    "DEFAULT_PARSER_CLASSES": ["varde.api.parsers.DepthLimitedJSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Varde API",
    "DESCRIPTION": "Coordination of help to victims of human trafficking. Every endpoint applies the same "
    "access rules as the pages: a record you may not see answers 404.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "varde.accounts.models.AgencyKind",
        "RoleEnum": "varde.accounts.models.Role",
        "NameKindEnum": "varde.persons.models.NameKind",
        "CaseStatusEnum": "varde.cases.models.CaseStatus",
    },
}

# Logs carry request ids and record ids, never personal data (see docs/DATA_CLASSIFICATION.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "varde.core.middleware.RequestIdLogFilter"},
        "no_query_string": {"()": "varde.core.middleware.NoQueryStringFilter"},
    },
    "formatters": {
        "plain": {
            # tracebacks without exception messages (they may quote personal data)
            "class": "varde.core.middleware.NoExceptionTextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's request logger prints the path, never the query string; the development server prints
        # the request line, its query string cut off: the case search's text (`?q=`) may be a name, and
        # it is the one query parameter that may carry personal data (varde.access.search). gunicorn
        # (`varde serve`) writes no access log.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING", "filters": ["no_query_string"]},
        # django-axes logs every attempt at INFO; failures and lockouts (masked usernames) stay.
        "axes": {"level": "WARNING"},
        # At DEBUG, Django's template engine logs every missing variable with the whole template
        # context (names, notes) in the exception text: never, whatever LOG_LEVEL says.
        "django.template": {"level": "INFO"},
        # WeasyPrint (the annual report's PDF) logs every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Notification e-mail (sent by `varde worker`): reference and link only, never personal data.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="varde@localhost")
VARDE_BASE_URL = env.str("VARDE_BASE_URL", default="http://localhost:8000").rstrip("/")
if PRODUCTION and not VARDE_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("VARDE_BASE_URL must be an https:// address in production")
