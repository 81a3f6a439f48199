"""The practitioners' queue in a real browser: a social care practitioner signs in with their
authenticator app, filters the queue, opens an urgent case, assigns it to themselves, adds a
note, changes its status and opens the printable summary. axe checks every page; the list and
the case also work with JavaScript switched off."""

import re

from playwright.sync_api import Page, expect

from portal import roles
from portal.factories import UserFactory
from selfcare.models import CaseActivity, Submission

from ..selfcare.test_staff_queue import make_submission
from .axe import assert_accessible
from .signin import give_authenticator, sign_in

QUEUE = "/manage/self-care/"


def _signed_in_practitioner(page: Page, email: str = "sam@council.example"):
    practitioner = UserFactory(email=email, roles=[roles.PRACTITIONERS])
    sign_in(page, practitioner, secret=give_authenticator(practitioner))
    return practitioner


def test_practitioner_works_an_urgent_case(page: Page):
    routine = make_submission(days_ago=5)
    urgent = make_submission(days_ago=1, urgent=True)
    practitioner = _signed_in_practitioner(page)

    page.goto(QUEUE)
    expect(page.locator("h1")).to_have_text("Self-assessments")
    expect(page.locator("#case-count")).to_have_text("2 cases")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text(urgent.reference)
    expect(rows.first.locator(".govuk-tag--red")).to_have_text("Urgent")
    expect(page.get_by_text("Ann Example")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Urgent cases only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#case-count")).to_have_text("1 case")
    expect(page.locator("tbody")).not_to_contain_text(routine.reference)
    assert_accessible(page)

    page.get_by_role("link", name=urgent.reference).click()
    expect(page.locator("h1")).to_have_text(f"Self-assessment {urgent.reference}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "They said they are not safe at home"
    )
    expect(page.get_by_text("Indicative eligibility")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The case is assigned to you"
    )

    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a note")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("Add a note").fill("Rang Ann: a visit is booked for Friday.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Note added")
    expect(page.get_by_text("Rang Ann: a visit is booked for Friday.")).to_be_visible()

    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Status changed to In progress"
    )
    expect(page.locator("table").last).to_contain_text("Changed status: New to In progress")
    assert_accessible(page)

    page.get_by_role("link", name="Print this self-assessment").click()
    expect(page.locator("h1")).to_have_text(f"Self-assessment {urgent.reference}")
    expect(page.get_by_text("Rang Ann: a visit is booked for Friday.")).to_be_visible()
    assert_accessible(page)

    urgent.refresh_from_db()
    assert (urgent.assigned_to, urgent.status) == (practitioner, Submission.IN_PROGRESS)
    actions = set(CaseActivity.objects.values_list("action", flat=True))
    assert actions == {"viewed", "assigned", "note", "status", "printed"}


def test_queue_and_case_work_without_javascript(page_without_js: Page):
    page = page_without_js
    case = make_submission(urgent=True)
    _signed_in_practitioner(page, email="nojs@council.example")

    page.goto(QUEUE)
    page.get_by_label("Assigned to").select_option("unassigned")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#case-count")).to_have_text("1 case")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The case is assigned to you"
    )
    page.get_by_label("Waiting for the person").check()
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Status changed to Waiting for the person"
    )
