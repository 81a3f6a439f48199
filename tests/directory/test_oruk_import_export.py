"""manage.py export_oruk / import_oruk: ndjson out, ORUK JSON in, lossless round trips."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Revision

from directory.models import (
    Location,
    OrganisationPage,
    RegularSchedule,
    ServiceAtLocation,
    ServiceContact,
    ServicePage,
    ServicePhone,
    Taxonomy,
    TaxonomyTerm,
)

from .conftest import assert_service_record, build_service, read_ndjson

pytestmark = pytest.mark.django_db


def export(tmp_path: Path) -> Path:
    out = tmp_path / "directory.ndjson"
    call_command("export_oruk", str(out), stderr=io.StringIO())
    return out


def run_import(path: Path) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_oruk", str(path), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def run_failing_import(path: Path) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="could not be imported"):
        call_command("import_oruk", str(path), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def wipe_directory() -> None:
    """Delete services, organisations, locations, terms and vocabularies."""
    for organisation in OrganisationPage.objects.all():
        organisation.delete()
    Location.objects.all().delete()
    TaxonomyTerm.objects.all().delete()
    Taxonomy.objects.all().delete()
    assert not ServicePage.objects.exists()


def api_snapshot(api) -> dict:
    """Everything the API says about the directory's services, ids included."""
    services = api.all_pages("services")
    sites = api.all_pages("service_at_locations")
    details = {item["id"]: api.get(f"services/{item['id']}") for item in services}
    term_ids = {
        attribute["taxonomy_term_id"]
        for record in details.values()
        for attribute in record["attributes"]
    }
    return {
        "services": services,
        "details": details,
        "service_at_locations": sites,
        "site_details": {
            item["id"]: api.get(f"service_at_locations/{item['id']}") for item in sites
        },
        "terms": {term_id: api.get(f"taxonomy_terms/{term_id}") for term_id in term_ids},
    }


def counts() -> dict[str, int]:
    return {
        "pages": ServicePage.objects.count() + OrganisationPage.objects.count(),
        "revisions": Revision.objects.count(),
        "locations": Location.objects.count(),
        "sites": ServiceAtLocation.objects.count(),
        "schedules": RegularSchedule.objects.count(),
        "terms": TaxonomyTerm.objects.count(),
        "taxonomies": Taxonomy.objects.count(),
        "phones": ServicePhone.objects.count(),
    }


