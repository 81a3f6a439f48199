"""manage.py import_directory_csv: a flat spreadsheet export of an old directory."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from wagtail.models import Page, PageLogEntry, Revision

from directory import csv_import as csv_import_module
from directory.models import Location, OrganisationPage, ServicePage
from search.demo import load_demo_postcodes

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MIXED = FIXTURES / "directory_mixed.csv"
HEADER = (
    "organisation_name,service_name,summary,categories,phone,address_1,town,postcode,times,"
    "min_age,max_age,last_checked"
)


@pytest.fixture(autouse=True)
def _postcodes(db):
    load_demo_postcodes()


def run(path: Path, *options: str) -> tuple[str, str, CommandError | None]:
    """Run the command: (stdout, stderr, the CommandError it ended with, if any)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_directory_csv", str(path), *options, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "services.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def counts() -> tuple[int, ...]:
    return (
        Page.objects.count(),
        ServicePage.objects.count(),
        Location.objects.count(),
        Revision.objects.count(),
        PageLogEntry.objects.count(),
    )


def test_good_rows_are_imported_and_bad_rows_reported_by_line():
    out, err, error = run(MIXED)

    assert err.splitlines() == [
        "line 5: postcode 'XX1' is not a full UK postcode",
        "line 6: unknown category 'Knitting'",
        "line 7: maximum age 10 is less than minimum age 18",
        "line 8: times 'Mon 9-5' should look like 'Mon 09:00-17:00'",
        "line 9: warning: postcode 'ZZ9 9ZZ' is not in the postcode table: the location is "
        "imported without a map position",
        "line 10: free 'maybe' should be yes or no",
        "line 10: last checked 01/01/2099 is in the future",
        "line 11: warning: postcode 'SS1 9ZZ' is not in the postcode table: the location is "
        "placed at the centre of SS1",
    ]
    assert f"{MIXED}: 4 created, 0 updated, 0 unchanged, 5 rejected." in out
    assert "5 rows rejected" in str(error)
    assert sorted(ServicePage.objects.values_list("title", flat=True)) == [
        "Carers' advice line",
        "Carers' coffee morning",
        "Holiday club",
        "Stay and play",
    ]


def test_imported_service_holds_every_column():
    run(MIXED)

    service = ServicePage.objects.get(title="Carers' coffee morning")
    organisation = service.get_parent().specific
    assert organisation.title == "Seaborough Carers Hub"
    assert organisation.website == "https://www.carershub.example.org"
    assert organisation.email == "hello@carershub.example.org"
    assert organisation.phone == "01632 960100"
    assert service.live
    assert service.latest_revision_id is not None
    assert service.summary == "A relaxed coffee morning for unpaid carers."
    assert service.description == (
        "Meet other carers over a cup of tea.\nOur support workers are there to help."
    )
    assert sorted(term.code for term in service.taxonomy_terms.all()) == [
        "befriending-and-loneliness",
        "carers-support",
    ]
    assert service.website == "https://carershub.example.org/coffee"
    assert service.email == "coffee@carershub.example.org"
    assert [phone.number for phone in service.phones.all()] == ["01632 960101"]
    assert [str(row) for row in service.regular_schedules.order_by("weekday")] == [
        "Monday 09:00–12:00",
        "Thursday 13:30–15:30",
    ]
    (location,) = [row.location for row in service.service_at_locations.all()]
    assert (location.address_1, location.city, location.postal_code) == (
        "12 Samphire Road",
        "Westcliff-on-Sea",
        "SS0 4QN",
    )
    assert (location.latitude, location.longitude) == (51.542377, 0.683276)
    assert (service.minimum_age, service.maximum_age) == (18, None)
    assert service.is_free
    assert service.attending_types == ["in person"]
    assert service.coverage == "local"
    assert service.assured_date == datetime.date(2026, 9, 1)

    line = ServicePage.objects.get(title="Carers' advice line")
    assert line.attending_types == ["online", "by phone"]
    assert line.coverage == "county"
    assert line.regular_schedules.count() == 5  # Mon-Fri
    assert not line.service_at_locations.exists()

    holiday = ServicePage.objects.get(title="Holiday club")
    assert not holiday.is_free
    assert holiday.fees == "£5 a day"
    assert holiday.service_at_locations.get().location.latitude is None  # unknown postcode


def test_a_rejected_row_leaves_nothing_behind():
    run(MIXED)

    # Line 5's organisation appears on no good row: it must not exist half-made.
    assert not OrganisationPage.objects.filter(title="Only Bad Rows Trust").exists()
    assert not Location.objects.filter(address_1="1 Beach Road").exists()


