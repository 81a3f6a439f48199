"""Account journeys in a real browser: sign up, verify, sign in and out, MFA for providers."""

import re

from playwright.sync_api import Page, expect

from portal import roles
from portal.factories import TEST_PASSWORD, UserFactory

from ..portal.totp import current_code
from .axe import assert_accessible


def sign_in(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_up_verify_email_then_sign_in_and_out(page: Page, mailoutbox):
    page.goto("/accounts/signup/")
    assert_accessible(page)

    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Email").fill("new.resident@example.com")
    page.get_by_label("Create a password").fill(TEST_PASSWORD)
    page.get_by_label("Confirm your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert_accessible(page)

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    sign_in(page, "new.resident@example.com")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    page.get_by_role("link", name="Sign out").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_sign_in_errors_are_summarised_and_accessible(page: Page):
    UserFactory(email="someone@example.com")
    page.goto("/accounts/login/")
    assert_accessible(page)

    sign_in(page, "someone@example.com", "wrong password")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The email address or password you entered is not correct")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    assert_accessible(page)


def test_provider_must_set_up_mfa_before_reaching_anything(page: Page):
    UserFactory(email="provider@example.com", roles=[roles.PROVIDERS])
    sign_in(page, "provider@example.com")

    # allauth asks for the password again before adding a second factor.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert_accessible(page)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert_accessible(page)
    page.goto("/")  # trying to go elsewhere leads straight back
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))

    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("Authenticator app")
    assert_accessible(page)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/$"))


def test_sign_in_works_without_javascript(page_without_js: Page):
    UserFactory(email="nojs@example.com")
    sign_in(page_without_js, "nojs@example.com")

    expect(page_without_js.get_by_role("link", name="Sign out")).to_be_visible()