def write_json(tmp_path: Path, data, name: str = "services.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def minimal_record(**overrides) -> dict:
    record = {
        "id": str(uuid.uuid4()),
        "name": "Imported service",
        "status": "active",
        "organization": {
            "id": str(uuid.uuid4()),
            "name": "Imported organisation",
            "description": "Runs things.",
        },
    }
    return record | overrides


# --- Export ------------------------------------------------------------------------------------


def test_export_writes_one_detail_record_a_line(api, varied_directory, tmp_path):
    records = read_ndjson(export(tmp_path))

    assert len(records) == 3
    for record in records:
        assert record == api.get(f"services/{record['id']}")
        assert_service_record(record, full=True)


def test_export_leaves_out_unpublished_services_and_pending_edits(tmp_path):
    published = build_service(title="Published")
    withdrawn = build_service(title="Withdrawn")
    withdrawn.unpublish()
    page = ServicePage.objects.get(pk=published.pk)
    page.title = "Pending edit"
    page.save_revision()

    records = read_ndjson(export(tmp_path))

    assert [record["name"] for record in records] == ["Published"]


# --- Round trip --------------------------------------------------------------------------------


def test_export_wipe_import_gives_back_the_same_api_output(api, varied_directory, tmp_path):
    before = api_snapshot(api)
    path = export(tmp_path)

    wipe_directory()
    assert api.get("services")["total_items"] == 0
    stdout, _ = run_import(path)

    assert "3 records: 3 created, 0 updated, 0 unchanged, 0 failed" in stdout
    after = api_snapshot(api)
    assert after["services"] == before["services"]
    for service_id, record in before["details"].items():
        assert after["details"][service_id] == record
    assert after == before


def test_importing_twice_creates_nothing_new(varied_directory, tmp_path):
    path = export(tmp_path)
    wipe_directory()
    run_import(path)
    first = counts()

    stdout, _ = run_import(path)

    assert "3 records: 0 created, 0 updated, 3 unchanged, 0 failed" in stdout
    assert counts() == first


def test_importing_an_export_over_the_same_directory_changes_nothing(
    api, varied_directory, tmp_path
):
    before = api_snapshot(api)
    path = export(tmp_path)
    before_counts = counts()

    stdout, _ = run_import(path)

    assert "3 unchanged" in stdout
    assert counts() == before_counts
    assert api_snapshot(api) == before


def test_import_keeps_private_contacts_and_hidden_addresses(varied_directory, tmp_path):
    path = export(tmp_path)
    records = read_ndjson(path)
    cafe = next(r for r in records if r["name"] == "Carers' café")
    cafe["name"] = "Carers' café and lunch"
    write_json(tmp_path, [cafe])

    stdout, _ = run_import(tmp_path / "services.json")

    assert "1 updated" in stdout
    assert ServiceContact.objects.filter(name="Private Person", is_public=False).exists()
    refuge = Location.objects.get(name="Safe house")
    assert refuge.address_1  # the street address was never exported, and is kept
    assert refuge.latitude is not None


# --- Updates, publishing, moderation --------------------------------------------------------


def test_import_publishes_through_a_revision_so_later_edits_are_moderated(api, tmp_path):
    record = minimal_record(
        description="Helps people.", phones=[{"id": str(uuid.uuid4()), "number": "01702 1"}]
    )

    run_import(write_json(tmp_path, record))

    service = ServicePage.objects.get(uuid=record["id"])
    assert service.live
    assert service.live_revision is not None
    assert service.latest_revision_id == service.live_revision_id
    assert not service.has_unpublished_changes
    assert service.get_parent().specific.uuid == uuid.UUID(record["organization"]["id"])
    assert service.get_parent().get_parent().slug == "services"
    service.title = "A later draft"
    service.save_revision()
    assert api.get(f"services/{record['id']}")["name"] == "Imported service"


def test_import_updates_a_service_matched_by_id(api, tmp_path):
    record = minimal_record()
    path = write_json(tmp_path, record)
    run_import(path)
    revisions = Revision.objects.count()

    record["name"] = "Renamed service"
    record["minimum_age"] = 16
    stdout, _ = run_import(write_json(tmp_path, record))

    assert "1 updated" in stdout
    assert ServicePage.objects.filter(uuid=record["id"]).count() == 1
    shown = api.get(f"services/{record['id']}")
    assert (shown["name"], shown["minimum_age"]) == ("Renamed service", 16)
    assert Revision.objects.count() == revisions + 1


def test_a_service_moves_when_its_organisation_changes(api, tmp_path):
    record = minimal_record()
    run_import(write_json(tmp_path, record))
    record["organization"] = {
        "id": str(uuid.uuid4()),
        "name": "New home",
        "description": "Took the service over.",
    }

    run_import(write_json(tmp_path, record))

    assert api.get(f"services/{record['id']}")["organization"]["name"] == "New home"


# --- Input formats -----------------------------------------------------------------------------


def test_import_reads_a_single_object_a_list_an_envelope_and_ndjson(api, tmp_path):
    single, listed, enveloped, lined = (minimal_record(name=f"Service {n}") for n in range(4))
    run_import(write_json(tmp_path, single, "single.json"))
    run_import(write_json(tmp_path, [listed], "list.json"))
    run_import(write_json(tmp_path, {"total_items": 1, "contents": [enveloped]}, "page.json"))
    (tmp_path / "lines.ndjson").write_text(json.dumps(lined) + "\n", encoding="utf-8")
    run_import(tmp_path / "lines.ndjson")

    assert sorted(s["name"] for s in api.get("services")["contents"]) == [
        "Service 0",
        "Service 1",
        "Service 2",
        "Service 3",
    ]


def test_the_reference_example_service_imports_and_validates(api, oruk_reference, oruk_validate):
    example = oruk_reference / "examples" / "service_full.json"

    stdout, stderr = run_import(example)

    assert "1 created" in stdout
    assert "languages[0]: a language with no name or code was skipped" in stderr
    record = api.get("services/ac148810-d857-441c-9679-408f346de14b")
    oruk_validate(record, "service.json")
    assert record["name"] == "Community Counselling"
    assert record["organization"]["organization_identifiers"][0]["identifier"] == "1234567"
    assert [(s["byday"], s["opens_at"]) for s in record["schedules"]] == [
        ("TH", "10:00"),
        ("FR", "10:00"),
    ]
    assert record["cost_options"][0]["amount"] == 35
    assert record["last_modified"] == "2023-03-15T10:30:45.123Z"


# --- Bad records -------------------------------------------------------------------------------


def test_bad_ndjson_lines_are_reported_by_line_and_the_good_ones_imported(api, tmp_path):
    good_first, good_last = minimal_record(name="First"), minimal_record(name="Last")
    lines = [
        json.dumps(good_first),
        "{not json",
        json.dumps(minimal_record(name="")),
        "",
        json.dumps(minimal_record(status="open")),
        json.dumps(minimal_record(id="42")),
        json.dumps(good_last),
    ]
    path = tmp_path / "feed.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    stdout, stderr = run_failing_import(path)

    assert "line 2: not imported: not valid JSON" in stderr
    assert "line 3: not imported: name: missing" in stderr
    assert "line 5: not imported: status: 'open' is not one of" in stderr
    assert "line 6: not imported: id: '42' is not a UUID" in stderr
    assert "6 records: 2 created, 0 updated, 0 unchanged, 4 failed" in stdout
    assert sorted(s["name"] for s in api.get("services")["contents"]) == ["First", "Last"]


def test_bad_records_in_a_json_list_are_reported_by_index(api, tmp_path):
    records = [
        minimal_record(name="Good"),
        "a string, not a service",
        minimal_record(minimum_age="old"),
        minimal_record(url="x"),
    ]
    path = write_json(tmp_path, records)

    stdout, stderr = run_failing_import(path)

    assert "record [1]: not imported: record: expected an object" in stderr
    assert "record [2]: not imported: minimum_age: expected a whole number" in stderr
    assert "record [3]: not imported: url: Enter a valid URL." in stderr
    assert "1 created" in stdout
    assert [s["name"] for s in api.get("services")["contents"]] == ["Good"]


def test_a_record_failing_late_saves_nothing_of_itself(tmp_path):
    location_id = str(uuid.uuid4())
    record = minimal_record(
        minimum_age=30,
        maximum_age=10,  # refused by the page's own validation, after the rest is saved
        service_at_locations=[
            {
                "id": str(uuid.uuid4()),
                "location": {"id": location_id, "location_type": "physical", "name": "Hall"},
            }
        ],
        attributes=[
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {
                    "id": str(uuid.uuid4()),
                    "name": "Brand new term",
                    "description": "",
                    "taxonomy": "Brand new vocabulary",
                },
            }
        ],
    )
    before = counts()

    _, stderr = run_failing_import(write_json(tmp_path, [record]))

    assert "Maximum age must be the same as or more than the minimum age" in stderr
    assert counts() == before
    assert not OrganisationPage.objects.filter(uuid=record["organization"]["id"]).exists()
    assert not Location.objects.filter(uuid=location_id).exists()
    assert not Taxonomy.objects.filter(name="Brand new vocabulary").exists()


