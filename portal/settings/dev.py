"""Local development: `make run`. Never used in production (production.py refuses DEBUG)."""

from .base import *  # noqa: F403
from .base import env, env_list

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-secret-key-not-for-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# runserver and the test live server serve static files from the finders; WhiteNoise serves
# collected files in production only.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
# The NHS test range (999...) is accepted outside production.
CONSENT_ALLOW_TEST_NHS_NUMBERS = True
IG_PSEUDONYM_DEV_KEYS = True
