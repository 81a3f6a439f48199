"""Print the load test's figures and verdicts from the run's timings and memory samples.

    python scripts/load/report.py --results run.json --memory samples.jsonl [--probe probe.json]
        [--markdown-out report.md]

Every request's time is kept, so the percentiles are exact (nearest rank), not histogram
buckets. Exits 1 when a target is missed: any error, or search p95 at 300 ms or more.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

SEARCH_PREFIX = "search: "
SEARCH_P95_TARGET_MS = 300.0


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def endpoint_rows(rows: list, seconds: float) -> list[list[str]]:
    by_name: dict[str, list] = defaultdict(list)
    for row in rows:
        by_name[row[1]].append(row)
    searches = [row for row in rows if row[1].startswith(SEARCH_PREFIX)]
    groups = sorted(
        by_name.items(), key=lambda item: (not item[0].startswith(SEARCH_PREFIX), item[0])
    )
    groups.append(("search, all kinds", searches))
    groups.append(("all requests", rows))
    table = []
    for name, group in groups:
        if not group:
            continue
        times = sorted(row[2] for row in group)
        errors = sum(1 for row in group if not row[3])
        table.append(
            [
                name,
                f"{len(group):,}",
                f"{len(group) / seconds:.1f}",
                f"{percentile(times, 0.50):.0f}",
                f"{percentile(times, 0.95):.0f}",
                f"{percentile(times, 0.99):.0f}",
                f"{times[-1]:.0f}",
                str(errors),
            ]
        )
    return table


def memory_rows(samples: list[dict], start: float, stop: float) -> list[list[str]]:
    by_pid: dict[int, list[dict]] = defaultdict(list)
    for sample in samples:
        by_pid[sample["pid"]].append(sample)
    table = []
    for pid, series in sorted(by_pid.items(), key=lambda item: (item[1][0]["role"], item[0])):
        during = [s["rss_kb"] for s in series if start <= s["t"] <= stop] or [series[-1]["rss_kb"]]
        table.append(
            [
                f"{series[0]['role']} {pid}",
                f"{series[0]['rss_kb'] / 1024:.0f}",
                f"{max(during) / 1024:.0f}",
                f"{during[-1] / 1024:.0f}",
            ]
        )
    return table


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--memory", type=Path, required=True)
    parser.add_argument("--probe", type=Path)
    parser.add_argument("--markdown-out", type=Path)
    parser.add_argument("--title", default="")
    args = parser.parse_args()

    run = json.loads(args.results.read_text())
    rows = run["rows"]
    if not rows:
        print("No request was made: nothing to report.", file=sys.stderr)
        return 1
    start = run["started"]
    stop = max(row[0] for row in rows)
    seconds = max(1e-9, stop - start)
    out: list[str] = []
    if args.title:
        out += [args.title, ""]
    if args.probe and args.probe.exists():
        probe = json.loads(args.probe.read_text())
        out += [
            f"Probe: capacity {probe['capacity']:.1f} requests/s with no think time; steps "
            + ", ".join(
                f"{s['rate']:.1f}/s -> {s.get('achieved', 0):.1f}/s"
                f"{'' if s.get('kept_up') else ' (not sustained)'}"
                for s in probe["steps"]
            )
            + f"; highest sustained {probe['sustained']:.1f} requests/s"
            + (" (no step was sustained: the lowest was used)" if probe["none_kept_up"] else ""),
            "",
        ]
    out += [
        f"Run: {run['rate']:.1f} requests/s offered by {run['users']} visitors (one request "
        f"each every {run['users'] / run['rate']:.1f} s), {seconds:.0f} s; achieved "
        f"{len(rows) / seconds:.1f} requests/s, {len(rows):,} requests. IG bulk checks of "
        f"{run['check_numbers']:,} numbers. Times in milliseconds.",
        "",
        markdown(
            ["endpoint", "requests", "per s", "p50", "p95", "p99", "max", "errors"],
            endpoint_rows(rows, seconds),
        ),
        "",
    ]
    samples = []
    if args.memory.exists():
        samples = [json.loads(line) for line in args.memory.read_text().splitlines() if line]
    if samples:
        out += [
            "Gunicorn memory (RSS, MB): at start-up, peak and last during the run.",
            "",
            markdown(["process", "start", "peak", "end"], memory_rows(samples, start, stop)),
            "",
        ]
    else:
        out += ["Gunicorn memory: no samples were taken.", ""]

    errors = sum(1 for row in rows if not row[3])
    searches = sorted(row[2] for row in rows if row[1].startswith(SEARCH_PREFIX))
    search_p95 = percentile(searches, 0.95) if searches else float("inf")
    no_errors = errors == 0
    fast_search = search_p95 < SEARCH_P95_TARGET_MS
    out += [
        f"Zero errors: {'met' if no_errors else f'NOT MET ({errors:,} errors)'}",
        f"Search p95 under {SEARCH_P95_TARGET_MS:.0f} ms: "
        f"{'met' if fast_search else 'NOT MET'} ({search_p95:.0f} ms)",
    ]
    if not no_errors:
        failures: dict[tuple[str, str], int] = defaultdict(int)
        for row in rows:
            if not row[3]:
                failures[(row[1], row[4])] += 1
        out += ["", "Errors by endpoint and kind:"]
        out += [f"  {count:>6,}  {name}: {message}" for (name, message), count in failures.items()]
    text = "\n".join(out)
    print(text)
    if args.markdown_out:
        args.markdown_out.write_text(text + "\n")
    return 0 if no_errors and fast_search else 1


if __name__ == "__main__":
    raise SystemExit(main())
