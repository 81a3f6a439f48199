"""Searching the directory in a real browser, with axe on every state of the page."""

import pytest
from playwright.sync_api import Page, expect

from directory.factories import LocationFactory, ServiceAtLocationFactory, ServicePageFactory
from directory.models import TaxonomyTerm
from search.models import Postcode, PostcodeDistrict

from .axe import assert_accessible


@pytest.fixture
def directory():
    Postcode.objects.create(postcode="SS2 6ER", outward="SS2", latitude=51.553, longitude=0.718)
    PostcodeDistrict.objects.create(outward="SS2", latitude=51.552, longitude=0.720)
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    carers = TaxonomyTerm.objects.get(slug="carers-support")
    near = ServicePageFactory(
        title="Dementia carers' support group",
        summary="Meet other carers of people with dementia.",
        terms=[dementia, carers],
    )
    ServiceAtLocationFactory(
        service=near,
        location=LocationFactory(latitude=51.554, longitude=0.719, postal_code="SS2 6ER"),
    )
    far = ServicePageFactory(title="Memory café in Basildon", terms=[dementia])
    ServiceAtLocationFactory(
        service=far,
        location=LocationFactory(latitude=51.574, longitude=0.470, postal_code="SS14 1AA"),
    )
    ServicePageFactory(title="Carers' breaks service", terms=[carers])
    return near


def test_search_filter_by_category_and_postcode_then_open_a_service(page: Page, directory):
    page.goto("/services/")
    assert_accessible(page)

    page.get_by_label("Search for a service").fill("dementia")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results-heading")).to_have_text("2 services found")
    assert_accessible(page)

    page.get_by_label("Carers' support").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-heading")).to_have_text("1 service found")
    assert "category=carers-support" in page.url  # the URL can be shared

    page.get_by_label("Postcode").fill("SS2 6ER")
    page.get_by_label("Distance").select_option("1")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("Showing results near SS2 6ER")).to_be_visible()
    expect(page.get_by_text("miles away")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Dementia carers' support group").click()
    expect(page.locator("h1")).to_have_text("Dementia carers' support group")
    assert_accessible(page)


def test_errors_and_empty_results_are_accessible(page: Page, directory):
    page.goto("/services/?postcode=nonsense&age=old")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a full UK postcode")
    assert_accessible(page)

    # A misspelling that finds nothing is run corrected, with a way back to the words typed.
    page.goto("/services/?q=dementa")
    expect(page.locator("#spelling-correction")).to_contain_text("Showing results for dementia")
    expect(page.locator("#results-heading")).to_have_text("2 services found")
    assert_accessible(page)
    page.get_by_role("link", name="dementa").click()
    expect(page.locator("#results-heading")).to_have_text("0 services found")
    expect(page.get_by_text("Did you mean")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Did you mean").get_by_role("link").click()
    expect(page.locator("#results-heading")).to_have_text("2 services found")


def test_browse_a_category(page: Page, directory):
    page.goto("/services/")
    page.get_by_role("link", name="Dementia", exact=True).click()

    expect(page.locator("h1")).to_have_text("Dementia")
    expect(page.get_by_role("link", name="Memory café in Basildon")).to_be_visible()
    assert_accessible(page)


def test_search_works_without_javascript(page_without_js: Page, directory):
    page = page_without_js
    page.goto("/services/")
    page.get_by_label("Search for a service").fill("carers")
    page.get_by_label("Postcode").fill("ss2 6er")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.locator("#results-heading")).to_contain_text("found")
    page.get_by_label("Sort by").select_option("name")
    page.get_by_role("button", name="Sort").click()
    assert "sort=name" in page.url