def test_a_row_that_fails_while_saving_is_undone_whole(tmp_path, monkeypatch):
    real_service_create = csv_import_module.service_create

    def failing_service_create(*, organisation, data, user=None):
        if data.name == "Doomed group":
            raise ValidationError("the database said no")
        return real_service_create(organisation=organisation, data=data, user=user)

    monkeypatch.setattr(csv_import_module, "service_create", failing_service_create)
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "Brand New Trust,Doomed group,A group.,Dementia,,2 Gull Lane,Leigh-on-Sea,SS9 1AB,,,,\n"
        "Seaborough Carers Hub,Fine group,A group.,Dementia,,,,,,,,\n",
    )

    out, err, error = run(path)

    assert "line 2: could not be saved: the database said no" in err
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert error is not None
    assert not OrganisationPage.objects.filter(title="Brand New Trust").exists()
    assert not Location.objects.filter(address_1="2 Gull Lane").exists()
    assert ServicePage.objects.filter(title="Fine group").exists()


def test_dry_run_writes_nothing():
    before = counts()

    out, err, _error = run(MIXED, "--dry-run")

    assert counts() == before
    assert "4 would be created, 0 would be updated, 0 unchanged, 5 rejected" in out
    assert "Dry run: nothing was written." in out
    assert "line 6: unknown category 'Knitting'" in err


def test_dry_run_after_an_import_sees_no_changes():
    run(MIXED)
    before = counts()

    out, _err, _error = run(MIXED, "--dry-run")

    assert counts() == before
    assert "0 would be created, 0 would be updated, 4 unchanged" in out


def test_importing_the_same_file_again_changes_nothing():
    run(MIXED)
    before = counts()

    out, _err, _error = run(MIXED)

    assert "0 created, 0 updated, 4 unchanged, 5 rejected" in out
    assert counts() == before  # no duplicates, and no empty revisions either


def test_reimporting_a_changed_file_updates_instead_of_duplicating(tmp_path):
    run(MIXED)
    service = ServicePage.objects.get(title="Carers' coffee morning")
    revisions = Revision.objects.filter(object_id=str(service.pk)).count()
    changed = MIXED.read_text(encoding="utf-8").replace(
        "Mon 09:00-12:00; Thu 13:30-15:30", "Wed 10:00-12:00"
    )
    # Capitals differ too: the key ignores them.
    changed = changed.replace("Seaborough Carers Hub,www", "SEABOROUGH CARERS HUB,www")
    path = write(tmp_path, changed)

    out, _err, _error = run(path)

    assert "0 created, 1 updated, 3 unchanged, 5 rejected" in out
    assert ServicePage.objects.filter(title="Carers' coffee morning").count() == 1
    assert OrganisationPage.objects.filter(title__iexact="Seaborough Carers Hub").count() == 1
    service.refresh_from_db()
    assert [str(row) for row in service.regular_schedules.all()] == ["Wednesday 10:00–12:00"]
    assert Revision.objects.filter(object_id=str(service.pk)).count() == revisions + 1
    assert not service.has_unpublished_changes
    assert Location.objects.filter(postal_code="SS0 4QN").count() == 1


def test_columns_left_out_keep_what_the_directory_holds(tmp_path):
    run(MIXED)
    path = write(
        tmp_path,
        "organisation_name,service_name,summary,categories\n"
        "Seaborough Carers Hub,Carers' coffee morning,A new summary.,Carers' support\n",
    )

    out, _err, error = run(path)

    assert error is None
    assert "0 created, 1 updated" in out
    service = ServicePage.objects.get(title="Carers' coffee morning")
    assert service.summary == "A new summary."
    assert service.website == "https://carershub.example.org/coffee"
    assert service.regular_schedules.count() == 2
    assert service.service_at_locations.count() == 1
    assert service.description.startswith("Meet other carers")


def test_byte_order_mark_and_windows_line_endings(tmp_path):
    text = (
        "\ufeffOrganisation name,Service name,Summary,Categories,Times,Description\r\n"
        "Seaborough Carers Hub,Lunch club,A hot lunch.,Befriending and loneliness,"
        'Tue 12:00-14:00,"Two courses.\r\nPudding too."\r\n'
        "Seaborough Carers Hub,Tea dance,Dance with tea.,Physical activity,Tues 9-5,\r\n"
    )
    path = write(tmp_path, text)

    out, err, _error = run(path)

    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert err.splitlines() == ["line 4: times 'Tues 9-5' should look like 'Mon 09:00-17:00'"]
    service = ServicePage.objects.get(title="Lunch club")
    assert service.description == "Two courses.\nPudding too."
    assert str(service.regular_schedules.get()) == "Tuesday 12:00–14:00"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty"),
        ("\ufeff", "The file is empty"),
        ("\n\n", "The first line is empty"),
        (
            "organisation_name,service_name,summary\nA,B,C\n",
            "The header (line 1) has no 'categories' column",
        ),
        (
            "name,phone\nA,01632 960000\n",
            "has no 'organisation_name', 'summary', 'categories' columns",
        ),
        (
            "organisation_name,service_name,summary,categories,Categories\n",
            "more than one 'categories' column",
        ),
    ],
)
def test_a_file_without_the_required_header_is_refused(tmp_path, content, message):
    path = write(tmp_path, content)

    _out, _err, error = run(path)

    assert error is not None
    assert message in str(error)
    assert not ServicePage.objects.exists()


