"""Signing people in during browser tests, second factor included."""

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from portal.factories import TEST_PASSWORD

from ..portal.totp import current_code


def give_authenticator(user) -> str:
    """Activate an authenticator app for `user`, as they would when first signing in; returns
    its secret, from which `current_code` gives the code the app would show."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in(page: Page, user, *, password: str = TEST_PASSWORD, secret: str | None = None) -> None:
    """Sign in at /accounts/login/; with `secret`, answer the authenticator step too."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if secret is not None:
        page.get_by_label("Code", exact=True).fill(current_code(secret))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("link", name="Sign out")).to_be_visible()
