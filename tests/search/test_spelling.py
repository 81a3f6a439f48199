"""Misspelt searches: corrected when that finds services, offered when it might help."""

import re

import pytest

from directory.factories import ServicePageFactory
from directory.models import TaxonomyTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def dementia_carers():
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    ServicePageFactory(
        title="Dementia carers' support group",
        summary="Peer support for people caring for someone with dementia.",
        terms=[dementia],
    )
    ServicePageFactory(title="Carers' breaks", summary="Time off for unpaid carers.")


def test_a_misspelling_that_finds_nothing_shows_the_corrected_search(client, dementia_carers):
    page = client.get("/services/", {"q": "dementa carers"}).text

    assert "Showing results for <strong>dementia carers</strong>" in page
    assert "Dementia carers&#x27; support group" in page
    assert "1 service found" in page
    link = re.search(r'Search instead for <a class="govuk-link" href="([^"]+)">([^<]+)</a>', page)
    assert link.group(2) == "dementa carers"
    assert "exact=1" in link.group(1)


def test_searching_instead_for_the_words_as_typed_does_not_correct_them(client, dementia_carers):
    page = client.get("/services/", {"q": "dementa carers", "exact": "1"}).text

    assert "Showing results for" not in page
    assert "We could not find any services that match your search." in page
    assert "Did you mean" in page
    assert "dementia carers" in page


def test_a_search_that_finds_services_is_never_corrected(client, dementia_carers):
    page = client.get("/services/", {"q": "carers"}).text

    assert "Showing results for" not in page
    assert "2 services found" in page


def test_few_results_offer_did_you_mean(client):
    ServicePageFactory(title="Befriending service", summary="A weekly call.")
    ServicePageFactory(title="Good neighbours", summary="Befriendnig, with a typo in it.")

    page = client.get("/services/", {"q": "befriendnig"}).text

    assert "1 service found" in page
    assert "Did you mean" in page
    assert "befriending" in page
    assert "Showing results for" not in page


def test_a_misspelling_nothing_fixes_shows_no_results_without_a_suggestion(client):
    ServicePageFactory(title="Lunch club")

    page = client.get("/services/", {"q": "xqzzv"}).text

    assert "We could not find any services that match your search." in page
    assert "Did you mean" not in page
    assert "Showing results for" not in page
