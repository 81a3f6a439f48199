"""The dependency audit in `make test` (scripts/audit_dependencies.py) fails on a known
vulnerability and never reports an audit it could not do as clean."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit_dependencies = importlib.util.module_from_spec(spec)
sys.modules["audit_dependencies"] = audit_dependencies  # dataclasses look their module up
spec.loader.exec_module(audit_dependencies)

VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "pillow",
            "version": "10.0.0",
            "vulns": [
                {
                    "id": "PYSEC-2023-175",
                    "aliases": ["CVE-2023-44271"],
                    "fix_versions": ["10.0.1"],
                }
            ],
        },
    ]
}
UNREACHABLE = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "pillow", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ]
}


def test_a_known_vulnerability_fails_the_audit_naming_the_fix():
    audit = audit_dependencies.read_report(VULNERABLE)

    assert audit.verdict == "vulnerable"
    assert audit.vulnerable == ["pillow 10.0.0: PYSEC-2023-175 (fixed in 10.0.1)"]


def test_an_ignored_advisory_with_a_reason_passes_by_any_of_its_ids():
    ignore = audit_dependencies.ignored_ids("CVE-2023-44271  # we never open untrusted fonts\n")

    assert audit_dependencies.read_report(VULNERABLE, ignore=ignore).verdict == "clean"


def test_an_ignored_advisory_needs_a_reason():
    with pytest.raises(SystemExit, match="line 2: give a reason"):
        audit_dependencies.ignored_ids("\nCVE-2023-44271\n")


def test_an_audit_that_reached_no_vulnerability_data_is_skipped_not_clean():
    audit = audit_dependencies.read_report(UNREACHABLE)

    assert audit.verdict == "skipped"
    assert audit.audited == 0
    assert len(audit.skipped) == 2


def test_a_skipped_audit_fails_when_an_audit_is_required(monkeypatch, capsys):
    monkeypatch.setattr(audit_dependencies, "run_pip_audit", lambda: UNREACHABLE)
    monkeypatch.setenv("AUDIT_REQUIRED", "1")
    assert audit_dependencies.main() == 1

    monkeypatch.delenv("AUDIT_REQUIRED")
    assert audit_dependencies.main() == 0
    assert "SKIPPED" in capsys.readouterr().out


def test_the_lock_file_pins_every_package_it_lists():
    """pip-audit audits exact versions: every line of the lock must be name==version."""
    lines = [line for line in audit_dependencies.LOCK.read_text().splitlines() if line.strip()]

    assert lines
    assert all("==" in line and not line.startswith("-") for line in lines), lines
