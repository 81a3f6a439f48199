"""Production: every value from the environment, hardened, and refusing unsafe starts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, STORAGES, env, env_bool

if env_bool("DEBUG", False):
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set it to false).")
DEBUG = False

_INSECURE_KEYS = {"dev-only-secret-key-not-for-production", "test-only-secret-key"}
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY in _INSECURE_KEYS or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production "
        '(for example: python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )
if not env("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names in production.")
if not env("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must be a PostgreSQL URL in production.")
if not env("EMAIL_HOST") or not env("DEFAULT_FROM_EMAIL"):
    raise ImproperlyConfigured(
        "EMAIL_HOST and DEFAULT_FROM_EMAIL must be set in production: sign-up, password reset "
        "and notifications send email."
    )
if env("TASK_BACKEND") != "database":
    # The immediate backend sends email inside the request, with no retry, and runs Wagtail's
    # index updates there too.
    raise ImproperlyConfigured(
        "TASK_BACKEND must be database in production, with `python manage.py db_worker` "
        "running beside the web processes (docs/deployment.md)."
    )
if env_bool("CONSENT_ALLOW_TEST_NHS_NUMBERS", False):
    raise ImproperlyConfigured(
        "CONSENT_ALLOW_TEST_NHS_NUMBERS must be off in production: NHS numbers starting 999 are "
        "test numbers, never real people."
    )
CONSENT_ALLOW_TEST_NHS_NUMBERS = False
if not env("CONSENT_ACCESS_LOG_KEY") or env("CONSENT_ACCESS_LOG_KEY") == (
    CONSENT_ACCESS_LOG_KEY_DEFAULT  # noqa: F405
):
    raise ImproperlyConfigured(
        "CONSENT_ACCESS_LOG_KEY must be set to a long random secret in production: it keys the "
        "hash of NHS numbers in the staff access log (docs/permissions.md)."
    )
if env_bool("IG_PSEUDONYM_DEV_KEYS", False):
    raise ImproperlyConfigured(
        "IG_PSEUDONYM_DEV_KEYS must be off in production: set IG_PSEUDONYM_KEY_<PURPOSE> or "
        "IG_PSEUDONYM_KEYS_DIR (docs/ig-pseudonymisation.md)."
    )
IG_PSEUDONYM_DEV_KEYS = False
_webhook_url = env("SELFCARE_WEBHOOK_URL", "")
if _webhook_url and not _webhook_url.lower().startswith("https://"):
    raise ImproperlyConfigured(
        "SELFCARE_WEBHOOK_URL must be an https:// address in production: submissions carry "
        "personal data (docs/selfcare-webhook.md)."
    )
if _webhook_url and not env("SELFCARE_WEBHOOK_SECRET"):
    raise ImproperlyConfigured(
        "SELFCARE_WEBHOOK_SECRET must be set to a long random secret when SELFCARE_WEBHOOK_URL "
        "is set: the case system checks each request's signature with it "
        "(docs/selfcare-webhook.md)."
    )
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DATABASE_CONN_MAX_AGE", "60"))

WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# allauth's rate limits must hold across gunicorn workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
