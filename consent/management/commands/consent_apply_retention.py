"""Destroy register events, access log entries and IG pipeline records past their retention
period (docs/data-destruction-policy.md, ADR 0015). --dry-run only counts."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consent.register import chain_verify
from consent.retention import (
    RetentionLimits,
    RetentionRefused,
    RetentionReport,
    retention_apply,
    retention_limits,
    retention_plan,
)
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Apply the retention policy: erase the register events of people with no choice in "
        "force whose last event is older than CONSENT_RETENTION_EVENTS_YEARS (tombstones keep "
        "the chain verifiable), and delete old access log entries, pipeline calls, unused "
        "national opt-out checks and expired sessions. Prints counts, never NHS numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be destroyed, and change nothing.",
        )
        parser.add_argument(
            "--authorised-by",
            default=None,
            help="The sign-off this run is made under, recorded with it "
            "(default: CONSENT_RETENTION_AUTHORITY).",
        )

    def handle(self, *args, dry_run=False, authorised_by=None, **options):
        limits = retention_limits()
        self._limits(limits)
        plan = retention_plan(now=limits.now)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. This run would destroy:")
            self._report(plan)
            return
        try:
            with Progress(total=plan.total, label="Applying retention", stream=self.stderr) as p:
                done = retention_apply(
                    now=limits.now, authorised_by=authorised_by, advance=p.advance
                )
        except RetentionRefused as refused:
            raise CommandError(f"Retention refused. {refused}") from refused
        self.stdout.write("Destroyed:")
        self._report(done)
        broken = chain_verify()
        if broken:  # pragma: no cover - retention keeps the chain; say so loudly if not
            raise CommandError(
                f"The chain is broken after retention at event {broken.reference}: "
                f"{broken.problem}. Run consent_verify_chain and investigate."
            )
        self.stdout.write("Register chain intact after retention.")

    def _limits(self, limits: RetentionLimits) -> None:
        self.stdout.write(
            f"Register events: people whose last event was before "
            f"{limits.events_before:%Y-%m-%d} ({settings.CONSENT_RETENTION_EVENTS_YEARS} years) "
            f"and who have no choice in force.\n"
            f"Access log entries before {limits.access_log_before:%Y-%m-%d} "
            f"({settings.CONSENT_RETENTION_ACCESS_LOG_YEARS} years); pipeline calls before "
            f"{limits.pipeline_calls_before:%Y-%m-%d}; national opt-out checks not in use, "
            f"requested before {limits.opt_out_checks_before:%Y-%m-%d}."
        )

    def _report(self, report: RetentionReport) -> None:
        lines = [
            f"  register: {report.events} events of {_people(report.people)} "
            f"(a tombstone kept for each), {report.state_rows} current-state rows",
            f"  kept: {_people(report.people_kept)} with old events but a choice in force or a "
            "change waiting",
            f"  access log entries: {report.access_log_entries}",
            f"  IG pipeline calls: {report.pipeline_calls}",
            f"  national opt-out checks: {report.opt_out_checks}",
        ]
        if report.expired_sessions is None:
            lines.append(
                "  receipts: not stored by the register; they live in visitors' sessions, "
                "which this session engine expires itself"
            )
        else:
            lines.append(
                "  receipts: not stored by the register; they live in visitors' sessions "
                f"(at most {settings.SESSION_COOKIE_AGE // 86400} days). "
                f"Expired sessions: {report.expired_sessions}"
            )
        self.stdout.write("\n".join(lines))


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"
