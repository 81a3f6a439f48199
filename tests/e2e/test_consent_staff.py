"""Staff use of the register in a real browser: an IG officer signs in with their
authenticator app, finds a person by NHS number, records a phone objection, and sees it in the
history and in "who has looked at this record". axe checks every page."""

import re

from playwright.sync_api import Page, expect

from consent.access_models import AccessLogEntry
from portal import roles
from portal.factories import UserFactory

from .axe import assert_accessible
from .signin import give_authenticator, sign_in

NHS = "9434765919"


def test_ig_officer_records_a_phone_objection_and_sees_it_logged(page: Page):
    officer = UserFactory(email="ig@council.example", roles=[roles.IG_OFFICERS])
    secret = give_authenticator(officer)
    sign_in(page, officer, secret=secret)

    page.goto("/manage/consent/")
    expect(page.locator("h1")).to_have_text("Find a person in the data-sharing register")
    assert_accessible(page)

    page.get_by_role("button", name="Find person").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an NHS number")
    assert_accessible(page)

    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Find person").click()
    expect(page.locator("h1")).to_have_text("Data-sharing choices")
    assert NHS not in page.url
    expect(page.get_by_text("No choices have been recorded")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Record a choice received by phone")).click()
    expect(page.locator("h1")).to_have_text("Record a choice")
    assert_accessible(page)
    page.get_by_role("button", name="Record choice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the purpose")
    assert_accessible(page)

    page.get_by_label("Planning services (risk stratification for commissioning)").check()
    page.get_by_label("Object", exact=True).check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("The person themselves").check()
    page.get_by_label("Evidence reference").fill("CALL-2026-117")
    page.get_by_label("How was their identity checked?").select_option("self-declared")
    page.get_by_label("Not verified").check()
    page.get_by_role("button", name="Record choice").click()

    expect(page.locator("h1")).to_have_text("Data-sharing choices")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recorded: reference")
    assert NHS not in page.url
    history = page.locator("table").nth(1)
    expect(history).to_contain_text("Object")
    expect(history).to_contain_text("Phone")
    expect(history).to_contain_text("ig@council.example")
    report = page.locator("table").nth(2)
    expect(report).to_contain_text("Recorded a choice")
    expect(report).to_contain_text("Searched")
    expect(report).to_contain_text("Viewed the record")
    assert_accessible(page)

    for page_name in ("Record a GP code", "Record that the person lacks capacity"):
        page.get_by_role("link", name=re.compile(page_name)).click()
        assert_accessible(page)
        page.go_back()

    actions = list(AccessLogEntry.objects.values_list("action", flat=True))
    assert actions[:4] == ["search", "view", "record", "view"]
