"""Pseudonymise an extract on landing (issue 5; rules in consent.pseudonymise).

    manage.py ig_pseudonymise --purpose CODE --in extract.csv --out out.csv \\
        [--map "Post Code=postcode"] [--keep COLUMN] [--age-on YYYY-MM-DD]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from consent.pipeline import call_record, use_policy
from consent.pseudonymise import (
    DEFAULT_NHS_NUMBER_COLUMN,
    PseudonymiseReport,
    csv_lines,
    layout_plan,
    mapping_parse,
    pseudonymiser_fast,
    rows_pseudonymise,
)

from .consent_filter import PipelineCommand, elapsed_text


class Command(PipelineCommand):
    help = (
        "Pseudonymise a CSV extract for a purpose: drop the rows of people who may not be used, "
        "replace the NHS number with the purpose's pseudonym, cut postcode to its sector, date "
        "of birth to a 5-year age band, and normalise gender. Any other column is refused "
        "unless mapped (--map) or kept (--keep). See docs/ig-pseudonymisation.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purpose", required=True, help="The purpose's code.")
        parser.add_argument(
            "--in", dest="input", required=True, help='The CSV extract (with a header), or "-".'
        )
        parser.add_argument(
            "--out", dest="output", required=True, help='Where to write the result, or "-".'
        )
        parser.add_argument(
            "--nhs-number-column",
            default=DEFAULT_NHS_NUMBER_COLUMN,
            help="The header of the NHS number column (default: nhs_number).",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SOURCE=TARGET",
            help="Read column SOURCE as postcode, date_of_birth or gender. Repeat as needed.",
        )
        parser.add_argument(
            "--keep",
            action="append",
            default=[],
            metavar="COLUMN",
            help="Pass a column that holds no identifying data through unchanged.",
        )
        parser.add_argument(
            "--age-on",
            help="Work out age bands on this date, YYYY-MM-DD (default: today).",
        )
        self.add_key_env_argument(parser)
        self.add_progress_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        started_at = timezone.now()
        started = time.perf_counter()
        out_path = options["output"]
        try:
            age_on = (
                dt.date.fromisoformat(options["age_on"])
                if options["age_on"]
                else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(
                f"--age-on must be a date as YYYY-MM-DD, not {options['age_on']!r}."
            ) from error
        mapping = mapping_parse(options["map"])
        purpose = self.purpose_get(options["purpose"])
        policy = use_policy(purpose)  # fails closed: a stale national opt-out stops the run
        # Fails when the key is missing or too short.
        pseudonym = pseudonymiser_fast(purpose.code, key_env=options["key_env"])
        report = PseudonymiseReport()
        with self.input_binary(options["input"]) as (binary, _size):
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            try:
                header = next(reader, None)
                if header is None:
                    raise CommandError("The input is empty: expected a CSV file with a header.")
                layout = layout_plan(
                    header,
                    nhs_number_column=options["nhs_number_column"],
                    mapping=mapping,
                    keep=options["keep"],
                )
                with (
                    self.progress(
                        total=None, label="Pseudonymising", unit="items", forced=options["progress"]
                    ) as progress,
                    self.output_text(out_path) as out,
                ):
                    out.writelines(csv_lines([layout.output_header]))
                    rows = rows_pseudonymise(
                        reader,
                        layout=layout,
                        policy=policy,
                        pseudonym=pseudonym,
                        age_on=age_on,
                        report=report,
                        line_of=lambda: reader.line_num,
                        progress=progress.advance,
                    )
                    out.writelines(rows)
            except UnicodeDecodeError as error:
                raise CommandError("The input is not UTF-8 text.") from error
            except csv.Error as error:
                raise CommandError(
                    f"The input is not valid CSV at line {reader.line_num}."
                ) from error
            finally:
                text.detach()
        if report.invalid:
            self.invalid_report(report.invalid_lines, report.invalid)
        call_record(
            system=None,
            endpoint="ig_pseudonymise",
            purpose_code=purpose.code,
            status=0,
            received=report.rows,
            returned=report.written,
            invalid=report.invalid,
            started=started_at,
        )
        first = ", ".join(str(line) for line, _ in report.invalid_lines[:5])
        self.summary_write(
            out_path,
            f"{purpose.code}: read {report.rows:,} rows, wrote {report.written:,}, "
            f"dropped {report.not_allowed:,} not allowed and {report.invalid:,} with an invalid "
            "NHS number" + (f" (first at line {first})" if first else "") + ", "
            f"in {elapsed_text(time.perf_counter() - started)}.",
        )
