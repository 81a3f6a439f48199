"""The query DSL the Elasticsearch engine sends, for representative searches.

No Elasticsearch runs here (none can be installed on this machine), so these assert the
request bodies exactly and how documented response shapes become results; the contract suite
(tests/search/contract/) runs the same searches against a real cluster when
ELASTICSEARCH_URL is set.
"""

import datetime

import pytest

from search import es_query
from search.engines.elasticsearch import (
    highlight_from,
    results_from,
    suggestion_from,
    suggestions_from,
)
from search.query import InterpretedLocation, ServiceQuery

SOUTHEND = InterpretedLocation(query="SS1 1AA", label="SS1 1AA", latitude=51.538, longitude=0.726)


def body(**kwargs):
    options = {
        k: kwargs.pop(k)
        for k in list(kwargs)
        if k in {"location", "open_now_ids", "stale_cutoff", "facet_term_ids"}
    }
    return es_query.search_body(ServiceQuery(**kwargs), **options)


def filters(b):
    return b["query"]["bool"]["filter"]


# --- words --------------------------------------------------------------------------------------


def test_words_must_all_match_exactly_or_within_a_typo_with_the_name_weighted_most():
    text = body(text="help for dementia carers")["query"]["bool"]["must"][0]["bool"]
    exact, fuzzy = text["must"][0]["bool"]["should"]

    assert exact["multi_match"]["query"] == "help dementia carers"  # stop words dropped
    assert exact["multi_match"]["operator"] == "and"
    assert exact["multi_match"]["type"] == "cross_fields"
    assert exact["multi_match"]["fields"][:3] == ["title^3", "categories^2", "summary^2"]
    per_word = [clause["multi_match"] for clause in fuzzy["bool"]["must"]]
    assert [clause["query"] for clause in per_word] == ["help", "dementia", "carers"]
    assert all(clause["fuzziness"] == "AUTO" for clause in per_word)
    assert all(clause["prefix_length"] == 1 for clause in per_word)
    assert fuzzy["bool"]["boost"] < 1  # a typo scores below the words as typed
    phrase = text["should"][0]["match_phrase"]["title"]
    assert phrase == {"query": "help for dementia carers", "boost": 4}


def test_no_words_matches_everything_sorted_by_name():
    b = body()

    assert "must" not in b["query"]["bool"]
    assert b["sort"] == [{"title.sort": "asc"}, {"service_id": "asc"}]
    assert "highlight" not in b
    assert "suggest" not in b


def test_words_sort_by_relevance_then_name_unless_name_is_asked_for():
    assert body(text="lunch")["sort"][0] == "_score"
    assert body(text="lunch", sort="name")["sort"] == es_query.BY_NAME


def test_matched_words_are_highlighted_and_misspellings_get_suggestions():
    b = body(text="dementa carers")

    assert set(b["highlight"]["fields"]) == {"summary", "description"}
    assert b["highlight"]["pre_tags"] == [es_query.HIGHLIGHT_START]
    suggester = b["suggest"]["spelling"]
    assert suggester["text"] == "dementa carers"
    assert suggester["term"]["field"] == "spelling"
    assert suggester["term"]["suggest_mode"] == "missing"


# --- filters ------------------------------------------------------------------------------------


def test_age_overlaps_with_unset_limits_meaning_no_limit():
    (age,) = filters(body(age=15))

    assert age == {
        "bool": {
            "must_not": [
                {"range": {"minimum_age": {"gt": 15}}},
                {"range": {"maximum_age": {"lt": 15}}},
            ]
        }
    }


def test_free_day_and_open_now():
    free, day, open_now = filters(body(free_only=True, day=2, open_now=True, open_now_ids=[9, 3]))

    assert free == {"term": {"is_free": True}}
    assert day == {"term": {"open_weekdays": 2}}
    assert open_now == {"terms": {"service_id": [3, 9]}}


def test_open_now_with_nothing_open_matches_nothing():
    assert filters(body(open_now=True, open_now_ids=[])) == [{"terms": {"service_id": []}}]


