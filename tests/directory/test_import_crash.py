"""A crash halfway through a directory import leaves nothing of the import behind.

Bad rows and records are a different matter (reported by line, the good ones kept: see
test_csv_import.py and test_oruk_import_export.py). Here the import itself fails part way,
after some rows were saved: an unexpected error, or a file that turns out not to be UTF-8
half way through. Every row saved before it must be rolled back, so the operator can fix the
cause and run the same file again.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models.signals import post_save
from wagtail.models import Page, Revision

from directory.models import Location, OrganisationPage, ServicePage, TaxonomyTerm

pytestmark = pytest.mark.django_db

CSV_HEADER = "organisation_name,service_name,summary,categories,address_1,town"


class ImportCrashed(Exception):
    """Stands for any fault the importer does not expect (a bug, a full disk...)."""


@pytest.fixture
def crash_on_third_service():
    """Make the third service saved fail, after two were saved whole."""
    saved: list[str] = []

    def receiver(sender, instance, created, **kwargs):
        if created:
            saved.append(instance.title)
            if len(saved) == 3:
                raise ImportCrashed(f"crashed saving {instance.title}")

    post_save.connect(receiver, sender=ServicePage, dispatch_uid="test-crash")
    yield saved
    post_save.disconnect(sender=ServicePage, dispatch_uid="test-crash")


def snapshot() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "services": ServicePage.objects.count(),
        "organisations": OrganisationPage.objects.count(),
        "locations": Location.objects.count(),
        "revisions": Revision.objects.count(),
        "terms": TaxonomyTerm.objects.count(),
    }


def csv_file(tmp_path: Path) -> Path:
    rows = [
        f"Crash Test Trust {n},Group {n},A group.,Dementia,{n} Gull Lane,Leigh-on-Sea"
        for n in range(1, 6)
    ]
    path = tmp_path / "services.csv"
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_import_crashing_halfway_leaves_no_rows(tmp_path, crash_on_third_service):
    before = snapshot()

    with pytest.raises(ImportCrashed):
        call_command("import_directory_csv", str(csv_file(tmp_path)), stdout=io.StringIO())

    assert crash_on_third_service == ["Group 1", "Group 2", "Group 3"]  # two saved, then crash
    assert snapshot() == before
    assert not OrganisationPage.objects.filter(title__startswith="Crash Test Trust").exists()
    assert not Location.objects.filter(address_1__endswith="Gull Lane").exists()


def test_csv_import_runs_whole_once_the_cause_is_gone(tmp_path, crash_on_third_service):
    path = csv_file(tmp_path)
    with pytest.raises(ImportCrashed):
        call_command("import_directory_csv", str(path), stdout=io.StringIO())
    post_save.disconnect(sender=ServicePage, dispatch_uid="test-crash")

    out = io.StringIO()
    call_command("import_directory_csv", str(path), stdout=out)

    assert "5 created, 0 updated, 0 unchanged, 0 rejected" in out.getvalue()
    assert ServicePage.objects.filter(title__startswith="Group ").count() == 5


def test_csv_bad_rows_are_still_reported_and_the_good_ones_kept(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text(
        f"{CSV_HEADER}\nGood Trust,Good group,A group.,Dementia,,\n"
        "Bad Trust,Bad group,A group.,No such category,,\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="1 row rejected"):
        call_command("import_directory_csv", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    assert ServicePage.objects.filter(title="Good group").exists()
    assert not ServicePage.objects.filter(title="Bad group").exists()


def oruk_record(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "name": f"Imported service {n}",
        "status": "active",
        # Long enough that the reader decodes the file in several chunks.
        "description": f"Service {n}. " + "Plenty to say about it. " * 300,
        "organization": {"id": str(uuid.uuid4()), "name": f"Imported organisation {n}"},
    }


def test_oruk_import_of_a_file_that_breaks_halfway_leaves_no_records(tmp_path):
    records = [oruk_record(n) for n in range(1, 5)]
    good = "".join(json.dumps(record) + "\n" for record in records).encode()
    # A byte that is not UTF-8 after ~29 KB: the reader finds it only after importing the
    # records in the first chunks it decoded.
    path = tmp_path / "services.ndjson"
    path.write_bytes(good + b'{"id": "\xff broken"}\n')
    assert len(good) > 3 * 8192
    saved: list[str] = []

    def count(sender, instance, created, **kwargs):
        if created:
            saved.append(instance.title)

    before = snapshot()
    post_save.connect(count, sender=ServicePage, dispatch_uid="test-count")
    try:
        with pytest.raises(CommandError, match="is not UTF-8 text"):
            call_command("import_oruk", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        post_save.disconnect(sender=ServicePage, dispatch_uid="test-count")

    assert len(saved) >= 2  # records were saved before the reader reached the bad byte
    assert snapshot() == before
    assert not ServicePage.objects.filter(title__startswith="Imported service").exists()


def test_oruk_import_interrupted_halfway_leaves_no_records(tmp_path):
    """Ctrl-C (KeyboardInterrupt) during the third record: not one record's problem, so not
    reported and skipped like one; the batch is undone."""
    path = tmp_path / "services.ndjson"
    path.write_text(
        "".join(json.dumps(oruk_record(n)) + "\n" for n in range(1, 6)), encoding="utf-8"
    )
    saved: list[str] = []

    def interrupt(sender, instance, created, **kwargs):
        if created:
            saved.append(instance.title)
            if len(saved) == 3:
                raise KeyboardInterrupt

    before = snapshot()
    post_save.connect(interrupt, sender=ServicePage, dispatch_uid="test-interrupt")
    try:
        with pytest.raises(KeyboardInterrupt):
            call_command("import_oruk", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        post_save.disconnect(sender=ServicePage, dispatch_uid="test-interrupt")

    assert len(saved) == 3
    assert snapshot() == before
