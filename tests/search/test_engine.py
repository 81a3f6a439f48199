"""The database engine against the search contract: words, filters, facets, distance."""

import datetime

import pytest
from django.utils import timezone

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    TaxonomyTermFactory,
)
from directory.models import TaxonomyTerm
from search.models import Postcode, PostcodeDistrict
from search.postcodes import PostcodeError
from search.query import ServiceQuery
from search.services import search_services

pytestmark = pytest.mark.django_db

SOUTHEND = (51.5380, 0.7260)


def names(results):
    return [hit.card.title for hit in results.hits]


def search(**kwargs):
    return search_services(ServiceQuery(**kwargs))


@pytest.fixture
def postcodes():
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.5380, longitude=0.7260)
    PostcodeDistrict.objects.create(outward="SS1", latitude=51.5380, longitude=0.7260)
    PostcodeDistrict.objects.create(outward="SS9", latitude=51.5490, longitude=0.6500)


def located(service, lat, lon):
    ServiceAtLocationFactory(service=service, location=LocationFactory(latitude=lat, longitude=lon))
    return service


def test_a_match_in_the_name_ranks_above_one_in_the_description():
    ServicePageFactory(title="Lunch club", description="A friendly walking group meets after.")
    ServicePageFactory(title="Walking group", description="Gentle walks every week.")

    assert names(search(text="walking"))[0] == "Walking group"


def test_the_exact_phrase_beats_scattered_words():
    ServicePageFactory(title="Carers support and advice", summary="Support for carers.")
    ServicePageFactory(title="Advice for carers", summary="Carers advice line.")

    assert names(search(text="advice for carers"))[0] == "Advice for carers"


def test_synonyms_widen_the_search():
    ServicePageFactory(title="Find a doctor", description="Register with a local surgery.")

    assert names(search(text="GP")) == ["Find a doctor"]
    assert "doctor" in " ".join(search(text="GP").expanded_terms)


def test_search_syntax_is_treated_as_plain_words():
    ServicePageFactory(title="Memory café")
    for text in ['"memory', "memory*", "memory AND OR NEAR(", "memory)", "-memory", "memory; --"]:
        assert names(search(text=text)) == ["Memory café"], text


def test_category_filter_includes_sub_categories_and_facets_count_the_rest():
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    housing = TaxonomyTerm.objects.get(slug="housing")
    cafes = TaxonomyTermFactory(taxonomy=dementia.taxonomy, name="Memory cafés", parent=dementia)
    ServicePageFactory(title="Memory café", terms=[cafes])
    ServicePageFactory(title="Dementia advisers", terms=[dementia])
    ServicePageFactory(title="Housing advice", terms=[housing])

    results = search(taxonomy_term_ids=(dementia.id,))

    assert sorted(names(results)) == ["Dementia advisers", "Memory café"]
    counts = {facet.term.slug: facet.count for facet in results.facets}
    # Choosing a category does not hide the others' counts (people can add categories).
    assert counts["dementia"] == 2
    assert counts["housing"] == 1
    assert next(f for f in results.facets if f.term.slug == "dementia").selected


def test_age_free_and_attending_filters():
    ServicePageFactory(title="Youth club", minimum_age=11, maximum_age=18, is_free=True)
    ServicePageFactory(title="Over 65s lunch", minimum_age=65, is_free=False, fees="£3 a meal")
    ServicePageFactory(title="Helpline", attending_in_person=False, attending_phone=True)

    assert sorted(names(search(age=15))) == ["Helpline", "Youth club"]
    assert "Over 65s lunch" not in names(search(free_only=True))
    assert names(search(attending=("phone",))) == ["Helpline"]


def test_day_and_open_now_filters():
    now = timezone.localtime()
    open_service = ServicePageFactory(title="Open now", closed_on_bank_holidays=False)
    RegularScheduleFactory(
        service=open_service,
        weekday=now.weekday(),
        opens_at=datetime.time(0, 0),
        closes_at=datetime.time(23, 59, 59),
    )
    other_day = ServicePageFactory(title="Other day")
    RegularScheduleFactory(service=other_day, weekday=(now.weekday() + 1) % 7)
    ServicePageFactory(title="No set times")

    assert names(search(open_now=True)) == ["Open now"]
    assert names(search(day=(now.weekday() + 1) % 7)) == ["Other day"]


