"""Settings for pytest: the same integrations as base, with fast hashing and a local outbox."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = env("LOG_LEVEL", "WARNING")  # noqa: F405
# runserver and the test live server serve static files from the finders; WhiteNoise serves
# collected files in production only.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
# The NHS test range (999...) is accepted outside production.
CONSENT_ALLOW_TEST_NHS_NUMBERS = True
IG_PSEUDONYM_DEV_KEYS = True

# Tests search with the database engines even when ELASTICSEARCH_URL is set in the shell:
# tests that need Elasticsearch (marked `elasticsearch`) switch to it themselves, with an
# index prefix of their own, so a test run never writes to a real cluster's indexes.
PORTAL_SEARCH_ENGINE = "search.engines.database.DatabaseSearchEngine"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
