"""Benchmarks: run by `make bench`, never by `make test`. They print figures; tests assert."""

import statistics
import time
from collections.abc import Callable

import pytest


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
