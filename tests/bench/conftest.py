"""Benchmarks: run by `make bench`, never by `make test`. They print figures; tests assert."""

import statistics
import time
from collections.abc import Callable

import pytest
from django.test import RequestFactory
from django.test.client import ClientHandler


def time_calls(func: Callable[[], object], *, repeat: int, warmup: int = 5) -> list[float]:
    """Wall-clock milliseconds for each of `repeat` calls, after a few unmeasured warm-ups."""
    for _ in range(warmup):
        func()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


_handler = ClientHandler()
_requests = RequestFactory()


def server_get(path: str, params: dict | None = None):
    """A GET through the WSGI handler, as a server would run it: the test client's extra work
    (copying every template context for assertions) is left out of the figures."""
    response = _handler(_requests.get(path, params or {}).environ)
    assert response.status_code == 200, f"{path} {params}: {response.status_code}"
    return response


def summarise(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{name:<40} n={len(ordered):<5} median={statistics.median(ordered):7.2f} ms  "
        f"p95={p95:7.2f} ms  max={ordered[-1]:7.2f} ms"
    )


@pytest.fixture
def report(capsys):
    lines: list[str] = []
    yield lines.append
    with capsys.disabled():
        print()
        for line in lines:
            print(line)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """On SQLite, benchmark a database file, as `make run` serves, not the shared-cache
    in-memory database Django's tests use (its table locks add a third to every query)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("bench") / "db.sqlite3"
        )
