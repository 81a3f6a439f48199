"""Search documents stay in step with the live directory (ADR 0006): whatever an editor does,
search shows what the site shows, and `search_reindex --check` can prove it."""

import datetime
import importlib
import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import PageViewRestriction

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    TaxonomyTermFactory,
)
from directory.models import OrganisationPage, Review, ServicePage
from directory.signals import service_ratings_changed
from portal.factories import UserFactory
from search.documents import documents_ensure, documents_out_of_step
from search.models import Postcode, SearchDocument, SearchDocumentPoint
from search.postcodes import unit_vector
from search.query import ServiceQuery
from search.services import search_services

pytestmark = pytest.mark.django_db


def titles(**kwargs) -> list[str]:
    return [hit.card.title for hit in search_services(ServiceQuery(**kwargs)).hits]


def in_step() -> bool:
    return not any(documents_out_of_step().values())


def test_a_published_service_is_found_with_its_card():
    organisation = OrganisationPageFactory(title="Seaborough Carers")
    term = TaxonomyTermFactory(name="Young carers' groups")
    service = ServicePageFactory(
        parent=organisation, title="Carers' cafe", summary="Tea and a chat.", terms=[term]
    )

    [hit] = search_services(ServiceQuery(text="cafe")).hits

    assert hit.card.id == service.pk
    assert hit.card.organisation == "Seaborough Carers"
    assert hit.card.summary == "Tea and a chat."
    assert hit.card.categories == ("Young carers' groups",)
    assert hit.card.url == ServicePage.objects.get(pk=service.pk).url
    assert in_step()


def test_a_draft_edit_changes_nothing_until_it_is_published():
    service = ServicePageFactory(title="Walking football", summary="Weekly games.")
    draft = ServicePage.objects.get(pk=service.pk)
    draft.title = "Walking netball"
    draft.summary = "A pending change."
    revision = draft.save_revision()

    assert titles(text="walking") == ["Walking football"]
    assert titles(text="netball") == []

    revision.publish()
    assert titles(text="walking") == ["Walking netball"]
    assert SearchDocument.objects.get(pk=service.pk).summary == "A pending change."


def test_unpublishing_or_closing_a_service_removes_it():
    kept = ServicePageFactory(title="Memory cafe one")
    withdrawn = ServicePageFactory(title="Memory cafe two")
    closed = ServicePageFactory(title="Memory cafe three")

    ServicePage.objects.get(pk=withdrawn.pk).unpublish()
    page = ServicePage.objects.get(pk=closed.pk)
    page.status = "defunct"
    page.save_revision().publish()

    assert titles(text="memory cafe") == [kept.title]
    assert in_step()


def test_temporarily_closed_services_are_found_and_labelled():
    service = ServicePageFactory(title="Seaside lunch club", status="temporarily closed")

    [hit] = search_services(ServiceQuery(text="lunch")).hits

    assert hit.card.id == service.pk
    assert hit.card.status_label == "Temporarily closed"


def test_renaming_an_organisation_updates_its_services_cards():
    organisation = OrganisationPageFactory(title="Old name trust")
    ServicePageFactory(parent=organisation, title="Befriending calls")
    page = OrganisationPage.objects.get(pk=organisation.pk)
    page.title = "New name trust"
    page.save_revision().publish()

    [hit] = search_services(ServiceQuery(text="befriending")).hits
    assert hit.card.organisation == "New name trust"


def test_unpublishing_an_organisation_hides_its_services():
    organisation = OrganisationPageFactory()
    ServicePageFactory(parent=organisation, title="Hidden with its provider")
    ServicePageFactory(title="Another provider's service")

    OrganisationPage.objects.get(pk=organisation.pk).unpublish()

    assert titles(text="provider") == ["Another provider's service"]
    assert in_step()


def test_a_private_organisation_hides_its_services_until_it_is_public_again():
    organisation = OrganisationPageFactory()
    ServicePageFactory(parent=organisation, title="Staff only service")

    restriction = PageViewRestriction.objects.create(
        page=organisation, restriction_type=PageViewRestriction.LOGIN
    )
    assert titles(text="staff") == []

    restriction.delete()
    assert titles(text="staff") == ["Staff only service"]


def test_moving_a_service_updates_its_organisation_and_address():
    first = OrganisationPageFactory(title="First trust")
    second = OrganisationPageFactory(title="Second trust")
    service = ServicePageFactory(parent=first, title="Handyperson scheme")

    ServicePage.objects.get(pk=service.pk).move(second, pos="last-child")

    [hit] = search_services(ServiceQuery(text="handyperson")).hits
    assert hit.card.organisation == "Second trust"
    assert hit.card.url == ServicePage.objects.get(pk=service.pk).url
    assert in_step()


def test_deleting_a_service_removes_its_document():
    service = ServicePageFactory(title="Short lived")
    ServicePage.objects.get(pk=service.pk).delete()

    assert not SearchDocument.objects.filter(pk=service.pk).exists()


