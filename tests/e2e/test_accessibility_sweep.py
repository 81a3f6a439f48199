"""The accessibility sweep (issue 8), in Chromium, with one browser context for the module.

- Every public page (PUBLIC_PAGES): axe finds no WCAG 2.2 A/AA violation at desktop width, and
  at 320 CSS pixels wide the page reflows without scrolling sideways (WCAG 1.4.10). Each
  test's fresh database costs seconds, so one test walks the list and its failure names every
  failing page. Signed-in pages for a resident and a social care practitioner too.
- Every step of every self-care tool the council offers, from the start page to the result,
  with axe on each page (question, error state, task list, check answers, interruptions).
- Journeys completed with the keyboard alone (Tab, Space, Enter; no clicks): directory search
  to "My list", a wellbeing check (GAD-7) to its result, and the data-sharing choice to its
  confirmation. Every element focused on the way must show the GOV.UK focus style, and the
  skip link must move focus to the main content.

The accessibility statement (/accessibility/) says this is how the site is tested: keep both in
step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from consent.models import Purpose
from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
)
from directory.models import Review, TaxonomyTerm
from portal import roles
from portal.factories import UserFactory
from selfcare import catalogue, engine

from ..consent.test_register import nhs_number
from ..directory.review_helpers import make_review
from ..selfcare.test_staff_queue import make_submission
from .axe import assert_accessible, axe_violations, format_violations
from .conftest import BrowserErrors
from .signin import give_authenticator, sign_in

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS px, as at 400% zoom of 1280

# --------------------------------------------------------------------------------------------
# One browser context for the whole module; a fresh tab for each test.


@pytest.fixture(scope="module")
def sweep_context(browser, live_server) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def tab(sweep_context: BrowserContext, django_db_serialized_rollback) -> Page:
    """A tab in the shared context, signed out, at desktop width. Fails the test on a JS error
    or a CSP violation, as the `page` fixture does."""
    sweep_context.clear_cookies()
    page = sweep_context.new_page()
    page.set_viewport_size(DESKTOP)
    errors = BrowserErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    yield page
    page.close()
    assert not errors.messages, "Browser errors:\n" + "\n".join(errors.messages)


# --------------------------------------------------------------------------------------------
# Checks


_OVERFLOW_SCRIPT = """() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  const offenders = [];
  const clippedByAncestor = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    // A word too long to wrap (an email address, a link) spills out of a box that fits.
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const right = hasText ? Math.max(box.right, box.left + el.scrollWidth) : box.right;
    if (box.width === 0 || box.height === 0 || right <= limit + 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    // Visually hidden text (GOV.UK's govuk-visually-hidden) is clipped to 1px: not content.
    if (style.clipPath !== 'none' || style.clip !== 'auto') continue;
    // Content of a box that scrolls (or clips) sideways does not widen the page: name the box.
    if (clippedByAncestor(el)) continue;
    offenders.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
      `${el.className && typeof el.className === 'string' ? '.' +
        el.className.trim().split(/\\s+/).join('.') : ''} (right edge ${Math.round(right)})`);
    if (offenders.length >= 5) break;
  }
  return {scroll: root.scrollWidth, client: limit, bodyScroll: document.body.scrollWidth,
          offenders};
}"""


def assert_reflows(page: Page) -> None:
    """At 320 CSS px wide the page must not scroll sideways: nothing wider than the viewport."""
    page.set_viewport_size(NARROW)
    try:
        page.wait_for_function("document.documentElement.clientWidth <= 320")
        found = page.evaluate(_OVERFLOW_SCRIPT)
    finally:
        page.set_viewport_size(DESKTOP)
    widest = max(found["scroll"], found["bodyScroll"])
    assert widest <= found["client"], (
        f"{page.url} scrolls sideways at 320px: content {widest}px wide in a "
        f"{found['client']}px viewport; widest: {', '.join(found['offenders']) or '?'}"
    )


# --------------------------------------------------------------------------------------------
# Public pages. Paths may name demo objects ({service}...) that the `public_data` fixture makes.

PUBLIC_PAGES: list[tuple[str, str]] = [
    ("home", "/"),
    ("about content page", "/{content}"),
    ("directory search", "/services/"),
    ("search results", "/services/?q=carers"),
    ("search results near a postcode", "/services/?q=carers&postcode=SS2+6ER&distance=5"),
    ("search with no results", "/services/?q=zzyzx+quux"),
    ("search with errors", "/services/?postcode=nonsense&age=old"),
    ("search page 2", "/services/?q=group&page=2"),
    ("category page", "/services/category/carers-support/"),
    ("organisation page", "{organisation}"),
    ("service page with reviews", "{service}"),
    ("write a review (signed out)", "{service}review/"),
    ("report a review", "{service}reviews/{review_id}/report/"),
    ("report a problem with a listing", "{service}report-a-problem/"),
    ("shortlist, empty", "/services/shortlist/"),
    ("shortlist email form", "/services/shortlist/email/"),
    ("self-care index", "/self-care/"),
    ("self-care saved results (signed out)", "/self-care/saved-results/"),
    *[
        (f"self-care start: {slug}", f"/self-care/{slug}/")
        for slug in sorted(
            slug for slug, d in engine.builtin_definitions().items() if not d.licence_required
        )
    ],
    ("data-sharing notice", "/data-sharing/"),
    ("data-sharing notice version 1", "/data-sharing/notice/v/1/"),
    ("data-sharing notice changes", "/data-sharing/notice/changes/"),
    ("data-sharing choice: who", "/data-sharing/choose/"),
    ("data-sharing your choices (signed out)", "/data-sharing/your-choices/"),
    ("accessibility statement", "/accessibility/"),
    ("privacy notice", "/privacy/"),
    ("cookies", "/cookies/"),
    ("sign in", "/accounts/login/"),
    ("sign up", "/accounts/signup/"),
    ("reset password", "/accounts/password/reset/"),
    ("provider registration (signed out)", "/providers/register/"),
    ("listing still correct (bad link)", "/providers/still-correct/not-a-token/"),
    ("page not found", "/no-such-page/"),
]


# Pages that answer with an error status on purpose (and a styled page, checked like the rest).
ERROR_PAGES = {"page not found": 404, "listing still correct (bad link)": 400}


@dataclass
class PublicData:
    organisation: str
    service: str
    review_id: int
    content: str = "about/"


@pytest.fixture
def public_data() -> PublicData:
    from portal.factories import ContentPageFactory
    from portal.models import HomePage

    ContentPageFactory(
        parent=HomePage.objects.get(),
        title="About this service",
        slug="about",
        summary="Who runs this website.",
        body=[
            ("heading", {"text": "Who can use it", "level": "h2"}),
            ("rich_text", "<p>Anyone can search for services.</p>"),
            ("details", {"summary": "Do I need an account?", "text": "<p>No.</p>"}),
            ("contact_details", None),
        ],
        show_in_menus=True,
    )
    carers = TaxonomyTerm.objects.get(slug="carers-support")
    organisation = OrganisationPageFactory(
        title="Seaborough Carers Trust", phone="01702 111111", email="hello@carers.example"
    )
    service = ServicePageFactory(
        parent=organisation,
        title="Carers’ café",
        summary="A friendly monthly café for unpaid carers.",
        description="Meet other carers over a cup of tea.",
        terms=[carers],
        website="https://carers.example/a-rather-long-address/that-might-not-wrap/on-a-phone",
    )
    ServiceAtLocationFactory(
        service=service,
        location=LocationFactory(
            organisation=organisation, latitude=51.554, longitude=0.719, postal_code="SS2 6ER"
        ),
    )
    RegularScheduleFactory(service=service, weekday=1)
    # Enough services for a second page of results.
    for n in range(12):
        ServicePageFactory(parent=organisation, title=f"Walking group {n + 1}", terms=[carers])
    review = make_review(
        service,
        author=UserFactory(roles=[roles.RESIDENTS]),
        status=Review.PUBLISHED,
        text="Friendly and helpful, with a quiet room.",
    )
    from search.models import Postcode, PostcodeDistrict

    Postcode.objects.create(postcode="SS2 6ER", outward="SS2", latitude=51.553, longitude=0.718)
    PostcodeDistrict.objects.create(outward="SS2", latitude=51.552, longitude=0.720)
    return PublicData(organisation=organisation.url, service=service.url, review_id=review.pk)


def test_public_pages_pass_axe_and_reflow_at_320px(tab: Page, public_data: PublicData):
    """Each page answers (200, or its ERROR_PAGES status), then axe and the reflow check.
    One test walks them all, as each test's fresh database costs seconds; every page is
    checked before it fails, and the failure names each page and what is wrong with it."""
    problems = _check_pages(
        tab, [(name, path.format(**vars(public_data))) for name, path in PUBLIC_PAGES]
    )
    assert not problems, f"{len(problems)} of {len(PUBLIC_PAGES)} pages:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------------
# Signed-in pages, one test per role (signing in with a second factor is slow); every page is
# checked before the test fails, and the failure names each page.


def _check_pages(page: Page, pages: list[tuple[str, str]]) -> list[str]:
    """Open each page, run axe and the reflow check; what is wrong, naming each page."""
    problems = []
    for name, path in pages:
        response = page.goto(path)
        status = response.status if response else None
        if status != ERROR_PAGES.get(name, 200):
            problems.append(f"{name} ({path}): HTTP {status}")
            continue
        violations = axe_violations(page)
        if violations:
            problems.append(f"{name} ({path}): axe\n{format_violations(violations)}")
        try:
            assert_reflows(page)
        except AssertionError as error:
            problems.append(f"{name} ({path}): {error}")
    return problems


def test_resident_pages_pass_axe_and_reflow(tab: Page):
    from selfcare.models import SavedResult

    resident = UserFactory(email="resident@example.com", roles=[roles.RESIDENTS])
    # Pages that list a resident's things are swept with things in them, not only empty.
    for slug, title, scores in [
        (
            "gad-7",
            "Anxiety check (GAD-7)",
            [{"label": "Your score", "score": 12, "maximum": 21, "band": "Moderate anxiety"}],
        ),
        (
            "audit-c",
            "Alcohol check (AUDIT-C)",
            [
                {"label": "Your score", "score": 4, "maximum": 12, "band": "Lower risk"},
                {"label": "Units a week", "score": 14, "maximum": None, "band": ""},
            ],
        ),
    ]:
        SavedResult.objects.create(
            user=resident,
            definition_slug=slug,
            definition_title=title,
            definition_version=1,
            scoring_version=1,
            scores=scores,
        )
    sign_in(tab, resident)
    expect(tab.get_by_role("link", name="Sign out")).to_be_visible()
    tab.goto("/self-care/saved-results/")
    expect(tab.get_by_role("table")).to_contain_text("Moderate anxiety")
    problems = _check_pages(
        tab,
        [
            ("home, signed in", "/"),
            ("email addresses", "/accounts/email/"),
            ("change password", "/accounts/password/change/"),
            ("two-step verification", "/accounts/2fa/"),
            ("set up an authenticator app", "/accounts/2fa/totp/activate/"),
            ("your data-sharing choices", "/data-sharing/your-choices/"),
            ("saved self-care results (two saved)", "/self-care/saved-results/"),
            ("saved self-care results, after deleting", "/self-care/saved-results/?deleted=1"),
            ("provider dashboard", "/providers/"),
            ("join an organisation", "/providers/join/"),
            ("register an organisation", "/providers/register/"),
            ("sign out", "/accounts/logout/"),
        ],
    )
    assert not problems, "\n".join(problems)


def test_verified_resident_choices_with_history_pass_axe_and_reflow(tab: Page):
    """A resident whose NHS number is linked sees their choices and a seven-column history;
    swept with several choices recorded, by staff and online, not only empty."""
    from consent.identity import identity_link_account
    from consent.register import choice_record

    patient = nhs_number(401023456)
    resident = UserFactory(email="verified@example.com", roles=[roles.RESIDENTS])
    officer = UserFactory(email="ig-officer@council.example", roles=[roles.IG_OFFICERS])
    identity_link_account(
        user=resident, nhs_number=patient, method="known-to-staff", verified_by=officer
    )
    risk = Purpose.objects.get(code="risk-stratification-commissioning")
    social_care = Purpose.objects.filter(legal_basis=Purpose.CONSENT).first()
    for purpose, decision, channel in [
        (risk, "object", "post"),
        (social_care, "consent", "phone"),
        (risk, "withdraw-objection", "post"),
    ]:
        choice_record(nhs_number=patient, purpose=purpose, decision=decision, channel=channel)
    sign_in(tab, resident)
    expect(tab.get_by_role("link", name="Sign out")).to_be_visible()
    tab.goto("/data-sharing/your-choices/")
    expect(tab.get_by_role("table").last).to_contain_text("Withdraw objection")
    problems = _check_pages(
        tab,
        [
            ("your data-sharing choices, with history", "/data-sharing/your-choices/"),
            ("change a choice", f"/data-sharing/your-choices/{risk.code}/"),
            ("change a consent choice", f"/data-sharing/your-choices/{social_care.code}/"),
        ],
    )
    assert not problems, "\n".join(problems)


def test_practitioner_pages_pass_axe_and_reflow(tab: Page):
    submission = make_submission(days_ago=1, urgent=True)
    practitioner = UserFactory(email="sam@council.example", roles=[roles.PRACTITIONERS])
    sign_in(tab, practitioner, secret=give_authenticator(practitioner))
    case = f"/manage/self-care/{submission.reference}/"
    problems = _check_pages(
        tab,
        [
            ("self-assessment queue", "/manage/self-care/"),
            ("a case", case),
            ("a case's printable summary", case + "print/"),
            ("two-step verification", "/accounts/2fa/"),
        ],
    )
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------
# Every step of every self-care tool, start page to result, with axe on each page.


def _fill_visible_fields(page: Page, definition: engine.Definition) -> None:
    """Answer what the page asks: the first option of each radio and checkbox group, and a
    valid value in each empty text box (a field a radio reveals is answered after it)."""
    form = page.locator("main form").filter(has=page.get_by_role("button", name="Continue"))
    if not form.count():
        form = page.locator("main form").last
    for kind in ("radio", "checkbox"):
        names = form.evaluate(
            f"f => [...new Set([...f.querySelectorAll('input[type={kind}]')].map(e => e.name))]"
        )
        for name in names:
            group = form.locator(f'input[type={kind}][name="{name}"]')
            if not any(group.nth(i).is_checked() for i in range(group.count())):
                group.first.check()
    for box in form.locator(
        "input[type=text]:visible, input[type=email]:visible, input[type=tel]:visible, "
        "input[type=number]:visible, textarea:visible"
    ).all():
        if box.input_value():
            continue
        name = (box.get_attribute("name") or "").lower()
        kind = box.get_attribute("type") or ""
        question = definition.questions.get(box.get_attribute("name") or "")
        if name.endswith("day"):
            value = "3"
        elif name.endswith("month"):
            value = "2"
        elif name.endswith("year"):
            value = "1990"
        elif kind == "email" or "email" in name:
            value = "sam@example.com"
        elif kind == "tel" or "phone" in name:
            value = "07700 900123"
        elif question is not None and question.type == "number":
            value = str(question.minimum if question.minimum is not None else 1)
        else:
            value = "Some help with shopping"
        box.fill(value)


_NEXT = re.compile(r"^(Continue|Accept and send)$")
_STEP = re.compile(r"/self-care/[^/]+/(?P<step>tasks|q|check|important|result|summary)/")


def _walk_tool(page: Page, slug: str) -> list[str]:
    """From the start page to the end, axe on every page; returns the steps visited."""
    definition = catalogue.offered_get(slug).definition
    page.goto(f"/self-care/{slug}/")
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    visited: list[str] = []
    shown_error = False
    for _ in range(200):
        match = _STEP.search(page.url)
        assert match, f"{slug}: unexpected page {page.url}"
        step = match["step"]
        visited.append(page.url)
        assert_accessible(page)
        if step in ("result", "summary"):
            return visited
        if step == "tasks":
            to_do = page.locator(".govuk-task-list__item").filter(
                has_not=page.locator(".govuk-task-list__status", has_text="Completed")
            )
            links = to_do.locator("a.govuk-task-list__link")
            if links.count():
                links.first.click()
            else:
                page.get_by_role("link", name="Check your answers").click()
            continue
        if step == "q":
            if not shown_error:  # the error state of the first question, once per tool
                shown_error = True
                page.get_by_role("button", name="Continue").click()
                if page.locator(".govuk-error-summary").count():
                    assert page.title().startswith("Error: ")
                    assert_accessible(page)
            _fill_visible_fields(page, definition)
        before = page.url
        page.locator("main").get_by_role("button", name=_NEXT).first.click()
        page.wait_for_load_state("load")
        errors = page.locator(".govuk-error-summary")
        assert not (page.url == before and errors.count()), (
            f"{slug}: {before} refused the answers: {errors.inner_text()}"
        )
    raise AssertionError(f"{slug}: no result after 200 pages")


# Every tool shipped with the portal and offered without a licence (council-written definitions
# run through the same views and templates: tests/e2e/test_selfcare_council_definitions.py).
SHIPPED_TOOLS = sorted(
    slug for slug, d in engine.builtin_definitions().items() if not d.licence_required
)


@pytest.mark.parametrize("slug", SHIPPED_TOOLS)
def test_every_step_of_a_self_care_tool_passes_axe(tab: Page, slug: str):
    definition = catalogue.offered_get(slug).definition
    visited = _walk_tool(tab, slug)
    # Each page the tool asks (given these answers) was visited and checked.
    question_pages = {url.split("/q/")[1].strip("/") for url in visited if "/q/" in url}
    assert question_pages, visited
    assert question_pages <= {p.id for s in definition.sections for p in s.pages}
    expect(tab.locator("h1")).to_be_visible()


# --------------------------------------------------------------------------------------------
# Keyboard only.

GOVUK_FOCUS = "rgb(255, 221, 0)"

_FOCUS_SCRIPT = """(yellow) => {
  const el = document.activeElement;
  if (!el || el === document.body) return {ok: false, what: 'nothing focused'};
  const what = el.outerHTML.slice(0, 120);
  const s = getComputedStyle(el);
  if (s.boxShadow.includes(yellow) || s.backgroundColor === yellow) return {ok: true, what};
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 &&
      s.outlineColor === yellow) return {ok: true, what};
  if (el.matches('.govuk-radios__input, .govuk-checkboxes__input') && el.labels.length) {
    const before = getComputedStyle(el.labels[0], '::before');
    if (before.boxShadow.includes(yellow)) return {ok: true, what};
  }
  if (el.id === 'main-content') return {ok: true, what};  // the skip link's target
  return {ok: false, what};
}"""


def assert_focus_visible(page: Page) -> str:
    """The focused element shows GOV.UK's yellow focus indicator; returns its markup."""
    found = page.evaluate(_FOCUS_SCRIPT, GOVUK_FOCUS)
    assert found["ok"], f"No visible focus indicator on {page.url}: {found['what']}"
    return found["what"]


