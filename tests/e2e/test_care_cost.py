"""The care-cost estimator in a real browser (issue 6): every page checked with axe, an error
state, the working shown on the result, and a pass with JavaScript switched off."""

from playwright.sync_api import Page, expect

from .axe import assert_accessible

START = "/self-care/care-cost/"


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _heading(page: Page, text: str) -> None:
    expect(page.locator("h1")).to_have_text(text)


def _answer_everything(page: Page, *, check=lambda page: None) -> None:
    """From the first question to the result, calling `check` on every page."""
    _heading(page, "Where do you get, or expect to get, care?")
    check(page)
    page.get_by_label("At home", exact=True).check()
    _continue(page)
    _heading(page, "How old are you?")
    check(page)
    page.get_by_label("State Pension age or over").check()
    _continue(page)
    _heading(page, "Do you get Carer's Allowance for looking after someone?")
    check(page)
    page.get_by_label("No", exact=True).check()
    _continue(page)
    _heading(page, "Do you own the home you live in?")
    check(page)
    page.get_by_label("Yes", exact=True).check()
    _continue(page)
    _heading(page, "How much do you have in savings and other capital?")
    check(page)
    page.get_by_label("How much do you have in savings and other capital?").fill("15000")
    _continue(page)
    _heading(page, "How much do you get each week from pensions and benefits?")
    check(page)
    page.get_by_label("How much do you get each week from pensions and benefits?").fill("300")
    _continue(page)
    _heading(page, "Do you get a disability benefit for care needs?")
    check(page)
    page.get_by_label("No", exact=True).check()
    _continue(page)
    _heading(
        page,
        "How much do you spend each week because of your disability or condition? (optional)",
    )
    check(page)
    page.get_by_label("How much do you spend each week because of your disability").fill("20")
    _continue(page)
    _heading(page, "How much does your care cost each week? (optional)")
    check(page)
    _continue(page)  # optional: left blank
    _heading(page, "Check your answers")
    check(page)
    _continue(page)


def _result_shown(page: Page) -> None:
    _heading(page, "Your results")
    main = page.locator("main")
    expect(main).to_contain_text("Your estimate")
    # 300 + tariff 3 - minimum income guarantee 232.60 - disability costs 20 = 50.40
    expect(main).to_contain_text("About £50.40 a week")
    expect(main).to_contain_text("This is an estimate. The council decides what you pay.")
    expect(main).to_contain_text("You may get help with the cost of your care.")
    working = page.locator(".portal-care-cost-working")
    for text in (
        "Savings and other capital",
        "£15,000.00",
        "Tariff income from capital",
        "£3.00",
        "Income counted",
        "£303.00",
        "Minimum income guarantee",
        "£232.60",
        "Disability-related expenditure",
        "Assessable income",
        "£50.40",
    ):
        expect(working).to_contain_text(text)
    expect(main).to_contain_text("not counted, because you get care at home")
    expect(main).to_contain_text("financial assessment")


def test_care_cost_estimate_with_the_working_shown(page: Page):
    page.goto(START)
    _heading(page, "What might I pay towards my care?")
    expect(page.locator("main")).to_contain_text("Nothing you enter is stored")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    # An error state first: a number that is not a number.
    _heading(page, "Where do you get, or expect to get, care?")
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select where you get, or expect to get, care"
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    _answer_everything(page, check=assert_accessible)
    _result_shown(page)
    assert_accessible(page)


def test_savings_that_are_not_a_number_show_an_error(page: Page):
    page.goto(START + "q/capital/")
    page.get_by_label("How much do you have in savings and other capital?").fill("lots")
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Savings and other capital must be a number"
    )
    assert page.title().startswith("Error: ")
    assert_accessible(page)


def test_care_cost_estimator_without_javascript(page_without_js: Page):
    page = page_without_js
    page.goto(START)
    page.get_by_role("button", name="Start now").click()
    _answer_everything(page)
    _result_shown(page)
