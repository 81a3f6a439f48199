"""What every search engine must answer for the fixed directory in conftest.py.

Each case asserts what a person searching the directory relies on; orderings are asserted
only where the contract makes them deterministic (distance, name, an exact name match).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

NEVER_FOUND = {
    "Dementia draft service",
    "Dementia service that closed",
    "Dementia service of a withdrawn charity",
    "Dementia listing nobody has checked",
    "Renamed in a pending edit",
}
FINDABLE = {
    "Dementia carers' support group",
    "Memory café",
    "Essex carers' network",
    "Housing advice line",
    "Youth counselling",
    "Walking group",
    "Lunch club",
    "Find a doctor",
    "Befriending service",
    "Advice for carers",
    "Carers support and advice",
    "Dementia befriending",
}


def names(results) -> list[str]:
    return [hit.card.title for hit in results.hits]


def every_page(engine, **kwargs) -> list[str]:
    found, page = [], 1
    while True:
        results = engine.search(page=page, **kwargs)
        found += names(results)
        if page >= results.page_count:
            return found
        page += 1


def test_browsing_everything_finds_exactly_the_findable_services(engine):
    results = engine.search(sort="name", per_page=50)

    assert set(names(results)) == FINDABLE
    assert results.total == len(FINDABLE)


def test_sorting_by_name_is_alphabetical_ignoring_case(engine):
    found = names(engine.search(sort="name", per_page=50))

    assert found == sorted(found, key=str.casefold)


def test_pages_cover_every_result_once(engine):
    first = engine.search(sort="name", per_page=5)
    found = every_page(engine, sort="name", per_page=5)

    assert first.total == len(FINDABLE)
    assert first.page_count == 3
    assert len(found) == len(FINDABLE)
    assert set(found) == FINDABLE
    assert len(engine.search(sort="name", per_page=5, page=3).hits) == 2


def test_words_find_published_services_and_never_hidden_ones(engine):
    found = set(every_page(engine, text="dementia"))

    assert "Dementia carers' support group" in found
    assert "Dementia befriending" in found
    assert not found & NEVER_FOUND


def test_pending_edits_are_not_searchable(engine):
    assert names(engine.search(text="renamed pending edit")) == []


def test_a_match_in_the_name_ranks_first(engine):
    assert names(engine.search(text="walking"))[0] == "Walking group"
    assert "Lunch club" in names(engine.search(text="walking"))


def test_the_exact_name_beats_scattered_words(engine):
    assert names(engine.search(text="advice for carers"))[0] == "Advice for carers"


def test_synonyms_widen_the_search(engine):
    assert "Find a doctor" in names(engine.search(text="GP"))


def test_a_category_includes_its_sub_categories(engine, directory):
    results = engine.search(taxonomy_term_ids=(directory.dementia.id,), sort="name")

    assert names(results) == ["Dementia carers' support group", "Memory café"]


def test_facets_count_every_category_before_the_category_filter(engine, directory):
    results = engine.search(taxonomy_term_ids=(directory.dementia.id,))
    counts = {facet.term.slug: facet.count for facet in results.facets}
    selected = [facet.term.slug for facet in results.facets if facet.selected]

    assert counts["dementia"] == 2
    assert counts["carers-support"] == 3
    assert counts["housing"] == 1
    assert selected == ["dementia"]


def test_facets_follow_the_words_searched_for(engine):
    results = engine.search(text="carers")
    counts = {facet.term.slug: facet.count for facet in results.facets}

    assert counts["carers-support"] == 3
    assert counts.get("housing", 0) == 0


def test_age_keeps_services_whose_range_includes_it(engine):
    found = set(every_page(engine, age=15))

    assert "Youth counselling" in found
    assert "Walking group" in found  # no age limits
    assert "Dementia carers' support group" not in found  # 18 and over
    assert "Lunch club" not in found  # 65 and over


def test_free_only(engine):
    found = set(every_page(engine, free_only=True))

    assert {"Memory café", "Essex carers' network", "Youth counselling"} <= found
    assert "Lunch club" not in found
    assert "Housing advice line" not in found


def test_attending_is_any_of_the_ways_chosen(engine):
    assert names(engine.search(attending=("phone",))) == ["Housing advice line"]
    assert set(names(engine.search(attending=("phone", "online")))) == {
        "Housing advice line",
        "Essex carers' network",
    }


def test_day_keeps_services_open_that_day(engine, directory):
    assert names(engine.search(day=directory.monday)) == ["Dementia carers' support group"]
    assert names(engine.search(day=directory.tuesday)) == ["Memory café"]


def test_postcode_lists_local_services_by_distance_then_county_then_national(engine):
    results = engine.search(postcode="SS1 1AA", distance_miles=3, per_page=50)
    found = names(results)
    local = [hit for hit in results.hits if hit.within_distance]

    assert [hit.card.title for hit in local] == [
        "Dementia carers' support group",
        "Walking group",  # same place as the lunch club: either order of the two
        "Lunch club",
        "Memory café",
    ] or [hit.card.title for hit in local] == [
        "Dementia carers' support group",
        "Lunch club",
        "Walking group",
        "Memory café",
    ]
    assert found[len(local)] == "Essex carers' network"
    assert "Housing advice line" in found[len(local) + 1 :]
    assert "Youth counselling" not in found  # local, and 15 miles away
    assert local[0].distance_miles < 0.1
    assert 1.5 < local[-1].distance_miles < 2.5
    county = results.hits[len(local)]
    assert not county.within_distance
    assert 15 < county.distance_miles < 20


def test_a_smaller_radius_leaves_out_local_services_beyond_it(engine):
    results = engine.search(postcode="SS1 1AA", distance_miles=1, per_page=50)
    local = {hit.card.title for hit in results.hits if hit.within_distance}

    assert local == {"Dementia carers' support group", "Walking group", "Lunch club"}
    assert "Memory café" not in names(results)  # two miles away, and only local


def test_equally_good_matches_near_a_postcode_come_nearest_first(engine):
    found = names(engine.search(text="carers", postcode="SS1 1AA", distance_miles=5))

    assert found.index("Dementia carers' support group") < found.index("Essex carers' network")


def test_sorting_a_postcode_search_by_name_keeps_local_then_county_then_national(engine):
    results = engine.search(postcode="SS1 1AA", distance_miles=3, sort="name", per_page=50)

    assert names(results) == [
        "Dementia carers' support group",
        "Lunch club",
        "Memory café",
        "Walking group",
        "Essex carers' network",
        "Housing advice line",
    ]
    assert [hit.within_distance for hit in results.hits] == [True] * 4 + [False] * 2
    assert all(hit.distance_miles is not None for hit in results.hits[:5])


def test_sorting_words_near_a_postcode_by_name_ignores_relevance(engine):
    """Two services have "group" in their name and the lunch club only in its description:
    by relevance the lunch club comes last, by name it comes second."""
    by_name = engine.search(text="group", postcode="SS1 1AA", distance_miles=3, sort="name")
    by_relevance = engine.search(text="group", postcode="SS1 1AA", distance_miles=3)

    assert names(by_name) == ["Dementia carers' support group", "Lunch club", "Walking group"]
    assert names(by_relevance)[-1] == "Lunch club"


def test_a_misspelling_is_corrected_or_suggested(engine):
    """'dementa carers' finds the dementia carers' group: the database engine suggests
    'dementia carers' (the search page runs it); Elasticsearch's fuzzy match finds it."""
    results = engine.search(text="dementa carers")
    if results.total == 0:
        assert results.suggestion == "dementia carers"
        results = engine.search(text=results.suggestion)

    assert "Dementia carers' support group" in names(results)


def test_a_misspelling_with_no_results_suggests_the_indexed_word(engine):
    results = engine.search(text="dementa")

    assert results.total > 0 or results.suggestion == "dementia"


def test_autocomplete_offers_categories_then_services(engine):
    suggestions = engine.autocomplete("demen")
    texts = [suggestion.text for suggestion in suggestions]
    kinds = [suggestion.kind for suggestion in suggestions]

    assert texts[0] == "Dementia"
    assert kinds[0] == "category"
    assert "Dementia carers' support group" in texts
    assert kinds == sorted(kinds)  # every category before any service
    assert not set(texts) & NEVER_FOUND


def test_autocomplete_matches_each_word_typed(engine):
    texts = [suggestion.text for suggestion in engine.autocomplete("carers sup")]

    assert "Dementia carers' support group" in texts
    assert "Carers support and advice" in texts
    assert "Essex carers' network" not in texts


def test_autocomplete_respects_the_limit(engine):
    assert len(engine.autocomplete("c", limit=3)) == 0  # under two characters: nothing
    assert len(engine.autocomplete("ca", limit=3)) <= 3