def test_a_missing_or_non_utf8_file_is_refused(tmp_path):
    _out, _err, error = run(tmp_path / "nowhere.csv")
    assert "There is no file" in str(error)

    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "organisation_name,service_name,summary,categories\nCafé,Tea,Tea.,Dementia\n".encode(
            "latin-1"
        )
    )
    _out, _err, error = run(path)
    assert "is not UTF-8 text" in str(error)


def test_the_same_service_twice_in_a_file_is_reported(tmp_path):
    path = write(
        tmp_path,
        "organisation_name,service_name,summary,categories\n"
        "Seaborough Carers Hub,Memory café,A café.,Dementia\n"
        "seaborough carers hub,MEMORY CAFÉ,Another.,Dementia\n",
    )

    out, err, _error = run(path)

    assert "line 3: 'MEMORY CAFÉ' of 'seaborough carers hub' is already on line 2" in err
    assert "1 created" in out


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        ({"times": "Mon 17:00-09:00"}, "the closing time must be after the opening time"),
        ({"times": "Funday 09:00-10:00"}, "should look like 'Mon 09:00-17:00'"),
        ({"times": "Mon 25:00-26:00"}, "should look like 'Mon 09:00-17:00'"),
        ({"website": "not a website"}, "website 'not a website' is not a web address"),
        ({"email": "bob@"}, "email 'bob@' is not an email address"),
        ({"phone": "call us"}, "phone 'call us' is not a phone number"),
        ({"min_age": "ten"}, "minimum age 'ten' should be a whole number"),
        ({"attending": "carrier pigeon"}, "attending 'carrier pigeon' should be in person"),
        ({"coverage": "galactic"}, "coverage 'galactic' should be local, county or national"),
        ({"last_checked": "2025-01-31"}, "last checked '2025-01-31' should be a date like"),
        ({"last_checked": "31/02/2025"}, "should be a date like 31/01/2025"),
        ({"categories": " ; "}, "there are no categories"),
        ({"summary": "x" * 281}, "the summary is 281 characters long: it must be 280 or fewer"),
        ({"service_name": ""}, "the service name is empty"),
    ],
)
def test_each_problem_has_a_clear_reason(tmp_path, cells, problem):
    row = {"organisation_name": "Seaborough Carers Hub", "service_name": "Tea", "summary": "Tea."}
    row |= {"categories": "Dementia"} | cells
    columns = list(row)
    path = write(
        tmp_path,
        ",".join(columns) + "\n" + ",".join(f'"{row[name]}"' for name in columns) + "\n",
    )

    _out, err, _error = run(path)

    assert err.startswith("line 2: ")
    assert problem in err
    assert not ServicePage.objects.exists()


def test_day_ranges_and_child_categories_by_name(tmp_path):
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "Seaborough Carers Hub,Helpline,Call us.,Dementia; memory-cafes,0808 157 0000,,,,"
        "Mon-Fri 09:00-17:00; Sat 10:00-12:00; Sat 14:00-16:00,,,31/10/2026\n",
    )
    load_child_terms()

    out, err, _error = run(path)

    assert "1 created" in out, err
    service = ServicePage.objects.get(title="Helpline")
    assert service.regular_schedules.count() == 7
    assert sorted(term.code for term in service.taxonomy_terms.all()) == [
        "dementia",
        "memory-cafes",
    ]


def load_child_terms() -> None:
    from directory.demo import demo_child_categories_ensure

    demo_child_categories_ensure()


def test_changed_organisation_details_update_only_the_organisation(tmp_path):
    run(MIXED)
    service = ServicePage.objects.get(title="Carers' coffee morning")
    revisions = Revision.objects.filter(object_id=str(service.pk)).count()
    path = write(
        tmp_path, MIXED.read_text(encoding="utf-8").replace("01632 960100", "01632 960199")
    )

    out, _err, _error = run(path)

    assert "0 created, 1 updated, 3 unchanged" in out
    assert service.get_parent().specific.phone == "01632 960199"
    assert Revision.objects.filter(object_id=str(service.pk)).count() == revisions


def test_unknown_columns_are_ignored_with_a_warning(tmp_path):
    path = write(
        tmp_path,
        "organisation_name,service_name,summary,categories,Colour\n"
        "Seaborough Carers Hub,Tea,Tea.,Dementia,blue\n",
    )

    out, err, error = run(path)

    assert error is None
    assert "line 1: warning: column 'Colour' is not one this import knows" in err
    assert "1 created" in out
