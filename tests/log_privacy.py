"""A pytest plugin (loaded by tests/conftest.py): every log record the portal emits during the
suite is read, and a test fails if its log output holds an NHS-number-shaped string (ten
digits, spaced 3-3-4 or not, with a valid Modulus 11 check digit) or the email address of
someone who recorded a consent event.

Records are caught on the root logger and on any logger that does not propagate, at the
levels the project's LOGGING configures: what an operator's log would show. Each test is
checked when it finishes (a failure there names the logger and the masked value); records
emitted between tests (a live server's thread, session fixtures) are checked when the session
ends.
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass

import pytest

from consent.nhs_number import _check_digit_matches

# Ten digits, or 3-3-4 with spaces or hyphens, not inside a longer run of digits.
NHS_SHAPED = re.compile(r"(?<!\d)(?<!\d\.)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d|\.\d)")


@dataclass(frozen=True)
class Finding:
    where: str  # the test, or "between tests"
    logger: str
    what: str  # masked: never the value itself

    def __str__(self) -> str:
        return f"{self.where}: logger {self.logger!r} logged {self.what}"


# Hexadecimal identifiers (UUIDs such as a task's id, digests, references) with at least one
# letter in them: random hex often holds ten digits in a row ("8c002536-0485-..." reads as
# 002 536 0485), so these are blanked out before looking. A run of digits alone is kept.
HEX_IDENTIFIER = re.compile(
    r"(?i)(?<![0-9a-z-])(?:"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # a UUID
    r"|(?=[0-9]*[a-f])[0-9a-f]{11,}"  # one hex word, a letter somewhere in it
    r")(?![0-9a-z-])"
)


def nhs_numbers_in(text: str) -> list[str]:
    found = []
    text = HEX_IDENTIFIER.sub(" ", text)
    for match in NHS_SHAPED.finditer(text):
        digits = "".join(match.groups())
        if _check_digit_matches(digits):
            found.append(digits)
    return found


def mask(value: str) -> str:
    return "*" * (len(value) - 3) + value[-3:]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.current = "between tests"
        self.findings: list[Finding] = []
        self.consent_emails: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a bad format string is the logging module's problem, not ours
            text = str(record.msg)
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        for number in nhs_numbers_in(text):
            self.findings.append(
                Finding(self.current, record.name, f"an NHS number ({mask(number)})")
            )
        lowered = text.lower()
        for email in self.consent_emails:
            if email in lowered:
                self.findings.append(
                    Finding(self.current, record.name, f"a consent event's email ({mask(email)})")
                )

    def take(self, where: str) -> list[Finding]:
        mine = [finding for finding in self.findings if finding.where == where]
        self.findings = [finding for finding in self.findings if finding.where != where]
        return mine


collector = _Collector()


def _remember_consent_email(sender, instance, created, **kwargs) -> None:
    email = getattr(getattr(instance, "recorded_by", None), "email", "")
    if created and email:
        collector.consent_emails.add(email.lower())


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.db.models.signals import post_save

    from consent.register_models import ConsentEvent

    post_save.connect(_remember_consent_email, sender=ConsentEvent, weak=False)
    logging.getLogger().addHandler(collector)
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger) and not logger.propagate:
            logger.addHandler(collector)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(request: pytest.FixtureRequest):
    collector.current = request.node.nodeid
    yield
    findings = collector.take(request.node.nodeid)
    collector.current = "between tests"
    if findings:
        pytest.fail(
            "Personal data reached the logs:\n" + "\n".join(f"  {f}" for f in findings),
            pytrace=False,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leftovers = collector.take("between tests")
    if leftovers:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("Personal data reached the logs outside any test:", red=True)
            for finding in leftovers:
                reporter.write_line(f"  {finding}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