def test_a_service_needs_an_organisation(tmp_path):
    record = minimal_record()
    del record["organization"]
    record["organization_id"] = str(uuid.uuid4())

    _, stderr = run_failing_import(write_json(tmp_path, [record]))

    assert "organization_id: no organisation" in stderr


def test_parts_that_cannot_be_stored_are_skipped_with_a_warning(api, tmp_path):
    record = minimal_record(
        schedules=[
            {"id": str(uuid.uuid4()), "freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00"},
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "WE",
                "opens_at": "10:00:00Z",
                "closes_at": "11:30",
            },
        ],
        languages=[{"id": str(uuid.uuid4())}],
    )

    stdout, stderr = run_import(write_json(tmp_path, [record]))

    assert "schedules[0]: only weekly schedules with byday can be imported" in stderr
    assert "1 created" in stdout
    shown = api.get(f"services/{record['id']}")
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in shown["schedules"]] == [
        ("WE", "10:00", "11:30")
    ]
    assert shown["languages"] == []


def test_terms_known_by_code_keep_this_directorys_id(api, tmp_path):
    local = Taxonomy.objects.get(name="Local categories")
    ours = TaxonomyTerm.objects.get(taxonomy=local, code="dementia")
    record = minimal_record(
        attributes=[
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {
                    "id": str(uuid.uuid4()),  # another portal's id for the same category
                    "name": "Dementia",
                    "description": "",
                    "taxonomy": "Local categories",
                    "taxonomy_id": str(uuid.uuid4()),
                    "term": "dementia",
                },
            }
        ]
    )

    run_import(write_json(tmp_path, [record]))

    shown = api.get(f"services/{record['id']}")
    assert [a["taxonomy_term_id"] for a in shown["attributes"]] == [str(ours.uuid)]
    assert Taxonomy.objects.filter(name="Local categories").count() == 1