def test_postcode_search_lists_nearby_local_services_by_distance_then_wider_ones(postcodes):
    located(ServicePageFactory(title="Far away"), 51.75, 0.47)  # about 15 miles
    located(ServicePageFactory(title="Two miles"), 51.5380, 0.6800)
    located(ServicePageFactory(title="Next door"), 51.5385, 0.7265)
    ServicePageFactory(title="National helpline", coverage="national")
    located(ServicePageFactory(title="Essex-wide", coverage="county"), 51.73, 0.47)

    results = search(postcode="ss1 1aa", distance_miles=3)

    assert names(results) == ["Next door", "Two miles", "Essex-wide", "National helpline"]
    assert [hit.within_distance for hit in results.hits] == [True, True, False, False]
    assert results.hits[0].distance_miles < 0.1
    assert 16 < results.hits[2].distance_miles < 18  # a county-wide service's own location
    assert results.hits[3].distance_miles is None  # a helpline has no location
    assert results.location.label == "SS1 1AA"


def test_unknown_full_postcode_falls_back_to_its_district(postcodes):
    located(ServicePageFactory(title="Leigh library"), 51.5490, 0.6500)

    results = search(postcode="SS9 9ZZ", distance_miles=1)

    assert results.location.is_district_fallback
    assert results.location.label == "SS9"
    assert names(results) == ["Leigh library"]


def test_invalid_postcode_is_refused_with_a_clear_message(postcodes):
    with pytest.raises(PostcodeError) as error:
        search(postcode="not a postcode")
    assert error.value.message == "Enter a full UK postcode, like SS2 6ER"


def test_pending_edits_and_unpublished_services_never_appear():
    published = ServicePageFactory(title="Befriending service")
    published.title = "Renamed in a pending edit"
    published.save_revision()  # submitted, not published
    ServicePageFactory(title="Befriending draft", live=False)
    ServicePageFactory(title="Befriending closed down", status="defunct")
    hidden_org = OrganisationPageFactory()
    ServicePageFactory(title="Befriending hidden organisation", parent=hidden_org)
    hidden_org.unpublish()

    assert names(search(text="befriending")) == ["Befriending service"]
    assert names(search(text="renamed pending")) == []


def test_results_are_paginated():
    for number in range(25):
        ServicePageFactory(title=f"Service {number:02d}")

    first = search(page=1)
    second = search(page=2)

    assert first.total == 25
    assert len(first.hits) == 20
    assert len(second.hits) == 5
    assert first.page_count == 2
    assert not set(names(first)) & set(names(second))


def test_spelling_suggestion_on_zero_results():
    ServicePageFactory(title="Dementia carers' group")

    results = search(text="dementa")

    assert results.suggestion == "dementia"


def test_equally_good_matches_near_a_postcode_come_nearest_first(postcodes):
    located(ServicePageFactory(title="Carers group in Leigh"), 51.5490, 0.6500)
    located(ServicePageFactory(title="Carers group in Southend"), 51.5385, 0.7265)

    results = search(text="carers group", postcode="SS1 1AA", distance_miles=10)

    assert names(results) == ["Carers group in Southend", "Carers group in Leigh"]


def test_private_pages_are_not_found():
    from wagtail.models import PageViewRestriction

    private = ServicePageFactory(title="Staff-only befriending notes")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    ServicePageFactory(title="Befriending for everyone")

    assert names(search(text="befriending")) == ["Befriending for everyone"]


def test_facets_and_category_filters_follow_publishing_at_once():
    """Category memberships are held in memory for speed; a publish must still show."""
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    ServicePageFactory(title="Dementia advisers", terms=[dementia])
    before = search(text="dementia", taxonomy_term_ids=(dementia.id,))
    assert {f.term.slug: f.count for f in before.facets}["dementia"] == 1

    ServicePageFactory(title="Dementia café", terms=[dementia])
    moved = ServicePageFactory(title="Dementia walk")
    after = search(text="dementia", taxonomy_term_ids=(dementia.id,))

    assert {f.term.slug: f.count for f in after.facets}["dementia"] == 2
    assert sorted(names(after)) == ["Dementia advisers", "Dementia café"]
    assert "Dementia walk" in names(search(text="dementia"))
    moved.unpublish()
    assert "Dementia walk" not in names(search(text="dementia"))


def test_county_wide_matches_follow_local_ones_near_a_postcode(postcodes):
    located(ServicePageFactory(title="Carers group nearby"), 51.5385, 0.7265)
    ServicePageFactory(title="Carers line", coverage="national")
    county = located(ServicePageFactory(title="Carers county hub", coverage="county"), 51.7, 0.5)

    results = search(text="carers", postcode="SS1 1AA", distance_miles=3)

    assert names(results) == ["Carers group nearby", "Carers county hub", "Carers line"]
    county.coverage = "local"
    county.save_revision().publish()
    assert "Carers county hub" not in names(search(text="carers", postcode="SS1 1AA"))