_FOCUSED_SCRIPT = """([css, text]) => {
  const el = document.activeElement;
  return el.matches(css) && (text === null || el.textContent.trim().startsWith(text));
}"""


def tab_to(page: Page, selector: str, *, text: str | None = None, limit: int = 80) -> None:
    """Press Tab until the focused element matches the CSS `selector` (and its text starts
    with `text`: a button may add words for screen readers only);
    every element focused on the way must show the focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement !== document.body"):
            assert_focus_visible(page)
        if page.evaluate(_FOCUSED_SCRIPT, [selector, text]):
            return
    raise AssertionError(f"Tab never reached {selector} {text or ''} on {page.url}")


def use_skip_link(page: Page) -> None:
    """The first Tab reaches the skip link; Enter moves focus to the main content."""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'main-content'")


def _continue_by_keyboard(page: Page, name: str = "Continue") -> None:
    tab_to(page, "main button[type=submit]", text=name)
    before = page.url
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url != before)


def test_directory_search_to_my_list_by_keyboard(tab: Page, public_data: PublicData):
    page = tab
    page.goto("/services/")
    use_skip_link(page)

    tab_to(page, "input[name=q]")
    page.keyboard.type("café")
    page.keyboard.press("Escape")  # close any suggestions the autocomplete offers
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("found")

    tab_to(page, f'main a[href="{public_data.service}"]')
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Carers’ café")

    use_skip_link(page)
    tab_to(page, "main button", text="Add to my list")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Carers’ café has been added to your list"
    )
    tab_to(page, "a[href$='/shortlist/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("My list")
    expect(page.locator(".govuk-summary-card")).to_have_count(1)


def test_gad7_wellbeing_check_to_its_result_by_keyboard(tab: Page):
    page = tab
    definition = engine.definition_get("gad-7")
    page.goto("/self-care/gad-7/")
    use_skip_link(page)
    tab_to(page, "main :is(a, button)", text="Start now")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/q/"))

    for _ in range(len(definition.questions)):
        if "/q/" not in page.url:
            break
        groups = page.evaluate(
            "[...new Set([...document.querySelectorAll('main input[type=radio]')]"
            ".map(e => e.name))]"
        )
        for name in groups:
            # Tab enters the radio group on its first option; the arrow key moves to (and
            # selects) the next one, as a screen reader user would choose.
            tab_to(page, f'input[type=radio][name="{name}"]')
            page.keyboard.press("ArrowDown")
            assert_focus_visible(page)
            expect(page.locator(f'input[name="{name}"]:checked')).to_have_count(1)
        _continue_by_keyboard(page)

    expect(page.locator("h1")).to_have_text("Check your answers")
    _continue_by_keyboard(page)
    expect(page).to_have_url(re.compile("/self-care/gad-7/result/$"))
    expect(page.locator("main")).to_contain_text(re.compile(r"out of 21"))


def test_data_sharing_choice_by_keyboard(tab: Page):
    page = tab
    questions = [
        p
        for p in Purpose.objects.filter(is_active=True)
        if p.objection_honoured or p.legal_basis == Purpose.CONSENT
    ]
    page.goto("/data-sharing/")
    use_skip_link(page)
    tab_to(page, "main :is(a, button)", text="Make your choice")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Who are you making a choice for?")

    tab_to(page, "input[type=radio]")  # "Myself" is the first option
    page.keyboard.press("Space")
    _continue_by_keyboard(page)

    for label, text in [
        ("NHS number", nhs_number(401023456)),
        ("full name", "Alex Patient"),
        ("Day", "4"),
        ("Month", "7"),
        ("Year", "1980"),
        ("postcode", "SE1 7PH"),
    ]:
        field_id = page.get_by_label(label).first.get_attribute("id")
        tab_to(page, f"#{field_id}")
        page.keyboard.type(text)
    page.keyboard.press("Enter")  # submits the form from its last field

    for purpose in questions:
        expect(page.locator("h1")).to_have_text(purpose.name)
        tab_to(page, "input[type=radio]")
        page.keyboard.press("Space")
        _continue_by_keyboard(page)

    expect(page.locator("h1")).to_have_text("Check your answers before sending your choices")
    _continue_by_keyboard(page, "Send my choices")
    expect(page.locator(".govuk-panel__title")).to_have_text("Choices recorded")
