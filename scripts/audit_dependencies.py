#!/usr/bin/env python3
"""Audit the locked dependencies (requirements/constraints.txt) for known vulnerabilities.

Run by `make test`. Exits 1 when any pinned package has a known vulnerability that is not
listed, with a reason, in requirements/audit-ignore.txt. When the vulnerability service cannot
be reached (a machine whose only route out is a package mirror), pip-audit reports every
package as "not audited": this script then says plainly that the audit was SKIPPED and why,
rather than passing it off as clean, and exits 0 so an offline machine can still test.
Set AUDIT_REQUIRED=1 (as a release pipeline should) to make a skipped audit fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "constraints.txt"
IGNORE = ROOT / "requirements" / "audit-ignore.txt"


@dataclass
class Audit:
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fix: …)"
    audited: int = 0
    skipped: list[str] = field(default_factory=list)  # "name: reason"

    @property
    def verdict(self) -> str:
        if self.vulnerable:
            return "vulnerable"
        if self.audited == 0:
            return "skipped"
        return "clean"


def ignored_ids(text: str) -> set[str]:
    """Vulnerability ids from audit-ignore.txt: one per line, `ID  # why it does not apply`.
    A line without a reason is refused: an ignored advisory needs its justification."""
    ids = set()
    for number, line in enumerate(text.splitlines(), start=1):
        entry, _, reason = line.partition("#")
        if not entry.strip():
            continue
        if not reason.strip():
            raise SystemExit(f"{IGNORE.name} line {number}: give a reason after '#'")
        ids.add(entry.strip())
    return ids


def read_report(report: dict, *, ignore: set[str] = frozenset()) -> Audit:
    """Sort pip-audit's JSON report into vulnerable, audited and skipped packages."""
    audit = Audit()
    for dependency in report.get("dependencies", []):
        name, version = dependency.get("name"), dependency.get("version", "?")
        if "skip_reason" in dependency:
            audit.skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        audit.audited += 1
        for vuln in dependency.get("vulns", []):
            ids = {vuln.get("id"), *vuln.get("aliases", [])}
            if ids & ignore:
                continue
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            audit.vulnerable.append(f"{name} {version}: {vuln.get('id')} (fixed in {fixes})")
    return audit


def run_pip_audit() -> dict:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(LOCK),
        "--no-deps",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"pip-audit gave no report (exit {result.returncode})") from None


def main() -> int:
    ignore = ignored_ids(IGNORE.read_text()) if IGNORE.exists() else set()
    audit = read_report(run_pip_audit(), ignore=ignore)
    total = audit.audited + len(audit.skipped)
    if audit.verdict == "vulnerable":
        print(f"Dependency audit FAILED: {len(audit.vulnerable)} known vulnerabilities")
        for line in audit.vulnerable:
            print(f"  {line}")
        print(f"Upgrade the package in pyproject.toml and {LOCK.relative_to(ROOT)}, or record")
        print(f"why it does not apply in {IGNORE.relative_to(ROOT)}.")
        return 1
    if audit.verdict == "skipped":
        print(
            f"Dependency audit SKIPPED: none of the {total} locked packages could be checked "
            "(the vulnerability service is out of reach from this machine). "
            f"First reason: {audit.skipped[0] if audit.skipped else 'none given'}"
        )
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    print(f"Dependency audit: {audit.audited} of {total} locked packages checked, none vulnerable")
    for line in audit.skipped:
        print(f"  not checked: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
