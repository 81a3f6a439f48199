"""The /services/ page: the search form, results, errors, and robustness to any input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.factories import (
    LocationFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
)
from directory.models import ServicePage, TaxonomyTerm
from search.models import Postcode

pytestmark = pytest.mark.django_db


def test_landing_page_offers_search_and_categories(client):
    response = client.get("/services/")

    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert 'href="/services/category/dementia/"' in response.text


def test_search_shows_result_cards_with_facts(client):
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    service = ServicePageFactory(title="Memory café", summary="Tea and company.", terms=[dementia])

    html = client.get("/services/", {"q": "memory"}).text

    assert "1 service found" in html
    service.refresh_from_db()
    assert f'href="{type(service).objects.get(pk=service.pk).url}"' in html
    assert "Tea and company." in html
    assert service.get_parent().title in html
    assert "Dementia" in html
    assert "Last checked" in html


def test_shareable_url_keeps_every_filter(client):
    response = client.get(
        "/services/",
        {
            "q": "x",
            "category": "dementia",
            "age": "70",
            "day": "monday",
            "free": "on",
            "sort": "name",
        },
    )

    html = response.text
    assert 'value="dementia" checked' in html
    assert 'value="70"' in html
    assert '<option value="monday" selected>' in html
    assert 'id="free" name="free" type="checkbox" value="on" checked' in html


def test_invalid_postcode_and_age_get_an_error_summary(client):
    response = client.get("/services/", {"postcode": "nonsense", "age": "old"})

    html = response.text
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter an age as a whole number, like 45" in html
    assert "<title>Error: " in html


def test_unknown_postcode_gets_a_clear_message(client):
    response = client.get("/services/", {"postcode": "ZZ1 1ZZ"})

    assert "We could not find ZZ1 1ZZ" in response.text


def test_district_fallback_is_explained(client):
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.538, longitude=0.726)
    from search.models import PostcodeDistrict

    PostcodeDistrict.objects.create(outward="SS1", latitude=51.538, longitude=0.726)
    service = ServicePageFactory(title="Town centre hub")
    ServiceAtLocationFactory(service=service, location=LocationFactory())

    html = client.get("/services/", {"postcode": "SS1 9ZZ"}).text

    assert "Showing results near SS1" in html
    assert "Town centre hub" in html


def test_zero_results_page_helps(client):
    ServicePageFactory(title="Dementia carers' group")

    # Exactly as typed (the "Search instead for" link): misspelt searches are otherwise run
    # corrected (tests/search/test_spelling.py).
    html = client.get("/services/", {"q": "dementa", "exact": "1"}).text

    assert "0 services found" in html
    assert "Did you mean" in html
    assert "q=dementia" in html
    assert "exact=1" not in html.split("Did you mean", 1)[1].split("</p>", 1)[0]
    assert "check your spelling" in html


def test_category_page_lists_its_services(client):
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    ServicePageFactory(title="Memory café", terms=[dementia])

    response = client.get("/services/category/dementia/")

    assert response.status_code == 200
    assert "Memory café" in response.text
    assert client.get("/services/category/no-such-thing/").status_code == 404


def test_queries_for_a_results_page_do_not_grow_with_results(client):
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    params = {"q": "dementia", "category": "dementia", "postcode": "SS1 1AA"}
    Postcode.objects.create(postcode="SS1 1AA", outward="SS1", latitude=51.538, longitude=0.726)

    def queries_with(count):
        for number in range(count - ServicePage.objects.count()):
            service = ServicePageFactory(title=f"Dementia service {number}", terms=[dementia])
            ServiceAtLocationFactory(service=service, location=LocationFactory())
        client.get("/services/", params)  # warm caches (site root paths)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/services/", params)
        assert f"{count} services found" in response.text
        return len(captured)

    few, many = queries_with(5), queries_with(20)

    assert few == many
    assert many <= 20  # 16 at the time of writing: page, site, session, one per engine step


nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(['"', "*", "AND", "NEAR(", "OR", "'", "\\", "%", "_", "\x00", "💥", "ß"]),
    # 10 KB strings: a short random piece repeated (Hypothesis caps generated sizes).
    st.builds(lambda piece: (piece * 10_240)[:10_240], st.text(min_size=1, max_size=40)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=nasty_text, postcode=st.text(max_size=20), age=st.text(max_size=6))
def test_no_input_causes_a_server_error(client, text, postcode, age):
    response = client.get(
        "/services/", {"q": text, "postcode": postcode, "age": age, "page": text[:5]}
    )

    assert response.status_code == 200
