"""Production settings are checked in a fresh interpreter, as a deployment would load them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "portal.example.gov.uk",
    "DATABASE_URL": "postgres://portal:secret@db.invalid:5432/portal",
    "EMAIL_HOST": "smtp.invalid",
    "DEFAULT_FROM_EMAIL": "wellbeing@council.example",
    "TASK_BACKEND": "database",
    "CONSENT_ACCESS_LOG_KEY": "a-long-random-access-log-key-0123456789-abcdefghijklmnopqrs",
}


TEST_ONLY_VARIABLES = (
    "DEBUG",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
)


def manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    # As a deployment would: none of the test run's own switches (DEBUG, the test database,
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE) carry over.
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    env.update(PRODUCTION_ENV)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "dev-only-secret-key-not-for-production"}, "SECRET_KEY must be set"),
        ({"DEBUG": "true"}, "DEBUG must be off in production"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "must be a PostgreSQL URL"),
        ({"EMAIL_HOST": None}, "EMAIL_HOST and DEFAULT_FROM_EMAIL must be set"),
        ({"TASK_BACKEND": None}, "TASK_BACKEND must be database in production"),
        ({"TASK_BACKEND": "immediate"}, "TASK_BACKEND must be database in production"),
        ({"CONSENT_ACCESS_LOG_KEY": None}, "CONSENT_ACCESS_LOG_KEY must be set"),
        (
            {"CONSENT_ACCESS_LOG_KEY": "dev-only-consent-access-log-key"},
            "CONSENT_ACCESS_LOG_KEY must be set",
        ),
    ],
)
def test_production_refuses_to_start_when_unsafe(overrides, message):
    result = manage("check", **overrides)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_sends_strict_transport_security_and_secure_cookies():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.DEBUG)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES},
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "False"]


def test_collectstatic_with_the_production_manifest_storage(tmp_path):
    # Every url() in the compiled CSS must resolve, or the production build fails.
    result = manage("collectstatic", "--noinput", "-v", "0", STATIC_ROOT=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("portal/portal.*.css"))
