"""The national data opt-out round trip (issue 5; rules in consent.national_opt_out).

manage.py consent_national_opt_out request (--from FILE | --register) --out-dir DIR
    [--line-ending lf|crlf] [--mailbox ID]
manage.py consent_national_opt_out response FILE [--request NAME] [--request-dir DIR]
manage.py consent_national_opt_out status [--check]
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from consent.national_opt_out import (
    DEFAULT_MAILBOX,
    LINE_ENDINGS,
    request_for_response,
    request_write,
    response_read,
)
from consent.pipeline import (
    FORMATS,
    call_record,
    national_opt_out_checked_at,
    national_opt_out_max_age,
    numbers_read,
)
from consent.pipeline_models import NationalOptOut, NationalOptOutCheck
from consent.register_models import ConsentState

from .consent_filter import PipelineCommand, chunks_read, elapsed_text, format_for


class Command(PipelineCommand):
    help = (
        "The national data opt-out check: write a request file for NHS England's Check for "
        "National Data Opt-outs service, read the cleaned file it returns into the cache, or "
        "show how old the cache is. See docs/ig-pseudonymisation.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        request = actions.add_parser("request", help="Write a request file to send by MESH.")
        source = request.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--from", dest="source", help="Send the NHS numbers in this file (text, CSV, JSON)."
        )
        source.add_argument(
            "--register", action="store_true", help="Send everyone the register knows of."
        )
        request.add_argument("--format", choices=FORMATS, help="The --from file's format.")
        request.add_argument("--out-dir", required=True, type=Path, help="Where to write it.")
        request.add_argument(
            "--line-ending",
            choices=sorted(LINE_ENDINGS),
            default="lf",
            help="Line endings of the request file (default lf, as the service asks).",
        )
        request.add_argument(
            "--mailbox",
            default=DEFAULT_MAILBOX,
            help="Your MESH mailbox ID, which starts the file name (default NDOP).",
        )
        self.add_progress_argument(request)
        response = actions.add_parser("response", help="Read the cleaned file the service sent.")
        response.add_argument("file", type=Path, help="The cleaned file.")
        response.add_argument(
            "--request", help="The request file's name (default: worked out from FILE's name)."
        )
        response.add_argument(
            "--request-dir",
            type=Path,
            help="Where the request file is (default: the cleaned file's directory).",
        )
        status = actions.add_parser("status", help="Show the cache's age.")
        status.add_argument(
            "--check", action="store_true", help="Exit non-zero when the cache is too old."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_request(self, **options: Any) -> None:
        started_at = timezone.now()
        started = time.perf_counter()
        invalid: list[tuple[int, str]] = []
        invalid_count = 0
        if options["register"]:
            numbers: Iterator[str] = (
                ConsentState.objects.values_list("nhs_number", flat=True)
                .distinct()
                .order_by("nhs_number")
                .iterator(5000)
            )
            result = request_write(
                numbers,
                out_dir=options["out_dir"],
                mailbox=options["mailbox"],
                line_ending=options["line_ending"],
            )
        else:
            path = options["source"]
            fmt = format_for(path, options["format"])
            with (
                self.input_binary(path) as (stream, size),
                self.progress(
                    total=size, label="Reading", unit="bytes", forced=options["progress"]
                ) as progress,
            ):

                def valid() -> Iterator[str]:
                    nonlocal invalid_count
                    for item in numbers_read(chunks_read(stream, progress), fmt):
                        if item.nhs_number is not None:
                            yield item.nhs_number
                        else:
                            invalid_count += 1
                            if len(invalid) < 20:
                                invalid.append((item.line, item.error or ""))

                result = request_write(
                    valid(),
                    out_dir=options["out_dir"],
                    mailbox=options["mailbox"],
                    line_ending=options["line_ending"],
                )
        if invalid_count:
            self.invalid_report(invalid, invalid_count)
        call_record(
            system=None,
            endpoint="consent_national_opt_out",
            status=0,
            received=result.sent + result.duplicates + invalid_count,
            returned=result.sent,
            invalid=invalid_count,
            started=started_at,
        )
        self.stdout.write(str(result.path))
        self.stderr.write(
            f"Wrote {result.sent:,} NHS numbers to {result.path.name}"
            + (f" ({result.duplicates:,} duplicates sent once)" if result.duplicates else "")
            + (f", skipped {invalid_count:,} invalid" if invalid_count else "")
            + f", in {elapsed_text(time.perf_counter() - started)}. Send it to the Check for "
            "National Data Opt-outs service by MESH, then run: consent_national_opt_out "
            "response <the cleaned file>."
        )

    def handle_response(self, **options: Any) -> None:
        started_at = timezone.now()
        response: Path = options["file"]
        if not response.is_file():
            raise CommandError(f"There is no file at {response}.")
        check = request_for_response(response, request_name=options["request"])
        request_dir = options["request_dir"] or response.parent
        request_path = request_dir / check.file_name
        if not request_path.is_file():
            raise CommandError(
                f"The request file {check.file_name} is not in {request_dir}: it is the record "
                "of what was sent. Say where it is with --request-dir."
            )
        result = response_read(response, request_path=request_path, check=check)
        call_record(
            system=None,
            endpoint="consent_national_opt_out",
            status=0,
            received=result.returned,
            returned=result.opted_out,
            started=started_at,
        )
        self.stdout.write(
            f"{check.file_name}: sent {result.sent:,}, returned {result.returned:,}, "
            f"{result.opted_out:,} opted out nationally. The cache is now fresh "
            f"(checked {timezone.localtime(check.completed_at):%Y-%m-%d %H:%M})."
        )

    def handle_status(self, **options: Any) -> None:
        checked_at = national_opt_out_checked_at()
        max_age = national_opt_out_max_age()
        hours = settings.CONSENT_NATIONAL_OPT_OUT_MAX_AGE_HOURS
        outstanding = NationalOptOutCheck.objects.filter(completed_at__isnull=True).count()
        cached = NationalOptOut.objects.count()
        if checked_at is None:
            fresh = False
            self.stdout.write("The national data opt-out has never been checked.")
        else:
            age = timezone.now() - checked_at
            fresh = age <= max_age
            self.stdout.write(
                f"Last checked {timezone.localtime(checked_at):%Y-%m-%d %H:%M} "
                f"({age.total_seconds() / 3600:.1f} hours ago); maximum age {hours} hours: "
                + ("fresh." if fresh else "STALE: purposes it applies to are refused.")
            )
        self.stdout.write(
            f"{cached:,} people cached as opted out; {outstanding} requests awaiting a response."
        )
        if options["check"] and not fresh:
            raise CommandError(
                "The national data opt-out cache is too old: run the check "
                "(consent_national_opt_out request, then response)."
            )
