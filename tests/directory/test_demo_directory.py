"""The demo directory and the synthetic benchmark directories."""

import datetime
import hashlib
import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import transaction
from wagtail.models import Page, PageLogEntry

from directory.demo import DEMO_REFERENCE_DATE, load_demo_directory
from directory.models import (
    Location,
    OrganisationPage,
    RegularSchedule,
    ScheduleException,
    ServicePage,
    TaxonomyTerm,
)
from search.models import Postcode

pytestmark = pytest.mark.django_db

FINDABLE = [
    "Dementia carers' support group",
    "Memory café",
    "Carers' breaks service",
    "Falls prevention: strength and balance classes",
    "GP social prescribing",
    "Befriending telephone service",
    "Debt and benefits advice",
]


def fingerprint() -> str:
    """Everything that should come out the same from the same seed, as one hash."""
    lines = []
    services = ServicePage.objects.prefetch_related(
        "taxonomy_terms", "regular_schedules", "service_at_locations__location"
    )
    parents = {page.path: page.title for page in OrganisationPage.objects.all()}
    for service in services:
        lines.append(
            "|".join(
                map(
                    str,
                    [
                        parents[service.path[: -ServicePage.steplen]],
                        service.title,
                        service.uuid,
                        service.summary,
                        service.minimum_age,
                        service.maximum_age,
                        service.is_free,
                        service.fees,
                        service.coverage,
                        service.status,
                        service.assured_date,
                        sorted(term.code for term in service.taxonomy_terms.all()),
                        sorted(str(row) for row in service.regular_schedules.all()),
                        [
                            row.location.postal_code
                            for row in service.service_at_locations.order_by("sort_order")
                        ],
                    ],
                )
            )
        )
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


@contextmanager
def rolled_back():
    """Undo the block's writes afterwards: a fresh database again, without migrating."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_demo_directory_has_the_promised_size_and_variety():
    load_demo_directory()

    services = ServicePage.objects.all()
    assert services.count() >= 700
    assert OrganisationPage.objects.count() == 40
    assert Location.objects.count() == 100
    top_level = set()
    for service in services.prefetch_related("taxonomy_terms__parent"):
        terms = list(service.taxonomy_terms.all())
        assert 1 <= len(terms) <= 3, service.title
        top_level.update((term.parent or term).code for term in terms)
    assert len(top_level) >= 15
    assert TaxonomyTerm.objects.filter(parent__code="dementia", code="memory-cafes").exists()
    for title in FINDABLE:
        assert services.filter(title=title).exists(), title
    # The variety the search filters and the service page need to show.
    assert services.filter(minimum_age__gte=65).exists()
    assert services.filter(maximum_age__lt=18).exists()
    assert services.filter(minimum_age=None, maximum_age=None).exists()
    assert services.filter(is_free=False).exclude(fees="").exists()
    assert services.filter(coverage="national", service_at_locations=None).exists()
    assert services.filter(coverage="county").exists()
    assert services.filter(status="temporarily closed").exclude(alert="").exists()
    assert services.filter(regular_schedules=None).exists()  # by appointment
    assert services.filter(regular_schedules__weekday=6).exists()  # open on Sundays
    assert RegularSchedule.objects.filter(opens_at=datetime.time(0)).exists()  # 24 hours
    assert ScheduleException.objects.exists()
    assert services.filter(referral_required=True).exists()
    assert Location.objects.filter(hide_address=True).exclude(area_description="").exists()
    stale = DEMO_REFERENCE_DATE - datetime.timedelta(days=365)
    assert 0 < services.filter(assured_date__lt=stale).count() < services.count() / 2


def test_demo_locations_use_demo_postcodes_and_their_coordinates():
    load_demo_directory()

    for location in Location.objects.all():
        postcode = Postcode.objects.get(postcode=location.postal_code)
        assert (location.latitude, location.longitude) == (
            postcode.latitude,
            postcode.longitude,
        )
    contacts = ServicePage.objects.values_list("website", "email")
    assert all(not website or ".example.org/" in website for website, _email in contacts)
    assert all(email.endswith(".example.org") for _website, email in contacts)


def test_demo_pages_are_published_like_an_editors():
    load_demo_directory()

    service = ServicePage.objects.get(title="Memory café")
    assert service.live
    assert not service.has_unpublished_changes
    assert service.first_published_at
    assert service.last_published_at
    assert service.latest_revision_id
    assert service.live_revision_id == service.latest_revision_id
    assert service.url == "/services/seaborough-dementia-support/memory-cafe/"
    draft = service.get_latest_revision_as_object()
    assert [term.code for term in draft.taxonomy_terms.all()] == [
        term.code for term in service.taxonomy_terms.all()
    ]
    assert draft.regular_schedules.count() == service.regular_schedules.count() > 0
    assert PageLogEntry.objects.filter(page=service, action="wagtail.publish").exists()
    assert Page.find_problems() == ([], [], [], [], [])
    for page in ServicePage.objects.order_by("pk")[:50]:
        page.full_clean()  # what an editor's next save will check


def test_demo_directory_is_found_by_wagtail_search():
    load_demo_directory()

    results = ServicePage.objects.live().search("dementia")

    titles = [service.title for service in results]
    assert len(titles) > 10
    assert "Dementia carers' support group" in titles


def test_loading_the_demo_twice_creates_nothing():
    created, unchanged = load_demo_directory()
    counts = (ServicePage.objects.count(), Location.objects.count(), Page.objects.count())

    again = load_demo_directory()

    assert created >= 840
    assert unchanged == 0
    assert again == (0, created)
    assert (ServicePage.objects.count(), Location.objects.count(), Page.objects.count()) == counts


def test_the_demo_is_the_same_every_time():
    with rolled_back():
        load_demo_directory()
        first = fingerprint()
    assert not ServicePage.objects.exists()

    load_demo_directory()

    assert fingerprint() == first


def test_load_demo_data_loads_the_directory():
    out = io.StringIO()

    call_command("load_demo_data", stdout=out)

    assert ServicePage.objects.count() >= 700
    assert "Demo directory:" in out.getvalue()


def test_synthetic_directory_adds_exactly_the_services_asked_for():
    load_demo_directory()
    before = ServicePage.objects.count()
    out, err = io.StringIO(), io.StringIO()

    call_command("create_synthetic_directory", "--services", "50", stdout=out, stderr=err)

    assert ServicePage.objects.count() == before + 50
    assert "Creating services" in err.getvalue()
    assert ServicePage.objects.live().count() == before + 50
    newest = ServicePage.objects.latest("pk")
    assert newest in ServicePage.objects.live().search(newest.title)

    call_command("create_synthetic_directory", "--services", "50", stdout=io.StringIO())

    assert ServicePage.objects.count() == before + 50


def test_synthetic_directories_differ_by_seed_and_repeat_by_seed():
    def synthetic(*options: str) -> None:
        call_command(
            "create_synthetic_directory", "--services", "30", *options, stdout=io.StringIO()
        )

    with rolled_back():
        synthetic("--seed", "7")
        seven = fingerprint()
        synthetic("--seed", "8", "--organisations", "3")
        assert ServicePage.objects.count() == 60
        assert OrganisationPage.objects.count() == 2 + 3
        assert fingerprint() != seven

    synthetic("--seed", "7")

    assert fingerprint() == seven
