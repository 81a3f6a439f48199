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


def _signed_in_officer(page: Page):
    officer = UserFactory(email="ig2@council.example", roles=[roles.IG_OFFICERS])
    sign_in(page, officer, secret=give_authenticator(officer))
    return officer


def test_ig_officer_imports_a_csv_of_choices(page: Page, tmp_path, settings):
    settings.CONSENT_IMPORT_DIR = str(tmp_path / "imports")
    _signed_in_officer(page)
    page.goto("/manage/consent/")
    page.get_by_role("link", name="Import choices from a CSV file").click()
    expect(page.locator("h1")).to_have_text("Import choices from a CSV file")
    assert_accessible(page)

    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a CSV file")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)

    csv_path = tmp_path / "choices.csv"
    csv_path.write_text(
        "nhs_number,purpose,decision,channel,occurred_at,evidence_reference\n"
        f"{NHS},research,object,post,2026-10-01,LETTER-1\n"
        "9434765918,research,object,post,2026-10-01,LETTER-2\n"
        "9434765870,pathway-analysis,consent,post,2026-10-01,LETTER-3\n"
        "9434765870,research,consent,phone,2026-10-02,CALL-4\n"
    )
    page.get_by_label("Upload a CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("h1")).to_have_text("Check the file before importing")
    table = page.locator("table")
    expect(table).to_contain_text("Enter a real NHS number: this one is not valid")
    expect(table).to_contain_text("pathway-analysis does not rely on consent")
    assert NHS not in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Import 2 choices").click()
    expect(page.locator("h1")).to_have_text("Import complete")
    expect(page.locator("#imported-count")).to_have_text("2")
    expect(page.locator("#failed-count")).to_have_text("2")
    assert_accessible(page)
    assert NHS not in page.url
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == ["record", "record"]

    # The consent by phone waits for identity verification: find it from the pending list.
    page.get_by_role("link", name="list of pending changes").click()
    expect(page.locator("h1")).to_have_text("Changes waiting for identity verification")
    assert "9434765870" not in page.content()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Find this person")).click()
    expect(page.locator("h1")).to_have_text("Data-sharing choices")
    expect(page.get_by_role("heading", name="Waiting for identity verification")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Verify identity").click()
    expect(page.locator("h1")).to_have_text("Verify identity")
    assert_accessible(page)
    page.get_by_role("button", name="Verify identity").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the evidence reference")
    assert_accessible(page)

    page.get_by_label("Documents checked").check()
    page.get_by_label("Evidence reference").fill("PASSPORT-SEEN")
    page.get_by_label("Link their portal account (optional)").fill("nobody@example.com")
    page.get_by_role("button", name="Verify identity").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is no account")
    page.get_by_label("Link their portal account (optional)").fill("")
    page.get_by_role("button", name="Verify identity").click()
    expect(page.locator("h1")).to_have_text("Data-sharing choices")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 waiting change took effect"
    )
    expect(page.get_by_role("heading", name="Waiting for identity verification")).to_have_count(0)
    assert_accessible(page)
