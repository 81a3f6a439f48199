"""Load or refresh postcodes from the ONS Postcode Directory (ONSPD) CSV.

The full file is over 1 GB, so it is streamed row by row and written in batches, each in its
own transaction: an import that stops half way keeps what it wrote, and running it again
finishes the job.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Avg

from portal.progress import Progress
from search.models import Postcode, PostcodeDistrict
from search.postcodes import normalise_postcode

REQUIRED_COLUMNS = ("pcds", "lat", "long", "doterm")
NO_GRID_REFERENCE_LATITUDE = 99.999999  # ONSPD's marker for a postcode it cannot place
BAD_ROWS_SHOWN = 20
PROGRESS_EVERY_ROWS = 1000
DELETE_CHUNK = 500  # under SQLite's oldest limit of 999 query parameters


class BadRow(ValueError):
    """A row we cannot import; the message says why, for the operator."""


@dataclass(frozen=True)
class Terminated:
    postcode: str | None  # None when even the postcode is unusable


@dataclass(frozen=True)
class WithoutCoordinates:
    postcode: str


class CsvRows(Protocol):
    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


@dataclass
class ImportReport:
    imported: int = 0
    terminated: int = 0
    without_coordinates: int = 0
    bad: int = 0
    deleted: int = 0
    districts: int = 0
    bad_shown: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Import postcodes from an ONS Postcode Directory (ONSPD) CSV file, then recompute "
        "district centres. Existing postcodes are updated, so it is safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The ONSPD CSV file (Data/ONSPD_*_UK.csv).")
        parser.add_argument(
            "--delete-terminated",
            action="store_true",
            help="Also delete postcodes that the file marks as terminated.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Rows written per transaction (default 5000).",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        batch_size: int = options["batch_size"]
        delete_terminated: bool = options["delete_terminated"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")

        report = ImportReport()
        # utf-8-sig drops a byte order mark if a spreadsheet added one; errors="replace" so
        # one stray byte cannot stop a long import (in a postcode, it makes a bad row).
        with io.TextIOWrapper(
            path.open("rb"), encoding="utf-8-sig", errors="replace", newline=""
        ) as text:
            reader = csv.reader(text)
            columns = _column_positions(next(reader, None), path)
            with Progress(
                total=path.stat().st_size,
                label=f"Importing {path.name}",
                stream=self.stderr,
                unit="bytes",
            ) as progress:
                # Bytes the decoder has taken from the file: a percentage without counting
                # lines first.
                position = text.buffer.tell
                self._import_rows(
                    reader,
                    columns,
                    report=report,
                    progress=progress,
                    position=position,
                    batch_size=batch_size,
                    delete_terminated=delete_terminated,
                )
        report.districts = _recompute_districts()
        self._write_summary(report, delete_terminated=delete_terminated)

    def _import_rows(
        self,
        reader: CsvRows,
        columns: dict[str, int],
        *,
        report: ImportReport,
        progress: Progress,
        position: Callable[[], int],
        batch_size: int,
        delete_terminated: bool,
    ) -> None:
        # Keyed by postcode: PostgreSQL refuses an upsert that touches the same row twice.
        batch: dict[str, Postcode] = {}
        terminated: set[str] = set()
        reported_position = 0
        width = max(columns.values()) + 1
        for row_number, row in enumerate(reader, start=1):
            if row_number % PROGRESS_EVERY_ROWS == 0:
                now_at = position()
                progress.advance(now_at - reported_position)
                reported_position = now_at
            if not any(row):
                continue  # a blank line, often the last one
            try:
                if len(row) < width:
                    raise BadRow(f"has {len(row)} columns, expected at least {width}")
                outcome = _parse_row(row, columns)
            except BadRow as error:
                report.bad += 1
                if len(report.bad_shown) < BAD_ROWS_SHOWN:
                    message = f"Line {reader.line_num}: {error}"
                    report.bad_shown.append(message)
                    progress.note(message)
                continue
            # ONSPD has one row per postcode; if a file repeats one, the later row wins.
            if isinstance(outcome, Postcode):
                terminated.discard(outcome.postcode)
                batch[outcome.postcode] = outcome
            elif isinstance(outcome, WithoutCoordinates):
                report.without_coordinates += 1
            else:
                report.terminated += 1
                if delete_terminated and outcome.postcode:
                    batch.pop(outcome.postcode, None)
                    terminated.add(outcome.postcode)
            if len(batch) >= batch_size or len(terminated) >= batch_size:
                _write_batch(batch, terminated, report)
        _write_batch(batch, terminated, report)
        progress.advance(position() - reported_position)

    def _write_summary(self, report: ImportReport, *, delete_terminated: bool) -> None:
        hidden = report.bad - len(report.bad_shown)
        if hidden:
            self.stderr.write(f"... and {_count(hidden, 'more bad row')} not shown.")
        lines = [
            f"Imported {_count(report.imported, 'postcode')}.",
            f"Skipped {_count(report.terminated, 'terminated postcode')}.",
            f"Skipped {_count(report.without_coordinates, 'postcode')} without coordinates.",
            f"Skipped {_count(report.bad, 'bad row')}.",
        ]
        if delete_terminated:
            lines.append(f"Deleted {_count(report.deleted, 'terminated postcode')}.")
        lines.append(f"Recomputed {_count(report.districts, 'postcode district')}.")
        style = self.style.WARNING if report.bad else self.style.SUCCESS
        self.stdout.write(style("\n".join(lines)))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _column_positions(header: list[str] | None, path: Path) -> dict[str, int]:
    if header is None:
        raise CommandError(f"{path} is empty: expected an ONSPD CSV with a header row.")
    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise CommandError(
            f"{path} is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. Is it the ONS Postcode Directory CSV?"
        )
    return {name: positions[name] for name in REQUIRED_COLUMNS}


def _parse_row(
    row: list[str], columns: dict[str, int]
) -> Postcode | Terminated | WithoutCoordinates:
    """What one data row holds; raises BadRow when it cannot be used."""
    raw_postcode = row[columns["pcds"]]
    postcode = normalise_postcode(raw_postcode)
    if row[columns["doterm"]].strip():
        # Terminated rows may carry old or odd postcodes: count them, never complain.
        return Terminated(postcode)
    if postcode is None:
        raise BadRow(f"{raw_postcode.strip()!r} is not a valid postcode")
    latitude = _coordinate(row[columns["lat"]], "latitude", 90)
    if latitude == NO_GRID_REFERENCE_LATITUDE:
        return WithoutCoordinates(postcode)
    longitude = _coordinate(row[columns["long"]], "longitude", 180)
    return Postcode(
        postcode=postcode,
        outward=postcode.split(" ", 1)[0],
        latitude=latitude,
        longitude=longitude,
    )


def _coordinate(raw: str, name: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadRow(f"{name} {raw.strip()!r} is not a number") from None
    if value == NO_GRID_REFERENCE_LATITUDE:
        return value
    # float() accepts 'nan' and 'inf', which would poison every distance.
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise BadRow(f"{name} {raw.strip()!r} is out of range")
    return value


def _write_batch(batch: dict[str, Postcode], terminated: set[str], report: ImportReport) -> None:
    """Upsert the batch and delete the terminated postcodes in one transaction; empty both."""
    with transaction.atomic():
        if batch:
            Postcode.objects.bulk_create(
                batch.values(),
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["outward", "latitude", "longitude"],
            )
        pending = sorted(terminated)
        for start in range(0, len(pending), DELETE_CHUNK):
            chunk = pending[start : start + DELETE_CHUNK]
            deleted, _ = Postcode.objects.filter(postcode__in=chunk).delete()
            report.deleted += deleted
    report.imported += len(batch)
    batch.clear()
    terminated.clear()


def _recompute_districts() -> int:
    """Upsert each district's centre as the mean of its postcodes. Returns how many."""
    centres = (
        Postcode.objects.values("outward")
        .annotate(mean_latitude=Avg("latitude"), mean_longitude=Avg("longitude"))
        .order_by("outward")
    )
    districts = [
        PostcodeDistrict(
            outward=centre["outward"],
            latitude=centre["mean_latitude"],
            longitude=centre["mean_longitude"],
        )
        for centre in centres
    ]
    with transaction.atomic():
        PostcodeDistrict.objects.bulk_create(
            districts,
            update_conflicts=True,
            unique_fields=["outward"],
            update_fields=["latitude", "longitude"],
            batch_size=5000,
        )
    return len(districts)
