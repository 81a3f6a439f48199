"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls from test code
# (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).parent

# Assertions wait for pages to settle. Five seconds (Playwright's default) is short on a busy
# two-core CI machine, where sign-in with a second factor can take longer.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


_playwright = None
_browser: Browser | None = None


def pytest_collection_finish(session):
    """Start Chromium before any test runs when browser tests are selected.

    Playwright's sync API changes the context Django keys its database connections by. Started
    before the test database is created, every test (browser or not) sees the one connection
    that holds the data transactional tests restore from.
    """
    global _playwright, _browser
    if not any(item.get_closest_marker("e2e") for item in session.items):
        return
    if not Path(CHROMIUM).exists():
        raise pytest.UsageError(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium package."
        )
    _playwright = sync_playwright().start()
    _browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )


def pytest_sessionfinish(session, exitstatus):
    if _browser is not None:
        _browser.close()
    if _playwright is not None:
        _playwright.stop()


@pytest.fixture(scope="session")
def browser() -> Browser:
    assert _browser is not None, "Chromium is started when browser tests are collected"
    return _browser


class BrowserErrors:
    """JavaScript errors and CSP violations seen while a test ran."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.messages.append(message.text)

    def on_page_error(self, error) -> None:
        self.messages.append(str(error))


def _new_page(browser: Browser, live_server, java_script_enabled: bool):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=java_script_enabled)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = BrowserErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    return context, page, errors


@pytest.fixture
def page(browser, live_server, django_db_serialized_rollback) -> Page:
    """A fresh browser tab on the live server. Fails the test on a JS error or CSP violation."""
    context, page, errors = _new_page(browser, live_server, java_script_enabled=True)
    yield page
    context.close()
    assert not errors.messages, "Browser errors:\n" + "\n".join(errors.messages)


@pytest.fixture
def page_without_js(browser, live_server, django_db_serialized_rollback) -> Page:
    """A tab with JavaScript switched off: every journey must still work."""
    context, page, _ = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()
