"""Sample the resident memory (VmRSS) of a gunicorn master and its workers, as JSON lines.

    python scripts/load/memory.py --master PID --out samples.jsonl [--interval 1] [--max-seconds N]

Stops by itself when the master exits or after --max-seconds. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def children(pid: int) -> list[int]:
    """The master's child processes (the workers)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        pass
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        for line in text.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == pid:
                found.append(int(status.parent.name))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds
    with args.out.open("a") as out:
        while time.monotonic() < deadline:
            master = rss_kb(args.master)
            if master is None:
                break
            now = time.time()
            samples = [{"t": now, "pid": args.master, "role": "master", "rss_kb": master}]
            for pid in children(args.master):
                if (rss := rss_kb(pid)) is not None:
                    samples.append({"t": now, "pid": pid, "role": "worker", "rss_kb": rss})
            out.write("".join(json.dumps(s) + "\n" for s in samples))
            out.flush()
            time.sleep(args.interval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
