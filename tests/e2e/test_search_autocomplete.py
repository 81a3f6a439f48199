"""Suggestions as you type in the directory search box, and the same search without them."""

import pytest
from playwright.sync_api import Page, expect

from directory.factories import ServicePageFactory
from directory.models import TaxonomyTerm

from .axe import assert_accessible


@pytest.fixture
def directory():
    dementia = TaxonomyTerm.objects.get(slug="dementia")
    carers = TaxonomyTerm.objects.get(slug="carers-support")
    ServicePageFactory(
        title="Dementia carers' support group",
        summary="Meet other carers of people with dementia.",
        terms=[dementia, carers],
    )
    ServicePageFactory(title="Memory café", summary="Music and chat.", terms=[dementia])
    ServicePageFactory(title="Carers' breaks service", terms=[carers])


def test_typing_offers_suggestions_and_choosing_one_runs_the_search(page: Page, directory):
    page.goto("/services/")
    box = page.get_by_role("combobox", name="Search for a service")
    box.press_sequentially("demen", delay=50)

    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_have_text("Dementia (category)")
    expect(listbox.get_by_role("option", name="Dementia carers' support group")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("suggestions")
    assert_accessible(page)  # with the list open

    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    box.press("Enter")

    expect(page.locator("#results-heading")).to_have_text("2 services found")
    assert "q=Dementia" in page.url
    expect(page.get_by_role("link", name="Memory café")).to_be_visible()
    assert_accessible(page)


def test_clicking_a_suggestion_runs_it_and_escape_closes_the_list(page: Page, directory):
    page.goto("/services/")
    box = page.get_by_role("combobox", name="Search for a service")
    box.press_sequentially("carers br", delay=50)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option")).to_have_count(1)
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("e", delay=50)
    listbox.get_by_role("option", name="Carers' breaks service").click()

    expect(page.locator("#results-heading")).to_have_text("1 service found")


def test_free_text_is_searched_as_typed(page: Page, directory):
    page.goto("/services/")
    box = page.get_by_role("combobox", name="Search for a service")
    box.press_sequentially("support group", delay=30)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box.press("Enter")  # nothing chosen: the words typed are searched

    expect(page.locator("#results-heading")).to_have_text("1 service found")
    assert "q=support+group" in page.url


def test_the_same_search_works_without_javascript(page_without_js: Page, directory):
    page = page_without_js
    page.goto("/services/")
    box = page.get_by_label("Search for a service")
    expect(box).not_to_have_attribute("role", "combobox")
    box.fill("dementia")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page.locator("#results-heading")).to_have_text("2 services found")
    # (axe runs in page JavaScript: the results page is checked with it on, above.)
