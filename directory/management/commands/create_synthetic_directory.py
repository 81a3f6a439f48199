"""manage.py create_synthetic_directory --services N: a large generated directory."""

from __future__ import annotations

import math
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.demo import (
    SERVICES_PER_ORGANISATION,
    SYNTHETIC_DEFAULT_SEED,
    create_synthetic_directory,
)
from portal.progress import Progress


class Command(BaseCommand):
    help = (
        "Add a generated directory of N fictional services, for benchmarks and load tests. "
        "Its services belong to their own generated organisations, beside any demo data. "
        "The same arguments always give the same directory, and running the command again "
        "creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--services", type=int, required=True, help="how many services (for example 10000)"
        )
        parser.add_argument(
            "--organisations",
            type=int,
            help=f"how many organisations share them (default: 1 per "
            f"{SERVICES_PER_ORGANISATION} services)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=SYNTHETIC_DEFAULT_SEED,
            help=f"another seed gives another directory (default {SYNTHETIC_DEFAULT_SEED})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        services = options["services"]
        organisations = options["organisations"]
        if services < 1:
            raise CommandError("--services must be 1 or more")
        if organisations is not None and not 1 <= organisations <= services:
            raise CommandError("--organisations must be between 1 and the number of services")
        organisations = organisations or math.ceil(services / SERVICES_PER_ORGANISATION)
        started = time.monotonic()
        with Progress(total=services, label="Creating services", stream=self.stderr) as progress:
            created, unchanged = create_synthetic_directory(
                services=services,
                organisations=organisations,
                seed=options["seed"],
                progress=progress.advance,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic directory ({services} services, {organisations} organisations, "
                f"seed {options['seed']}): {created} created, {unchanged} already there, "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
