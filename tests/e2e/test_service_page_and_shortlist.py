"""A service page and "My list" in a real browser: add, view, print, email and share, with axe
checking each page, and the same journey with JavaScript switched off."""

import datetime
import re

from playwright.sync_api import Page, expect

from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    ServicePhoneFactory,
)
from directory.models import AccessibilityFeature, ServiceContact

from .axe import assert_accessible


def make_services():
    organisation = OrganisationPageFactory(
        title="Seaborough Carers Trust", phone="01702 111111", email="hello@carers.example"
    )
    cafe = ServicePageFactory(
        parent=organisation,
        title="Carers’ café",
        summary="A friendly monthly café for unpaid carers.",
        description="Meet other carers over a cup of tea.\n\nTalk to our advisers.",
        alert="The café moves to the library in April.",
        minimum_age=18,
        is_free=False,
        fees="£2 for tea and cake.",
        website="https://carers.example/cafe",
    )
    ServicePhoneFactory(service=cafe, number="01702 123456", description="Helpline")
    ServiceContact.objects.create(service=cafe, name="Pat Public", is_public=True)
    centre = LocationFactory(organisation=organisation, name="Civic Centre")
    AccessibilityFeature.objects.create(location=centre, description="Step-free access")
    ServiceAtLocationFactory(service=cafe, location=centre)
    refuge = LocationFactory(
        organisation=organisation, name="Safe house", hide_address=True, area_description="Leigh"
    )
    ServiceAtLocationFactory(service=cafe, location=refuge)
    RegularScheduleFactory(service=cafe, weekday=0)
    RegularScheduleFactory(
        service=cafe, weekday=1, opens_at=datetime.time(9), closes_at=datetime.time(12, 30)
    )
    RegularScheduleFactory(
        service=cafe, weekday=1, opens_at=datetime.time(14), closes_at=datetime.time(16)
    )
    walking = ServicePageFactory(
        parent=organisation, title="Walking group", summary="Gentle walks along the seafront."
    )
    return organisation, cafe, walking


def test_service_page_list_print_email_and_share(page: Page, mailoutbox):
    organisation, cafe, walking = make_services()

    page.goto(organisation.url)
    expect(page.locator("h1")).to_have_text("Seaborough Carers Trust")
    assert_accessible(page)

    page.goto(cafe.url)
    expect(page.locator("h1")).to_have_text("Carers’ café")
    expect(page.get_by_text("9am to 12:30pm and 2pm to 4pm")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add to my list").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Carers’ café has been added to your list"
    )
    expect(page.get_by_role("button", name="Remove from my list")).to_be_visible()
    page.goto(walking.url)
    page.get_by_role("button", name="Add to my list").click()

    page.get_by_role("link", name="My list (2)", exact=True).click()
    expect(page.locator("h1")).to_have_text("My list")
    expect(page.locator(".govuk-summary-card")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("link", name="Print your list").click()
    expect(page.locator("h1")).to_have_text("My list of services")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    expect(page.get_by_text("Use your browser’s print option")).to_be_hidden()
    expect(page.get_by_text("Accessibility: Step-free access")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the list").click()
    page.get_by_role("link", name="Email your list").click()
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send email").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format, like name@example.com"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    page.get_by_label("Email address").fill("resident@example.com")
    page.get_by_role("button", name="Send email").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your list has been sent")
    assert_accessible(page)

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Carers’ café" in body
    assert "Walking group" in body
    assert "Phone: 01702 123456 (Helpline)" in body
    assert "Address: Safe house, Leigh" in body
    assert "Tuesday: 9am to 12:30pm and 2pm to 4pm" in body
    share_url = re.search(r"^(http\S+/services/shortlist/shared/\?s=\S+)$", body, re.M).group(1)

    page.goto(share_url)
    expect(page.locator("h1")).to_have_text("A shared list of services")
    expect(page.locator(".govuk-summary-card__title")).to_have_text(
        ["Carers’ café", "Walking group"]
    )
    expect(page.get_by_role("button", name="Save to my list")).to_be_visible()
    assert_accessible(page)


def test_shared_list_saves_into_an_empty_list(page: Page):
    _, cafe, walking = make_services()
    page.goto(f"/services/shortlist/shared/?s={walking.uuid},{cafe.uuid}")

    page.get_by_role("button", name="Save to my list").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 services have been saved to your list"
    )
    expect(page.locator(".govuk-summary-card__title")).to_have_text(
        ["Walking group", "Carers’ café"]
    )
    assert_accessible(page)


def test_empty_list_is_accessible(page: Page):
    page.goto("/services/shortlist/")

    expect(page.get_by_text("Your list is empty.")).to_be_visible()
    assert_accessible(page)


def test_add_to_list_and_view_it_without_javascript(page_without_js: Page):
    page = page_without_js
    _, cafe, _ = make_services()

    page.goto(cafe.url)
    page.get_by_role("button", name="Add to my list").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Carers’ café has been added to your list"
    )

    page.get_by_role("link", name="My list (1)", exact=True).click()
    expect(page.locator(".govuk-summary-card__title")).to_have_text(["Carers’ café"])

    page.get_by_role("link", name="Print your list").click()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(page.get_by_text("Use your browser’s print option")).to_be_visible()

    page.get_by_role("link", name="Back to the list").click()
    page.get_by_role("button", name="Remove from my list").click()
    expect(page.get_by_text("Your list is empty.")).to_be_visible()
