"""The load test's settings (`make load`, scripts/load-test.sh): production's, with every check
and hardening it applies, plus two allowances a throwaway data set on loopback needs.

- NHS test numbers (999...) are accepted: the synthetic register holds only those, so that a
  generated objection can never be a real person's, and the IG bulk checks must find them.
- `LOAD_DATABASE=sqlite` runs on an SQLite file (`LOAD_SQLITE_PATH`), which production
  refuses: production's checks are read against a placeholder PostgreSQL URL, then the SQLite
  database is put in its place. PostgreSQL (the default) needs neither.

Never point these settings at a real database.
"""

import os

_SQLITE_PATH = (
    os.environ.get("LOAD_SQLITE_PATH", "") if os.environ.get("LOAD_DATABASE") == "sqlite" else ""
)
if _SQLITE_PATH:
    _database_url = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = "postgres://placeholder.invalid/unused"
    try:
        from .production import *  # noqa: F403
    finally:
        if _database_url is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = _database_url
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _SQLITE_PATH,
            "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            # As base.py: WAL lets the workers read while another writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
else:
    from .production import *  # noqa: F403

CONSENT_ALLOW_TEST_NHS_NUMBERS = True
