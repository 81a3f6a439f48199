"""GET /services/autocomplete: suggestions for the search box (database engine)."""

import datetime

import pytest
from django.utils import timezone

from directory.factories import ServicePageFactory, TaxonomyTermFactory
from directory.models import TaxonomyTerm
from search.autocomplete import autocomplete_suggestions

pytestmark = pytest.mark.django_db

URL = "/services/autocomplete"


def texts(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return [(item["kind"], item["text"]) for item in response.json()["suggestions"]]


@pytest.fixture
def directory():
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    ServicePageFactory(title="Dementia carers' support group", terms=[dementia])
    ServicePageFactory(title="Singing for the brain (dementia)", terms=[dementia])
    ServicePageFactory(title="Memory café", terms=[dementia])
    ServicePageFactory(title="Démenagement advice")  # accented, found by "demen" too
    ServicePageFactory(title="Dementia draft", live=False)
    return dementia


def test_categories_come_first_then_services_starting_with_the_words(client, directory):
    found = texts(client, "demen")

    assert found[0] == ("category", "Dementia")
    assert ("service", "Dementia carers' support group") in found
    assert ("service", "Singing for the brain (dementia)") in found
    assert ("service", "Démenagement advice") in found
    # Names that start with the word come before ones with it later on.
    services = [text for kind, text in found if kind == "service"]
    assert services.index("Dementia carers' support group") < services.index(
        "Singing for the brain (dementia)"
    )


def test_every_word_typed_must_start_a_word_of_the_suggestion(client, directory):
    assert texts(client, "dementia car") == [("service", "Dementia carers' support group")]
    assert texts(client, "CAFE") == [("service", "Memory café")]
    assert texts(client, "carers dementia") == [("service", "Dementia carers' support group")]


def test_drafts_and_categories_without_services_are_never_offered(client, directory):
    TaxonomyTermFactory(taxonomy=directory.taxonomy, name="Dementia research")

    found = texts(client, "dementia")

    assert ("service", "Dementia draft") not in found
    assert ("category", "Dementia research") not in found


def test_stale_listings_are_not_offered_when_hidden(client, settings):
    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 12
    ServicePageFactory(title="Tai chi", assured_date=timezone.localdate())
    ServicePageFactory(
        title="Tai chi long ago", assured_date=timezone.localdate() - datetime.timedelta(days=800)
    )

    assert texts(client, "tai") == [("service", "Tai chi")]


def test_new_services_are_offered_as_soon_as_they_are_published(client):
    assert texts(client, "zumba") == []
    ServicePageFactory(title="Zumba gold")

    assert texts(client, "zumba") == [("service", "Zumba gold")]


def test_under_two_characters_gives_no_suggestions(client, directory):
    response = client.get(URL, {"q": "d"})

    assert response.status_code == 200
    assert response.json() == {"query": "d", "suggestions": []}


def test_at_most_eight_suggestions(client):
    for number in range(12):
        ServicePageFactory(title=f"Lunch club {number}")

    assert len(texts(client, "lunch")) == 8
    assert len(autocomplete_suggestions("lunch", limit=3)) == 3


def test_the_answer_may_be_cached_for_a_minute(client, directory):
    response = client.get(URL, {"q": "demen"})

    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Give the words typed so far as the q parameter"),
        ({"q": "x" * 201}, "200 characters or fewer"),
    ],
)
def test_bad_requests_get_a_json_error(client, params, message):
    response = client.get(URL, params)

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_only_get_is_allowed(client):
    response = client.post(URL, {"q": "demen"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "error" in response.json()


def test_search_syntax_is_just_text(client, directory):
    for typed in ['"demen', "demen*", "demen AND", "demen)", "-- demen"]:
        response = client.get(URL, {"q": typed})
        assert response.status_code == 200, typed
