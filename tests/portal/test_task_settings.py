"""TASK_BACKEND picks the task queue, read in base.py as every integration is."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django; django.setup(); "
    "from django_tasks import task_backends; from portal.scheduling import jobs_registered; "
    'print(type(task_backends["default"]).__name__, [job.name for job in jobs_registered()])'
)


def show(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TASK_BACKEND"}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", **env_overrides)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_tasks_run_immediately_by_default():
    result = show()

    assert result.returncode == 0, result.stderr
    backend, jobs = result.stdout.strip().split(" ", 1)
    assert backend == "ImmediateBackend"
    assert "prune-task-results" not in jobs  # there is no queue to prune
    assert "remind-stale-listings" in jobs  # apps' own jobs run whichever backend is chosen


def test_the_database_backend_queues_tasks_and_prunes_finished_ones_daily():
    result = show(TASK_BACKEND="database")

    assert result.returncode == 0, result.stderr
    backend, jobs = result.stdout.strip().split(" ", 1)
    assert backend == "DatabaseBackend"
    assert "'prune-task-results'" in jobs


def test_an_unknown_task_backend_is_refused():
    result = show(TASK_BACKEND="celery")

    assert result.returncode != 0
    assert "TASK_BACKEND must be one of immediate, database, not 'celery'" in result.stderr