def test_renaming_a_category_updates_cards_and_a_parent_finds_its_childrens_services():
    parent = TaxonomyTermFactory(name="Health and care")
    child = TaxonomyTermFactory(name="Memory clinics", parent=parent)
    ServicePageFactory(title="Memory clinic", terms=[child])

    child.name = "Memory assessment clinics"
    child.save()

    [hit] = search_services(ServiceQuery(taxonomy_term_ids=(parent.pk,))).hits
    assert hit.card.categories == ("Memory assessment clinics",)
    assert in_step()


def test_moving_a_location_moves_its_services_in_distance_searches():
    location = LocationFactory(latitude=51.5380, longitude=0.7260)
    service = ServicePageFactory(title="Drop-in advice")
    ServiceAtLocationFactory(service=service, location=location)
    assert SearchDocumentPoint.objects.filter(document_id=service.pk).count() == 1

    location.latitude, location.longitude = 52.0, 1.0
    location.save()

    point = SearchDocumentPoint.objects.get(document_id=service.pk)
    assert (point.latitude, point.longitude) == (52.0, 1.0)
    assert in_step()


def test_opening_days_are_filterable_once_published():
    service = ServicePageFactory(title="Tuesday club")
    RegularScheduleFactory(service=service, weekday=1)

    assert titles(day=1) == ["Tuesday club"]
    assert titles(day=2) == []


def test_reindex_check_finds_and_reindex_repairs_missing_and_stale_documents():
    kept = ServicePageFactory(title="Carers' group")
    lost = ServicePageFactory(title="Lost document")
    SearchDocument.objects.filter(pk=lost.pk).delete()
    SearchDocument.objects.filter(pk=kept.pk).update(title="Tampered")

    out = io.StringIO()
    with pytest.raises(CommandError, match="out of step"):
        call_command("search_reindex", "--check", stdout=out)
    assert f"1 missing: service ids {lost.pk}" in out.getvalue()
    assert f"1 stale: service ids {kept.pk}" in out.getvalue()

    err = io.StringIO()
    call_command("search_reindex", stdout=io.StringIO(), stderr=err)
    assert "Indexing services" in err.getvalue()  # the progress bar
    call_command("search_reindex", "--check", stdout=out)
    assert "match the live directory" in out.getvalue()
    assert sorted(titles(text="group")) == ["Carers' group"]


def test_a_database_without_documents_gets_them_built():
    ServicePageFactory(title="Older install")
    SearchDocument.objects.all().delete()

    assert documents_ensure() == 1
    assert titles(text="older") == ["Older install"]
    assert documents_ensure() is None  # nothing to do the second time


def test_bulk_loaded_services_are_searchable(django_db_blocker):
    call_command(
        "create_synthetic_directory",
        services=30,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    assert SearchDocument.objects.count() == ServicePage.objects.live().count() >= 30
    assert in_step()


def test_result_cards_show_the_average_of_published_reviews_only(client):
    service = ServicePageFactory(title="Rated lunch club")
    when = datetime.date(2026, 10, 1)
    for rating, status in [(5, Review.PUBLISHED), (4, Review.PUBLISHED), (1, Review.PENDING)]:
        Review.objects.create(
            service_id=service.pk,
            author=UserFactory(),
            rating=rating,
            text="Friendly and welcoming.",
            experienced_on=when,
            status=status,
        )
    service_ratings_changed.send(sender=Review, service_ids=[service.pk])

    [hit] = search_services(ServiceQuery(text="rated")).hits
    assert (hit.card.rating_average, hit.card.rating_count) == (4.5, 2)
    assert in_step()
    page = client.get("/services/", {"q": "rated"})
    assert "4.5 out of 5 from 2 reviews" in page.text
    assert "★★★★★" in page.text  # 4.5 rounds up to five whole stars


def test_listings_that_go_stale_drop_out_of_search_when_hiding_is_on(settings):
    today = datetime.date.today()
    ServicePageFactory(title="Stale lunch club", assured_date=today - datetime.timedelta(days=600))
    ServicePageFactory(title="Fresh lunch club", assured_date=today - datetime.timedelta(days=30))

    assert sorted(titles(text="lunch")) == ["Fresh lunch club", "Stale lunch club"]

    # Nothing is published as a listing ages: the documents stay, and searches skip them.
    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 18
    assert titles(text="lunch") == ["Fresh lunch club"]
    assert titles() == ["Fresh lunch club"]
    assert in_step()


def test_points_indexed_before_unit_vectors_get_them_from_the_migration():
    """Migration 0007 fills in the unit vectors distance searches use, for points indexed
    before it: without them every such service would look 0 miles from everywhere or
    nowhere."""
    from django.apps import apps

    migration = importlib.import_module("search.migrations.0007_point_unit_vectors")
    service = ServicePageFactory(title="Seafront walks")
    ServiceAtLocationFactory(
        service=service, location=LocationFactory(latitude=51.538, longitude=0.726)
    )
    SearchDocumentPoint.objects.update(x=0.0, y=0.0, z=0.0)  # as before the migration
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.538, longitude=0.726)

    migration.fill_unit_vectors(apps, None)

    point = SearchDocumentPoint.objects.get(document_id=service.pk)
    assert (point.x, point.y, point.z) == pytest.approx(unit_vector(51.538, 0.726))
    assert titles(postcode="SS1 1AA", distance_miles=1) == ["Seafront walks"]
