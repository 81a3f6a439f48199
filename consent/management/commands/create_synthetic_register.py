"""manage.py create_synthetic_register --entries N: a large generated consent register."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.synthetic import (
    MAX_ENTRIES,
    SYNTHETIC_DEFAULT_SEED,
    SyntheticRegisterError,
    synthetic_register_create,
)
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Add N generated people with one recorded choice each (objections, and consent where "
        "consent is the basis) to the consent register, for load tests and benchmarks. Uses "
        "NHS test numbers (999...) only, so it runs only where CONSENT_ALLOW_TEST_NHS_NUMBERS "
        "is on. The same arguments give the same people; running it again creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--entries", type=int, required=True, help="how many people (for example 100000)"
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=SYNTHETIC_DEFAULT_SEED,
            help=f"another seed gives other people (default {SYNTHETIC_DEFAULT_SEED})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entries = options["entries"]
        if not 1 <= entries <= MAX_ENTRIES:
            raise CommandError(f"--entries must be between 1 and {MAX_ENTRIES:,}")
        started = time.monotonic()
        try:
            with Progress(total=entries, label="Recording choices", stream=self.stderr) as progress:
                created, unchanged = synthetic_register_create(
                    entries=entries, seed=options["seed"], progress=progress.advance
                )
        except SyntheticRegisterError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic register ({entries} people, seed {options['seed']}): {created} "
                f"created, {unchanged} already there, in {time.monotonic() - started:.1f}s."
            )
        )
