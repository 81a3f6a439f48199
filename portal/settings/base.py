"""Settings shared by every environment.

Every integration is switched on by an environment variable read here, so tests can exercise
it; dev/test/production only change defaults and hardening.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "directory",
    "search",
    "consent",
    "selfcare",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    # Always installed, so the queue's table and migrations exist whichever backend is chosen.
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "portal.uploads.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL (or anything else).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the live server and test threads read while another writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static")))
# Compiled GOV.UK Frontend CSS/JS and assets, built from npm by `make assets`.
STATICFILES_DIRS = [BASE_DIR / "frontend" / "build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# Email: console in dev, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "no-reply@portal.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (docs/adr/0007-task-queue.md): run at once inside the request by default
# (dev, tests); TASK_BACKEND=database queues them in the database for `manage.py db_worker`.
# Wagtail's own tasks (search and reference index updates) use the same backend.
TASK_BACKEND = env("TASK_BACKEND", "immediate")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASK_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
# A failed email is tried again after EMAIL_RETRY_DELAY seconds, then 5 times longer each time
# (1, 5, 25, 125 minutes by default) until EMAIL_MAX_ATTEMPTS tries have failed.
EMAIL_MAX_ATTEMPTS = int(env("EMAIL_MAX_ATTEMPTS", "5"))
EMAIL_RETRY_DELAY = int(env("EMAIL_RETRY_DELAY", "60"))
if EMAIL_MAX_ATTEMPTS < 1 or EMAIL_RETRY_DELAY < 1:
    raise ImproperlyConfigured("EMAIL_MAX_ATTEMPTS and EMAIL_RETRY_DELAY must be at least 1.")

# --- Wagtail ---------------------------------------------------------------------------------
# No avatars from gravatar.com: staff email addresses are not sent to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", "Health and wellbeing information point")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Staff sign in through allauth so that MFA applies to the admin too.
WAGTAILADMIN_LOGIN_URL = "account_login"
LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Uploads (portal.uploads): images are re-encoded with Pillow (no metadata, no hidden bytes)
# under a decompression-bomb guard; documents are limited in type and size; any other request
# body over PORTAL_MAX_REQUEST_BYTES is refused with 413 before a view reads it.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_IMAGE_FORM_BASE = "portal.uploads.ReencodedImageForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "portal.uploads.SizeLimitedDocumentForm"
PORTAL_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PORTAL_MAX_REQUEST_BYTES = int(env("PORTAL_MAX_REQUEST_BYTES", str(25 * 1024 * 1024)))
PORTAL_REQUEST_SIZE_OWN_LIMIT_PATHS = ["/api/ig/v1/"]
# An approved listing change publishes even when the approval was automatic on a provider's
# behalf (ADR 0010); other workflows publish as Wagtail does.
WAGTAIL_FINISH_WORKFLOW_ACTION = "directory.workflows.publish_workflow_state"

# Search: the database engine (SQLite FTS5 / PostgreSQL full text) unless ELASTICSEARCH_URL
# is set, which switches the directory search (search/engines/elasticsearch.py) and Wagtail's
# own page search to an Elasticsearch 8 cluster (ADR 0018). Credentials: an API key, or a user
# name and password; ELASTICSEARCH_CA_CERTS names the cluster's CA certificate for https.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX_PREFIX = env("ELASTICSEARCH_INDEX_PREFIX", "portal")
ELASTICSEARCH_API_KEY = env("ELASTICSEARCH_API_KEY")
ELASTICSEARCH_USERNAME = env("ELASTICSEARCH_USERNAME")
ELASTICSEARCH_PASSWORD = env("ELASTICSEARCH_PASSWORD")
ELASTICSEARCH_CA_CERTS = env("ELASTICSEARCH_CA_CERTS")
try:
    # Searches slower than this fall back to the database engine (seconds).
    ELASTICSEARCH_TIMEOUT = float(env("ELASTICSEARCH_TIMEOUT", "2"))
except ValueError as error:
    raise ImproperlyConfigured("ELASTICSEARCH_TIMEOUT must be a number of seconds") from error
if ELASTICSEARCH_TIMEOUT <= 0:
    raise ImproperlyConfigured("ELASTICSEARCH_TIMEOUT must be more than 0 seconds")
if ELASTICSEARCH_URL:
    PORTAL_SEARCH_ENGINE = "search.engines.elasticsearch.ElasticsearchSearchEngine"
    _wagtail_es_options: dict = {}
    if ELASTICSEARCH_API_KEY:
        _wagtail_es_options["api_key"] = ELASTICSEARCH_API_KEY
    elif ELASTICSEARCH_USERNAME:
        _wagtail_es_options["basic_auth"] = (ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD or "")
    if ELASTICSEARCH_CA_CERTS:
        _wagtail_es_options["ca_certs"] = ELASTICSEARCH_CA_CERTS
    # The database backend is kept up to date too: the directory falls back to the database
    # engine, which reads its index tables, when Elasticsearch is unreachable.
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX": ELASTICSEARCH_INDEX_PREFIX + "_wagtail",
            "TIMEOUT": 5,
            "OPTIONS": _wagtail_es_options,
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
else:
    PORTAL_SEARCH_ENGINE = "search.engines.database.DatabaseSearchEngine"
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Directory freshness (directory/freshness.py) --------------------------------------------
# Listings not checked for this many months leave search and the Open Referral UK API until
# someone confirms them; unset, nothing is hidden.
_hide_stale = env("DIRECTORY_HIDE_STALE_AFTER_MONTHS")
if _hide_stale is not None and not (_hide_stale.isascii() and _hide_stale.isdigit()):
    raise ImproperlyConfigured(
        f"DIRECTORY_HIDE_STALE_AFTER_MONTHS must be a whole number of months, not {_hide_stale!r}"
    )
DIRECTORY_HIDE_STALE_AFTER_MONTHS = int(_hide_stale) if _hide_stale else None
if DIRECTORY_HIDE_STALE_AFTER_MONTHS == 0:
    raise ImproperlyConfigured("DIRECTORY_HIDE_STALE_AFTER_MONTHS must be at least 1")

# --- Consent register (consent/) ---------------------------------------------------------------
# NHS numbers starting 999 are the NHS's test range. Development and tests turn this on;
# production refuses to start with it on.
CONSENT_ALLOW_TEST_NHS_NUMBERS = env_bool("CONSENT_ALLOW_TEST_NHS_NUMBERS", False)
# Key for the keyed hash (HMAC-SHA256) of NHS numbers in the staff access log
# (consent.access). The default is for development and tests only; production refuses it.
CONSENT_ACCESS_LOG_KEY_DEFAULT = "dev-only-consent-access-log-key"
CONSENT_ACCESS_LOG_KEY = env("CONSENT_ACCESS_LOG_KEY", CONSENT_ACCESS_LOG_KEY_DEFAULT)

# The IG pipeline (consent.pipeline, docs/ig-pseudonymisation.md). Pseudonymisation keys come from
# IG_PSEUDONYM_KEY_<PURPOSE_CODE> or files in IG_PSEUDONYM_KEYS_DIR, never the database;
# IG_PSEUDONYM_DEV_KEYS derives stand-in keys for development and tests (refused in production).
IG_PSEUDONYM_KEYS_DIR = env("IG_PSEUDONYM_KEYS_DIR", "")
IG_PSEUDONYM_DEV_KEYS = env_bool("IG_PSEUDONYM_DEV_KEYS", False)
# The national data opt-out cache older than this fails closed for purposes it applies to.
CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS = int(env("CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS", "168"))
# The largest bulk check body (POST /api/ig/v1/check); 1,000,000 numbers are about 12 MB.
IG_CHECK_MAX_BYTES = int(env("IG_CHECK_MAX_BYTES", str(64 * 1024 * 1024)))


# Retention (manage.py consent_apply_retention, docs/data-destruction-policy.md, ADR 0015).
def _retention_period(name: str, default: int) -> int:
    value = env(name, str(default))
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


# A person's register events go this many years after their last one, and only if none of their
# choices is still current (an objection or consent in force, or a change waiting) - never earlier.
CONSENT_RETENTION_EVENTS_YEARS = _retention_period("CONSENT_RETENTION_EVENTS_YEARS", 8)
# Staff access log entries (who looked at whose record).
CONSENT_RETENTION_ACCESS_LOG_YEARS = _retention_period("CONSENT_RETENTION_ACCESS_LOG_YEARS", 8)
# The IG pipeline's call log, and national opt-out checks no longer in use.
CONSENT_RETENTION_PIPELINE_CALLS_DAYS = _retention_period(
    "CONSENT_RETENTION_PIPELINE_CALLS_DAYS", 730
)
CONSENT_RETENTION_OPT_OUT_CHECKS_DAYS = _retention_period(
    "CONSENT_RETENTION_OPT_OUT_CHECKS_DAYS", 730
)
# The sign-off the policy is applied under (e.g. "IG board 2026-12-01 minute 7"), recorded on
# each run; and whether the scheduler runs retention weekly (off until that sign-off exists).
CONSENT_RETENTION_AUTHORITY = env("CONSENT_RETENTION_AUTHORITY", "")
CONSENT_RETENTION_SCHEDULED = env_bool("CONSENT_RETENTION_SCHEDULED", False)
# Uploaded consent CSVs wait here between "check" and "import" (consent.bulk_import); empty
# means the system temporary directory. Several web servers need a shared directory.
CONSENT_IMPORT_DIR = env("CONSENT_IMPORT_DIR", "")

# --- Accounts (django-allauth) -------------------------------------------------------------
ACCOUNT_ADAPTER = "portal.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "portal.forms.LoginForm", "signup": "portal.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS_ENABLED = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = WAGTAIL_SITE_NAME
# Groups whose members must have an authenticator before they reach anything else.
PORTAL_MFA_REQUIRED_GROUPS = [
    "Providers",
    "Moderators",
    "Social care practitioners",
    "IG officers",
    "Editors",
    "Administrators",
]

# --- Caches (allauth's rate limits count in the cache) ---------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if env_bool("CACHE_IN_DATABASE", False)
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal_cache",
    }
}

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views opt back in to SAMEORIGIN themselves.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        # Wagtail's admin still sets inline styles; scripts stay nonce-only everywhere.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

PERMISSIONS_POLICY = "camera=(), geolocation=(self), microphone=(), payment=(), usb=()"

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies never reach logs; 4xx noise stays at warning.
        "django.request": {"level": "ERROR"},
        "django.security.csrf": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Self-care (selfcare.engine): extra folders of assessment definitions (JSON) beside the
# built-in ones; the tests add example definitions this way.
SELFCARE_EXTRA_DEFINITION_DIRS: list[str] = [
    d for d in env("SELFCARE_EXTRA_DEFINITION_DIRS", "").split(":") if d
]

# A closed self-assessment case is deleted (with its notes, activity log and webhook deliveries)
# once nothing has happened to it for this many days; open cases never are. The council's case
# system keeps the record. manage.py selfcare_apply_retention runs daily (selfcare.retention).
SELFCARE_CLOSED_CASE_RETENTION_DAYS = _retention_period("SELFCARE_CLOSED_CASE_RETENTION_DAYS", 365)

# Self-care submissions to the council's case system (selfcare.webhooks,
# docs/selfcare-webhook.md): off while SELFCARE_WEBHOOK_URL is empty. Each POST is signed with
# HMAC-SHA256 using SELFCARE_WEBHOOK_SECRET; a failed one is tried again after
# SELFCARE_WEBHOOK_RETRY_DELAY seconds, 4 times longer each time (capped at 6 hours), until
# SELFCARE_WEBHOOK_MAX_ATTEMPTS tries have failed.
SELFCARE_WEBHOOK_URL = env("SELFCARE_WEBHOOK_URL", "")
SELFCARE_WEBHOOK_SECRET = env("SELFCARE_WEBHOOK_SECRET", "")
SELFCARE_WEBHOOK_TIMEOUT = int(env("SELFCARE_WEBHOOK_TIMEOUT", "10"))
SELFCARE_WEBHOOK_MAX_ATTEMPTS = int(env("SELFCARE_WEBHOOK_MAX_ATTEMPTS", "8"))
SELFCARE_WEBHOOK_RETRY_DELAY = int(env("SELFCARE_WEBHOOK_RETRY_DELAY", "60"))
if min(SELFCARE_WEBHOOK_TIMEOUT, SELFCARE_WEBHOOK_MAX_ATTEMPTS, SELFCARE_WEBHOOK_RETRY_DELAY) < 1:
    raise ImproperlyConfigured(
        "SELFCARE_WEBHOOK_TIMEOUT, SELFCARE_WEBHOOK_MAX_ATTEMPTS and SELFCARE_WEBHOOK_RETRY_DELAY "
        "must be at least 1."
    )
