"""Fill the load test's throwaway database and write what the traffic needs (targets JSON).

    python scripts/load/prepare.py --services 10000 --register 100000 --out targets.json

Run by scripts/load-test.sh with the load-test settings and a throwaway DATABASE_URL: it
migrates, collects static files, loads the demo council, grows the directory to --services
services, records --register synthetic choices, fills the national opt-out cache, issues an IG
pipeline token, runs any queued background task, and lists the pages and numbers to ask for.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = 2000  # services, ORUK ids: plenty to spread requests over, small to hand around
CHECK_POOL = 20_000  # NHS numbers the bulk checks draw from: half in the register, half not


def step(title: str, action: Callable[[], object]) -> object:
    print(f"==> {title}", flush=True)
    started = time.monotonic()
    result = action()
    print(f"    ({time.monotonic() - started:.1f}s)", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--register", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    _ensure_postgres_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DEBUG or not settings.CONSENT_ALLOW_TEST_NHS_NUMBERS:
        sys.exit("prepare.py runs under portal.settings.load only (scripts/load-test.sh).")

    step("Migrating the throwaway database", lambda: call_command("migrate", "--noinput", "-v0"))
    step("Cache table and static files", _static)
    step("Demo council (pages, directory, reviews)", lambda: call_command("load_demo_data"))
    step(f"Directory to {args.services:,} services", lambda: _grow_directory(args.services))
    step(
        f"Consent register: {args.register:,} synthetic people",
        lambda: call_command("create_synthetic_register", entries=args.register),
    )
    step("National data opt-out cache", lambda: _national_opt_outs(args.register))
    token = step("IG pipeline system and token", _pipeline_token)
    step(
        "Background tasks queued while loading (db_worker --batch)",
        lambda: call_command("db_worker", "--batch", "--no-startup-delay", "-v0"),
    )
    targets = step("Pages, services and numbers to ask for", lambda: _targets(args.register))
    targets["ig_token"] = token
    args.out.write_text(json.dumps(targets))
    os.chmod(args.out, 0o600)  # it holds a bearer token, however throwaway
    return 0


def _ensure_postgres_database() -> None:
    """The throwaway cluster (scripts/with-postgres.sh) starts with no portal database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg
    from psycopg import sql

    params = dj_database_url.parse(url)
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))


def _static() -> None:
    from django.core.management import call_command

    call_command("createcachetable", "-v0")
    call_command("collectstatic", "--noinput", "-v0")


def _grow_directory(size: int) -> None:
    from django.core.management import call_command

    from directory.models import ServicePage

    existing = ServicePage.objects.count()
    if existing < size:
        call_command("create_synthetic_directory", services=size - existing)
    print(f"    {ServicePage.objects.live().count():,} live services", flush=True)


def _national_opt_outs(register: int) -> None:
    """A completed national opt-out check, fresh, with one in twenty of the register's people
    opted out: the bulk check refuses purposes the opt-out applies to without one."""
    from django.utils import timezone

    from consent.pipeline_models import NationalOptOut, NationalOptOutCheck
    from consent.synthetic import synthetic_nhs_numbers

    numbers = synthetic_nhs_numbers(register)
    opted_out = numbers[::20]
    now = timezone.now()
    check = NationalOptOutCheck.objects.create(
        file_name=f"LOADTEST_{now:%Y%m%d%H%M%S}.dat",
        requested_at=now,
        numbers_sent=len(numbers),
        completed_at=now,
        numbers_returned=len(numbers) - len(opted_out),
        numbers_opted_out=len(opted_out),
    )
    NationalOptOut.objects.bulk_create(
        (NationalOptOut(nhs_number=n, from_check=check) for n in opted_out),
        batch_size=5000,
        ignore_conflicts=True,
    )
    print(f"    {len(opted_out):,} opted out", flush=True)


def _pipeline_token() -> str:
    from consent.models import Purpose
    from consent.pipeline import token_issue
    from consent.pipeline_models import PipelineSystem

    system, _ = PipelineSystem.objects.get_or_create(name="Load test landing area")
    system.purposes.set(Purpose.objects.filter(is_active=True))
    _, raw = token_issue(system=system, label="make load")
    return raw


def _targets(register: int) -> dict:
    from consent.pipeline_models import PipelineSystem
    from consent.synthetic import synthetic_nhs_numbers
    from directory.models import Review, ServicePage
    from directory.reviews import reviews_published
    from search.indexing import all_browsable_terms
    from search.models import Postcode

    rng = random.Random(8)
    live = ServicePage.objects.live()
    ids = list(live.values_list("id", flat=True))
    sampled = live.filter(id__in=rng.sample(ids, min(SAMPLE, len(ids))))
    services = [[page.id, page.url] for page in sampled]
    reviewed_ids = set(Review.objects.values_list("service_id", flat=True))
    reviewed = [
        page.url
        for page in live.filter(id__in=reviewed_ids)
        if reviews_published(service=page).exists()
    ]
    oruk_sample = live.filter(id__in=rng.sample(ids, min(SAMPLE, len(ids))))
    oruk_ids = [str(uuid) for uuid in oruk_sample.values_list("uuid", flat=True)]
    postcodes = list(Postcode.objects.values_list("postcode", flat=True)[:500])
    in_register = synthetic_nhs_numbers(register)
    outside = synthetic_nhs_numbers(register + CHECK_POOL // 2)[register:]
    pool = rng.sample(in_register, min(len(in_register), CHECK_POOL // 2)) + outside
    system = PipelineSystem.objects.get(name="Load test landing area")
    print(
        f"    {len(services):,} service pages, {len(reviewed):,} with reviews, "
        f"{len(oruk_ids):,} ORUK ids, {len(postcodes):,} postcodes, {len(pool):,} NHS numbers",
        flush=True,
    )
    return {
        "services": services,
        "reviewed": reviewed,
        "oruk_ids": oruk_ids,
        "oruk_pages": max(1, len(ids) // 50),
        "categories": [term.slug for term in all_browsable_terms()],
        "postcodes": postcodes or ["SS2 6ER"],
        "nhs_numbers": pool,
        "ig_purposes": sorted(system.purposes.values_list("code", flat=True)),
    }


if __name__ == "__main__":
    sys.exit(main())
