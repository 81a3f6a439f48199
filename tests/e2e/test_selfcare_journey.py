"""The self-care journey in a real browser (issue 6): the example definition from start to
result with axe on every page, an error state for each question type, and a pass with
JavaScript switched off."""

import pytest
from playwright.sync_api import Page, expect

from directory.factories import ServicePageFactory
from directory.models import TaxonomyTerm

from ..selfcare.conftest import EXAMPLE_DIR
from .axe import assert_accessible

START = "/self-care/example-assessment/"


@pytest.fixture(autouse=True)
def _example_definitions(settings):
    settings.SELFCARE_EXTRA_DEFINITION_DIRS = [str(EXAMPLE_DIR)]


@pytest.fixture
def talking_service():
    term = TaxonomyTerm.objects.get(slug="mental-health-and-wellbeing")
    return ServicePageFactory(title="Seaborough talking group", summary="Drop in.", terms=[term])


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _error_shown(page: Page, message: str) -> None:
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    assert page.title().startswith("Error: ")
    assert_accessible(page)


def test_example_assessment_from_start_to_result(page: Page, talking_service):
    page.goto("/self-care/")
    assert_accessible(page)
    page.get_by_role("link", name="Example self-assessment").click()

    expect(page.locator("h1")).to_have_text("Example self-assessment")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    expect(page.locator("h1")).to_have_text("Example self-assessment")
    expect(page.locator(".govuk-task-list")).to_contain_text("Not started")
    assert_accessible(page)
    page.get_by_role("link", name="How you feel").click()

    # Radios
    expect(page.locator("h1")).to_have_text("How have you been feeling over the last 2 weeks?")
    assert_accessible(page)
    _continue(page)
    _error_shown(page, "Select how you have been feeling")
    page.get_by_label("Very low").check()
    _continue(page)

    # Checkboxes with an exclusive "None of these"
    expect(page.locator("h1")).to_have_text("What is worrying you at the moment?")
    assert_accessible(page)
    _continue(page)
    _error_shown(page, "Select what is worrying you")
    page.get_by_label("Money").check()
    _continue(page)

    # Text, on a page only asked about money worries
    expect(page.locator("h1")).to_have_text("What kind of money worry is it?")
    _continue(page)
    _error_shown(page, "Enter your money worry")
    page.get_by_label("What kind of money worry is it?").fill("Paying bills")
    _continue(page)

    expect(page.locator(".govuk-task-list")).to_contain_text("Completed")
    assert_accessible(page)
    page.get_by_role("link", name="Your day").click()

    # Number with a suffix
    expect(page.locator("h1")).to_have_text("How many hours do you sleep on a usual night?")
    assert_accessible(page)
    page.get_by_label("How many hours do you sleep on a usual night?").fill("lots")
    _continue(page)
    _error_shown(page, "Hours of sleep must be a number")
    page.get_by_label("How many hours do you sleep on a usual night?").fill("7")
    _continue(page)

    # Date
    expect(page.locator("h1")).to_have_text("When did you start feeling this way?")
    assert_accessible(page)
    _continue(page)
    _error_shown(page, "Enter when it started")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2024")
    _continue(page)

    # Several questions on one page: a textarea with a character count, and optional text
    expect(page.locator("h1")).to_have_text("Anything else")
    assert_accessible(page)
    _continue(page)
    _error_shown(page, "Enter what would help")
    page.get_by_label("What would help you most?").fill("Someone to talk to")
    _continue(page)

    expect(page.locator(".govuk-task-list__status", has_text="Completed")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name="Check your answers").click()

    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.locator(".govuk-summary-list")).to_contain_text(["Very low"])
    assert_accessible(page)
    _continue(page)

    expect(page.locator("h1")).to_have_text("You can get help now")
    expect(page.locator("main")).to_contain_text("Samaritans")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Your results")
    expect(page.locator("main")).to_contain_text("Some difficulties")
    expect(page.get_by_role("link", name="Seaborough talking group")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Enter a postcode to see services near you").fill("not a postcode")
    page.get_by_role("button", name="Show services near this postcode").click()
    _error_shown(page, "Enter a full UK postcode")


def test_changing_an_answer_from_check_answers(page: Page):
    page.goto(START + "q/feeling/")
    page.get_by_label("Okay").check()
    _continue(page)
    page.get_by_label("None of these").check()
    _continue(page)
    page.goto(START + "q/sleep/")
    page.get_by_label("How many hours do you sleep on a usual night?").fill("8")
    _continue(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2025")
    _continue(page)
    page.get_by_label("What would help you most?").fill("Sleep")
    _continue(page)
    page.goto(START + "check/")

    page.get_by_role("link", name="Change what is worrying you").click()
    assert_accessible(page)
    page.get_by_label("Money").check()  # JavaScript unticks "None of these"
    expect(page.get_by_label("None of these")).not_to_be_checked()
    page.get_by_role("button", name="Save and return to check answers").click()

    # The change revealed a question: it is asked, then back to check answers.
    expect(page.locator("h1")).to_have_text("What kind of money worry is it?")
    page.get_by_label("What kind of money worry is it?").fill("Rent")
    page.get_by_role("button", name="Save and return to check answers").click()
    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.locator("main")).to_contain_text("Rent")


def test_journey_works_without_javascript(page_without_js: Page):
    page = page_without_js
    page.goto(START)
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("link", name="How you feel").click()
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how you have been")
    page.get_by_label("Low", exact=True).check()
    _continue(page)
    page.get_by_label("Feeling lonely").check()
    _continue(page)
    expect(page.locator(".govuk-task-list")).to_contain_text("Completed")
    page.get_by_role("link", name="Your day").click()
    page.get_by_label("How many hours do you sleep on a usual night?").fill("6")
    _continue(page)
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2024")
    _continue(page)
    page.get_by_label("What would help you most?").fill("A walk")
    _continue(page)
    page.get_by_role("link", name="Check your answers").click()
    expect(page.locator("main")).to_contain_text("Feeling lonely")
    _continue(page)

    expect(page.locator("h1")).to_have_text("Your results")
    expect(page.locator("main")).to_contain_text("3 out of 6")
    expect(page.locator("main")).to_contain_text("Some difficulties")
    page.get_by_role("button", name="Start again").click()
    expect(page.locator("h1")).to_have_text("Example self-assessment")