def test_attending_is_any_of_the_ways_chosen():
    (attending,) = filters(body(attending=("phone", "online")))

    assert attending == {
        "bool": {
            "should": [
                {"term": {"attending_phone": True}},
                {"term": {"attending_online": True}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_stale_listings_are_left_out_but_never_checked_ones_kept():
    (stale,) = filters(body(stale_cutoff=datetime.date(2024, 11, 23)))

    assert stale == {"bool": {"must_not": [{"range": {"checked_on": {"lte": "2024-11-23"}}}]}}


def test_categories_filter_after_the_facet_counts():
    b = body(taxonomy_term_ids=(7, 3), facet_term_ids=[1, 3, 7])

    assert filters(b) == []
    assert b["post_filter"] == {"terms": {"term_ids": [3, 7]}}
    assert b["aggs"]["categories"] == {
        "terms": {"field": "term_ids", "include": [1, 3, 7], "size": 3}
    }


def test_pages():
    b = body(page=3, per_page=20)

    assert (b["from"], b["size"]) == (40, 20)
    assert b["track_total_hits"] is True


# --- near a postcode ----------------------------------------------------------------------------


def test_postcode_keeps_local_services_within_the_distance_and_all_wider_ones():
    (where,) = filters(body(location=SOUTHEND, distance_miles=3))
    local, wider = where["bool"]["should"]

    assert where["bool"]["minimum_should_match"] == 1
    assert local["bool"]["must_not"] == [{"terms": {"coverage": ["county", "national"]}}]
    nested = local["bool"]["filter"][0]["nested"]
    assert nested["path"] == "locations"
    assert nested["query"]["geo_distance"] == {
        "distance": "3mi",
        "locations.point": {"lat": 51.538, "lon": 0.726},
    }
    assert wider == {"terms": {"coverage": ["county", "national"]}}


def test_postcode_defaults_to_five_miles():
    (where,) = filters(body(location=SOUTHEND))
    nested = where["bool"]["should"][0]["bool"]["filter"][0]["nested"]

    assert nested["query"]["geo_distance"]["distance"] == "5mi"


def test_postcode_orders_local_then_county_then_national_then_by_distance():
    sort = body(location=SOUTHEND)["sort"]

    tier, distance = sort[0], sort[1]
    assert "national' ? 2 : (c == 'county' ? 1 : 0)" in tier["_script"]["script"]["source"]
    assert distance["_geo_distance"]["locations.point"] == {"lat": 51.538, "lon": 0.726}
    assert distance["_geo_distance"]["unit"] == "mi"
    assert distance["_geo_distance"]["mode"] == "min"
    assert distance["_geo_distance"]["nested"] == {"path": "locations"}


def test_words_near_a_postcode_rank_by_relevance_within_each_tier_then_distance():
    sort = body(text="carers", location=SOUTHEND)["sort"]

    assert sort[1] == "_score"
    assert "_geo_distance" in sort[2]


@pytest.mark.parametrize("sort", ["distance", "name"])
def test_distance_and_name_sorts_near_a_postcode_keep_the_tiers(sort):
    clauses = body(text="carers", location=SOUTHEND, sort=sort)["sort"]

    assert "_script" in clauses[0]
    expected_second = "_geo_distance" if sort == "distance" else "title.sort"
    assert expected_second in clauses[1]
    assert any("_geo_distance" in c for c in clauses if isinstance(c, dict))  # always a distance


# --- autocomplete -------------------------------------------------------------------------------


def test_autocomplete_matches_word_prefixes_in_names_and_counts_matching_categories():
    b = es_query.autocomplete_body("Dementia car", limit=8)

    title = {"match": {"title.autocomplete": {"query": "dementia car", "operator": "and"}}}
    assert b["post_filter"] == title
    assert title in b["query"]["bool"]["should"]
    assert b["size"] == 16
    categories = b["aggs"]["categories"]
    assert categories["filter"]["match"]["categories.autocomplete"]["query"] == "dementia car"
    assert categories["aggs"]["names"]["terms"]["field"] == "categories.keyword"


# --- responses into results ---------------------------------------------------------------------


class Term:
    def __init__(self, id_, slug):
        self.id, self.slug = id_, slug


def test_results_read_cards_distances_tiers_and_facets_from_the_response():
    query = ServiceQuery(text="carers", postcode="SS1 1AA")
    response = {
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "hits": [
                {
                    "_id": "11",
                    "_score": 3.2,
                    "_source": {
                        "service_id": 11,
                        "title": "Carers' group",
                        "url": "/services/a/carers-group/",
                        "coverage": "local",
                        "categories": ["Carers' support"],
                        "assured_date": "2026-10-01",
                        "rating_count": 2,
                        "rating_average": 4.5,
                    },
                    "sort": [0, 3.2, 0.42, "carers' group", 11],
                    "highlight": {"summary": ["For \x02carers\x03 & <families>"]},
                },
                {
                    "_id": "12",
                    "_score": 1.0,
                    "_source": {"service_id": 12, "title": "Helpline", "coverage": "national"},
                    "sort": [2, 1.0, "Infinity", "helpline", 12],
                },
            ],
        },
        "aggregations": {"categories": {"buckets": [{"key": 5, "doc_count": 1}]}},
    }

    results = results_from(
        response, query=query, location=SOUTHEND, terms=[Term(5, "carers"), Term(6, "housing")]
    )

    first, second = results.hits
    assert results.total == 2
    assert first.card.title == "Carers' group"
    assert first.card.assured_date == datetime.date(2026, 10, 1)
    assert first.distance_miles == pytest.approx(0.42)
    assert first.within_distance
    assert str(first.highlight) == "For <mark>carers</mark> &amp; &lt;families&gt;"
    assert second.distance_miles is None  # a national helpline with no location
    assert not second.within_distance
    assert [(f.term.slug, f.count) for f in results.facets] == [("carers", 1), ("housing", 0)]
    assert results.suggestion is None  # words found, and no suggester options


def test_spelling_suggestion_from_the_term_suggester():
    entries = [
        {"text": "dementa", "options": [{"text": "dementia", "score": 0.85, "freq": 4}]},
        {"text": "carers", "options": []},
    ]

    assert suggestion_from(entries) == "dementia carers"
    assert suggestion_from([{"text": "carers", "options": []}]) is None
    assert suggestion_from(None) is None


def test_highlight_escapes_everything_but_the_marks():
    html = highlight_from({"description": ["<script>\x02x\x03</script>"]})

    assert str(html) == "&lt;script&gt;<mark>x</mark>&lt;/script&gt;"
    assert highlight_from({}) == ""


def test_autocomplete_suggestions_put_categories_first_and_keep_only_word_prefix_matches():
    response = {
        "hits": {
            "hits": [
                {"_source": {"title": "Dementia carers' support group"}},
                {"_source": {"title": "Demand-responsive transport"}},
            ]
        },
        "aggregations": {
            "categories": {
                "names": {"buckets": [{"key": "Dementia", "doc_count": 4}, {"key": "Housing"}]}
            }
        },
    }

    suggestions = suggestions_from(response, typed=["demen"], limit=8)

    assert [(s.kind, s.text) for s in suggestions] == [
        ("category", "Dementia"),
        ("service", "Dementia carers' support group"),
    ]
