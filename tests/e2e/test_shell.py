"""The page shell in a real browser: home, content pages and error pages, each checked by axe."""

from playwright.sync_api import Page, expect

from portal.factories import ContentPageFactory
from portal.models import HomePage

from .axe import assert_accessible


def test_home_page_shows_the_council_and_is_accessible(page: Page):
    page.goto("/")

    expect(page.locator(".govuk-generic-header")).to_contain_text("Seaborough Council")
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert_accessible(page)


def test_skip_link_is_the_first_thing_keyboard_users_reach(page: Page):
    page.goto("/")
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    # GOV.UK Frontend's skip link moves focus to <main> itself once its script has loaded;
    # before that (or without JavaScript) the browser follows the #main-content fragment.
    page.wait_for_function(
        "document.activeElement.id === 'main-content' || location.hash === '#main-content'",
        timeout=5_000,
    )


def test_content_page_with_every_block_is_accessible(page: Page):
    ContentPageFactory(
        parent=HomePage.objects.get(),
        title="Help for carers",
        slug="help-for-carers",
        body=[
            ("heading", {"text": "Breaks from caring", "level": "h2"}),
            ("rich_text", '<p>Read <a href="/cookies/">about cookies</a>.</p>'),
            ("inset_text", {"text": "<p>It can take up to 28 days.</p>"}),
            ("warning_text", {"text": "Call 999 if someone is in danger."}),
            ("details", {"summary": "If you care for a child", "text": "<p>Ask us.</p>"}),
            ("button_link", {"text": "Start now", "url": "/cookies/", "start": True}),
        ],
    )
    page.goto("/help-for-carers/")

    page.get_by_text("If you care for a child").click()
    expect(page.get_by_text("Ask us.")).to_be_visible()
    assert_accessible(page)


def test_footer_pages_are_accessible(page: Page):
    for name in ["Accessibility statement", "Privacy notice", "Cookies"]:
        page.goto("/")
        page.locator(".govuk-footer").get_by_role("link", name=name).click()
        expect(page.locator("h1")).to_have_text(name)
        assert_accessible(page)


def test_unknown_url_shows_the_styled_404_page(page: Page):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)


def test_forged_form_post_shows_the_csrf_page(page: Page):
    page.goto("/accounts/login/")
    page.context.clear_cookies()  # the CSRF cookie is gone, as if the form came from elsewhere
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password").fill("anything-at-all")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Sorry, your form could not be sent")
    assert_accessible(page)
