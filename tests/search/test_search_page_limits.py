"""Regression found by the search property tests (tests/fuzz/test_properties.py): a page
number past what any engine can answer was a 500 (the database's OFFSET overflowed)."""

import pytest

from directory.factories import ServicePageFactory
from search.forms import MAX_PAGE, ServiceSearchForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["99999999999999999999", str(MAX_PAGE + 1)])
def test_a_page_number_too_big_to_exist_shows_the_first_page(client, page):
    ServicePageFactory(title="Free advice clinic", is_free=True)

    response = client.get("/services/", {"free": "on", "page": page})

    assert response.status_code == 200
    assert "Free advice clinic" in response.text


def test_the_deepest_page_offered_is_answered_empty(client):
    ServicePageFactory(title="Free advice clinic", is_free=True)

    response = client.get("/services/", {"free": "on", "page": str(MAX_PAGE)})

    assert response.status_code == 200
    assert "Free advice clinic" not in response.text


def test_the_form_reads_a_page_past_the_deepest_as_page_one():
    form = ServiceSearchForm({"free": "on", "page": str(MAX_PAGE + 1)})

    assert form.is_valid()
    assert form.to_query().page == 1
