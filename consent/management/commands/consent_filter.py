"""The bulk check as a command (issue 5): keep the NHS numbers a purpose may use.

    manage.py consent_filter --purpose CODE IN OUT

The same rules as `POST /api/ig/v1/check` (consent.bulk_check). `PipelineCommand` here is the
shared frame of the IG pipeline commands (ig_pseudonymise, consent_export_pseudonyms): "-" for
standard input or output, a progress bar on a terminal or with --progress, a clear
CommandError for anything that stops the run, and a PipelineCall for each run.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from consent.bulk_check import check_prepare
from consent.models import Purpose
from consent.pipeline import FORMATS, NumberLine, PipelineError, call_record, use_policy
from portal.progress import Progress

CHUNK = 1 << 20
INVALID_SHOWN = 20
_EXTENSIONS = {".txt": "text", ".dat": "text", ".csv": "csv", ".json": "json"}


class _NoProgress:
    def advance(self, n: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class PipelineCommand(BaseCommand):
    """What the IG pipeline commands share."""

    def add_progress_argument(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Report progress on standard error even when it is not a terminal.",
        )

    def add_key_env_argument(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--key-env",
            metavar="NAME",
            help=(
                "Take the key from this versioned environment variable, e.g. "
                "IG_PSEUDONYM_KEY_RESEARCH_V2, while rotating keys (docs/ig-pseudonymisation.md)."
            ),
        )

    def progress(self, *, total: int | None, label: str, unit: str, forced: bool):
        if forced or self.stderr.isatty():
            return Progress(total=total, label=label, stream=self.stderr, unit=unit)
        return _NoProgress()

    def purpose_get(self, code: str) -> Purpose:
        purpose = Purpose.objects.filter(code=code, is_active=True).first()
        if purpose is None:
            codes = ", ".join(Purpose.objects.filter(is_active=True).values_list("code", flat=True))
            raise CommandError(f"There is no active purpose {code!r}. Active purposes: {codes}.")
        return purpose

    @contextlib.contextmanager
    def input_binary(self, path: str) -> Iterator[tuple[IO[bytes], int | None]]:
        """The input opened for reading bytes, and its size when known."""
        if path == "-":
            yield sys.stdin.buffer, None
            return
        try:
            stream = open(path, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        with stream:
            yield stream, os.fstat(stream.fileno()).st_size

    @contextlib.contextmanager
    def output_text(self, path: str) -> Iterator[IO[str]]:
        """OUT for writing text. A file is written beside OUT and moved into place only when
        the run succeeds, so a failed run never leaves half a file under OUT's name."""
        if path == "-":
            stream = self.stdout._out  # sys.stdout, or what call_command was given
            yield stream
            stream.flush()
            return
        partial = f"{path}.partial"
        try:
            stream = open(partial, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        try:
            with stream:
                yield stream
            os.replace(partial, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise

    def summary_write(self, out_path: str, text: str) -> None:
        """The run's summary: on standard output, unless OUT is standard output."""
        (self.stderr if out_path == "-" else self.stdout).write(text)

    def invalid_report(self, items: list[tuple[int, str]], total: int, what: str = "Line") -> None:
        for line, message in items[:INVALID_SHOWN]:
            self.stderr.write(f"{what} {line}: {message}")
        if total > INVALID_SHOWN:
            self.stderr.write(f"... and {total - INVALID_SHOWN:,} more invalid.")

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except PipelineError as error:
            raise CommandError(error.detail) from error


def chunks_read(stream: IO[bytes], progress) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        progress.advance(len(chunk))
        yield chunk


def format_for(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower()
    return _EXTENSIONS.get(suffix, "text")


def elapsed_text(seconds: float) -> str:
    return f"{seconds:.1f} s"


class Command(PipelineCommand):
    help = (
        "Write the NHS numbers in IN that may be used for a purpose to OUT, one per line. "
        "IN is text (one number a line), CSV (the nhs_number column, else the first) or a JSON "
        'array, by its extension or --format. "-" is standard input or output.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", metavar="IN", help='The NHS numbers to check, or "-".')
        parser.add_argument("output", metavar="OUT", help='Where to write the allowed, or "-".')
        parser.add_argument("--purpose", required=True, help="The purpose's code.")
        parser.add_argument(
            "--format", choices=FORMATS, help="The input format (default: by extension, text)."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Stop without writing OUT if any item is not a valid NHS number.",
        )
        self.add_progress_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        started_at = timezone.now()
        started = time.perf_counter()
        in_path, out_path = options["input"], options["output"]
        purpose = self.purpose_get(options["purpose"])
        fmt = format_for(in_path, options["format"])
        policy = use_policy(purpose)  # fails closed before reading a million lines
        with (
            self.input_binary(in_path) as (stream, size),
            self.progress(
                total=size, label="Checking", unit="bytes", forced=options["progress"]
            ) as progress,
        ):
            prepared = check_prepare(chunks_read(stream, progress), fmt)
        with prepared:
            invalid = [(item.line, _message(item)) for item in prepared.invalid_lines]
            if prepared.invalid:
                self.invalid_report(invalid, prepared.invalid, "Item" if fmt == "json" else "Line")
            if options["strict"] and prepared.invalid:
                raise CommandError(
                    f"{prepared.invalid:,} items are not valid NHS numbers; nothing was written "
                    "(--strict)."
                )
            with self.output_text(out_path) as out:
                write = out.write
                for block in prepared.allowed_blocks(policy):
                    write("\n".join(block))
                    write("\n")
        call_record(
            system=None,
            endpoint="consent_filter",
            purpose_code=purpose.code,
            status=0,
            received=prepared.checked + prepared.invalid,
            returned=prepared.allowed_count,
            invalid=prepared.invalid,
            started=started_at,
        )
        first = ", ".join(str(line) for line, _ in invalid[:5])
        self.summary_write(
            out_path,
            f"{purpose.code}: checked {prepared.checked + prepared.invalid:,}, "
            f"allowed {prepared.allowed_count:,}, "
            f"not allowed {prepared.checked - prepared.allowed_count:,}, "
            f"invalid {prepared.invalid:,}"
            + (f" (first at {first})" if first else "")
            + f", in {elapsed_text(time.perf_counter() - started)}.",
        )


def _message(item: NumberLine) -> str:
    return item.error or ""
