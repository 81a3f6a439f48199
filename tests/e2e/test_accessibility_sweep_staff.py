"""The accessibility sweep (issue 8) for the signed-in staff and provider pages: each page a
provider, a moderator, an IG officer and a social care practitioner uses, signed in with an
authenticator app as they must be. axe finds no WCAG 2.2 A/AA violation at desktop width, and at
320 CSS pixels wide the page reflows without scrolling sideways (WCAG 1.4.10), with the checks
and the shared browser context of test_accessibility_sweep.py.

One test per role (signing in with a second factor and each test's fresh database cost seconds);
every page is checked before the test fails, and the failure names each page and what is wrong.
Pages reached by a form (an NHS number is only ever POSTed, never put in an address; an upload;
an error state) are checked where the form leaves the browser.

Out of scope: the Wagtail admin's own pages (/admin/), where providers edit listings; it is
Wagtail's interface, and the accessibility statement says it has not been tested to the same
standard. The portal's own listing moderation views, which live in the admin's frame
(/admin/listing-changes/), are checked. The access log export is a CSV file, not a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import Page, expect
from wagtail.models import TaskState

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.freshness import months_before, stale_listings_remind, still_correct_path
from directory.models import (
    FreshnessReminder,
    ListingFeedback,
    OrganisationInvitation,
    OrganisationRequest,
    Review,
    ReviewReport,
    ServicePage,
)
from directory.providers import invitation_token, membership_add
from portal import roles
from portal.factories import UserFactory

from ..directory.review_helpers import make_reply, make_review
from ..selfcare.test_staff_queue import make_submission
from . import test_accessibility_sweep
from .axe import axe_violations, format_violations
from .signin import give_authenticator, sign_in
from .test_accessibility_sweep import assert_reflows

# The sweep's fixtures: one browser context for the module, a fresh signed-out tab per test.
sweep_context = test_accessibility_sweep.sweep_context
tab = test_accessibility_sweep.tab

# Long names, as real ones are: they must wrap rather than push a table off a phone's screen.
LONG_ORGANISATION = (
    "Southend, Rochford and Castle Point Association for the Welfare of Older People"
)
LONG_SERVICE = "Befriending telephone calls for older people living alone (Monday to Friday)"


@dataclass
class Sweep:
    """Runs axe and the 320 px reflow check on pages and collects what is wrong with each."""

    page: Page
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    checked_urls: list[str] = field(default_factory=list)

    def visit(
        self, name: str, path: str, *, status: int = 200, lands_on: str | None = None
    ) -> None:
        """Open `path` and check it; it must answer `status` there (or at `lands_on`), not,
        say, on the sign-in page it redirected to."""
        response = self.page.goto(path)
        got = response.status if response else None
        landed = urlsplit(self.page.url).path
        if got != status or landed != (lands_on or urlsplit(path).path):
            self.problems.append(f"{name} ({path}): HTTP {got} at {landed}")
            return
        self.here(name)

    def here(self, name: str) -> None:
        """Check the page the browser shows now (reached by a form, say)."""
        where = f"{name} ({self.page.url})"
        self.checked.append(name)
        self.checked_urls.append(self.page.url)
        violations = axe_violations(self.page)
        if violations:
            self.problems.append(f"{where}: axe\n{format_violations(violations)}")
        try:
            assert_reflows(self.page)
        except AssertionError as error:
            self.problems.append(f"{where}: {error}")

    def assert_clean(self) -> None:
        assert not self.problems, (
            f"{len(self.problems)} problems on {len(self.checked)} pages:\n"
            + "\n".join(self.problems)
        )


# --------------------------------------------------------------------------------------------
# Providers


def test_provider_pages_pass_axe_and_reflow(tab: Page):
    carers = OrganisationPageFactory(title="Seaborough Carers Trust")
    older = OrganisationPageFactory(title=LONG_ORGANISATION)
    cafe = ServicePageFactory(parent=carers, title="Carers’ café")
    calls = ServicePageFactory(parent=older, title=LONG_SERVICE)
    # A change waiting for a moderator, and one saved but not sent, as the dashboard shows them.
    waiting = ServicePageFactory(parent=carers, title="Memory café")
    waiting = ServicePage.objects.get(pk=waiting.pk)
    waiting.summary = "Now on Tuesdays."
    waiting.save_revision(user=None)
    waiting.get_workflow().start(waiting, None)
    unsent = ServicePage.objects.get(pk=ServicePageFactory(parent=older, title="Lunch club").pk)
    unsent.summary = "Moved to the church hall."
    unsent.save_revision(user=None)
    ServicePage.objects.filter(pk=calls.pk).update(
        assured_date=months_before(timezone.localdate(), 7)
    )

    provider = UserFactory(email="pat@carers.example", first_name="Pat", last_name="Provider")
    membership_add(organisation=carers, user=provider, is_admin=True)
    membership_add(organisation=older, user=provider, is_admin=True)
    colleague = UserFactory(email="a.long.address.for.a.colleague@older-people.example")
    colleague_membership = membership_add(organisation=older, user=colleague)
    OrganisationInvitation.objects.create(
        organisation=older,
        email="new.volunteer.coordinator@older-people.example",
        invited_by=provider,
    )
    invited = OrganisationInvitation.objects.create(
        organisation=OrganisationPageFactory(title="Seaborough Youth Club"),
        email=provider.email,
        invited_by=UserFactory(),
    )

    ListingFeedback.objects.create(
        service=calls,
        reason=ListingFeedback.WRONG_CONTACT,
        details="The phone number on the listing rings out; the website gives 01702 222222.",
        email="a.resident.with.a.long.address@example.com",
    )
    ListingFeedback.objects.create(
        service=cafe, reason=ListingFeedback.CLOSED, status=ListingFeedback.ACTIONED
    )
    feedback = ListingFeedback.objects.get(service=calls)
    to_reply = make_review(cafe, status=Review.PUBLISHED, text="Friendly and helpful.")
    answered = make_review(calls, status=Review.PUBLISHED, text="A call every week.")
    make_reply(answered, author=provider, text="Thank you for telling us.")

    stale_listings_remind()
    reminder = FreshnessReminder.objects.filter(kind=FreshnessReminder.REMINDER).first()
    assert reminder is not None, "the stale listing should have had a reminder"

    sign_in(tab, provider, secret=give_authenticator(provider))
    sweep = Sweep(tab)
    sweep.visit("dashboard: organisations, services and freshness", "/providers/")
    sweep.visit("members and invitations", f"/providers/organisations/{older.pk}/members/")
    sweep.visit(
        "remove a member",
        f"/providers/organisations/{older.pk}/members/{colleague_membership.pk}/remove/",
    )
    sweep.visit("join an organisation: results", "/providers/join/?q=seaborough")
    sweep.visit("an invitation", f"/providers/invitations/{invitation_token(invitation=invited)}/")
    sweep.visit("problems reported", "/providers/feedback/")
    sweep.visit("problems reported: actioned", "/providers/feedback/?status=actioned")
    sweep.visit("a problem report", f"/providers/feedback/{feedback.pk}/")
    sweep.visit("reviews of your services", "/providers/reviews/")
    sweep.visit("reply to a review", f"/providers/reviews/{to_reply.pk}/reply/")
    tab.get_by_role("button", name="Send reply").click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    sweep.here("reply to a review: error")

    # Freshness: the emailed link, the question, and the thanks.
    sweep.visit(
        "is this listing still correct?",
        still_correct_path(reminder=reminder),
        lands_on="/providers/still-correct/",  # the token leaves the address bar at once
    )
    tab.get_by_role("button", name="Yes, it is still correct").click()
    expect(tab.locator("h1")).to_have_text("Thank you for confirming your listing")
    sweep.here("listing confirmed")
    tab.goto("/providers/")
    tab.get_by_role("button", name=re.compile(r"^Confirm still correct\W+Carers’ café$")).click()
    expect(tab.locator(".govuk-notification-banner")).to_be_visible()
    sweep.here("dashboard after confirming a listing")
    sweep.assert_clean()


# --------------------------------------------------------------------------------------------
# Moderators: reviews, replies, reports, listing feedback, organisation requests, and the
# shortlist email a signposting member of staff sends (with a message).


def test_moderator_pages_pass_axe_and_reflow(tab: Page):
    organisation = OrganisationPageFactory(title=LONG_ORGANISATION)
    calls = ServicePageFactory(parent=organisation, title=LONG_SERVICE)
    cafe = ServicePageFactory(title="Carers’ café")
    provider = UserFactory(email="pat@older-people.example")
    membership_add(organisation=organisation, user=provider)

    pending = make_review(
        calls,
        status=Review.PENDING,
        text="The volunteer who rings my mother every Tuesday is kind and patient. " * 4,
    )
    reported = make_review(cafe, status=Review.PUBLISHED, text="Too noisy for me")
    ReviewReport.objects.create(
        review=reported, reason=Review.OFFENSIVE, details="Unkind about the staff"
    )
    Review.objects.filter(pk=reported.pk).update(status=Review.HELD)
    reply = make_reply(
        make_review(calls, status=Review.PUBLISHED, text="Reliable."),
        author=provider,
        text="Thank you, we will pass this on to our volunteers.",
    )
    feedback = ListingFeedback.objects.create(
        service=calls,
        reason=ListingFeedback.OUT_OF_DATE,
        details="The service now runs at weekends too.",
        email="a.resident.with.a.long.address@example.com",
    )
    joiner = UserFactory(email="a.new.volunteer.coordinator@older-people.example")
    join = OrganisationRequest.objects.create(
        user=joiner,
        kind=OrganisationRequest.JOIN,
        organisation=organisation,
        job_title="Volunteer coordinator",
        message="Our manager can confirm who I am.",
    )
    register = OrganisationRequest.objects.create(
        user=UserFactory(email="chair@seaborough-allotments.example"),
        kind=OrganisationRequest.REGISTER,
        name="Seaborough Allotment Society",
        description="Allotments and a weekly gardening club for all ages.",
        website="https://seaborough-allotments.example/about-us/our-gardening-club-for-all-ages",
        email="chair@seaborough-allotments.example",
        phone="01702 333333",
        job_title="Chair",
    )

    # A provider's change to a listing, waiting for a moderator.
    changed = ServicePage.objects.get(pk=calls.pk)
    changed.summary = "Now at weekends too."
    changed.save_revision(user=provider)
    changed.get_workflow().start(changed, provider)
    change = TaskState.objects.get(
        workflow_state__object_id=str(calls.pk), status=TaskState.STATUS_IN_PROGRESS
    )

    moderator = UserFactory(email="mo@council.example", roles=[roles.MODERATORS])
    sign_in(tab, moderator, secret=give_authenticator(moderator))
    sweep = Sweep(tab)
    sweep.visit("reviews waiting", "/manage/reviews/")
    sweep.visit("check a review", f"/manage/reviews/{pending.pk}/")
    tab.get_by_role("button", name="Save decision").click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    sweep.here("check a review: error")
    sweep.visit("check a reported review", f"/manage/reviews/{reported.pk}/")
    sweep.visit("check a reply", f"/manage/reviews/replies/{reply.pk}/")
    sweep.visit("problems reported, every listing", "/providers/feedback/")
    sweep.visit("a problem report", f"/providers/feedback/{feedback.pk}/")
    sweep.visit("dashboard, for moderators", "/providers/")
    sweep.visit("organisation requests", "/providers/requests/")
    sweep.visit("a request to join", f"/providers/requests/{join.pk}/")
    sweep.visit("a request to register", f"/providers/requests/{register.pk}/")
    sweep.visit(
        "members of an organisation", f"/providers/organisations/{organisation.pk}/members/"
    )
    # The portal's own listing moderation views, in the admin's frame (directory.views.moderation).
    sweep.visit("listing changes waiting", "/admin/listing-changes/")
    sweep.visit("a listing change against the live version", f"/admin/listing-changes/{change.pk}/")

    # The shortlist emailed by staff, who may add a message: the form, its errors, the thanks.
    for service in (calls, cafe):
        tab.goto(service.url)
        tab.get_by_role("button", name=re.compile("^Add to my list")).click()
    sweep.visit("my list, two services", "/services/shortlist/")
    sweep.visit("email my list, with a message", "/services/shortlist/email/")
    tab.locator("main form").get_by_role("button", name=re.compile("^Send")).click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    sweep.here("email my list: error")
    tab.get_by_label("Email address").fill("resident@example.com")
    tab.locator("main form").get_by_role("button", name=re.compile("^Send")).click()
    expect(tab.locator(".govuk-notification-banner, .govuk-panel").first).to_be_visible()
    sweep.here("email my list: sent")
    sweep.visit("my list, printable", "/services/shortlist/print/")
    sweep.assert_clean()


# --------------------------------------------------------------------------------------------
# IG officers: the register's staff pages (the NHS number is only ever POSTed).

NHS = "9434765919"
WAITING_NHS = "9434765870"


def test_ig_officer_pages_pass_axe_and_reflow(tab: Page, tmp_path, settings):
    settings.CONSENT_IMPORT_DIR = str(tmp_path / "imports")
    officer = UserFactory(
        email="information.governance.officer@council.example", roles=[roles.IG_OFFICERS]
    )
    sign_in(tab, officer, secret=give_authenticator(officer))
    sweep = Sweep(tab)

    sweep.visit("find a person", "/manage/consent/")
    tab.get_by_role("button", name="Find person").click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    sweep.here("find a person: error")

    sweep.visit("import choices from a CSV file", "/manage/consent/import/")
    csv_path = tmp_path / "choices.csv"
    csv_path.write_text(
        "nhs_number,purpose,decision,channel,occurred_at,evidence_reference\n"
        f"{NHS},research,object,post,2026-10-01,LETTER-2026-10-01-SEABOROUGH-GP-SURGERY\n"
        "9434765918,research,object,post,2026-10-01,LETTER-2\n"
        f"{WAITING_NHS},pathway-analysis,consent,post,2026-10-01,LETTER-3\n"
        f"{WAITING_NHS},research,consent,phone,2026-10-02,CALL-4\n"
    )
    tab.get_by_label("Upload a CSV file").set_input_files(str(csv_path))
    tab.get_by_role("button", name="Check the file").click()
    expect(tab.locator("h1")).to_have_text("Check the file before importing")
    sweep.here("check the file before importing")
    tab.get_by_role("button", name=re.compile(r"^Import \d+ choices?$")).click()
    expect(tab.locator("h1")).to_have_text("Import complete")
    sweep.here("import complete")

    sweep.visit("changes waiting for identity verification", "/manage/consent/pending/")
    tab.get_by_role("button", name=re.compile("Find this person")).first.click()
    expect(tab.locator("h1")).to_have_text("Data-sharing choices")
    sweep.here("a person with a change waiting")
    tab.get_by_role("button", name="Verify identity").click()
    expect(tab.locator("h1")).to_have_text("Verify identity")
    sweep.here("verify identity")

    tab.goto("/manage/consent/")
    tab.get_by_label("NHS number").fill(NHS)
    tab.get_by_role("button", name="Find person").click()
    expect(tab.locator("h1")).to_have_text("Data-sharing choices")
    assert NHS not in tab.url
    sweep.here("a person's choices, history and access report")
    for link in ("Record a choice", "Record a GP code", "Record that the person lacks capacity"):
        tab.get_by_role("link", name=re.compile(link)).click()
        sweep.here(link)
        tab.go_back()
    tab.get_by_role("link", name=re.compile("Record a choice")).click()
    tab.get_by_role("button", name="Record choice").click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    sweep.here("record a choice: error")
    assert all(NHS not in url and WAITING_NHS not in url for url in sweep.checked_urls)
    sweep.assert_clean()


# --------------------------------------------------------------------------------------------
# Social care practitioners: what the main sweep does not visit.


def test_practitioner_case_work_pages_pass_axe_and_reflow(tab: Page):
    for n in range(3):
        make_submission(days_ago=n + 2)
    carer = make_submission(
        days_ago=1,
        urgent=True,
        definition_slug="carers-assessment",
        definition_title="Carer’s assessment",
        urgent_reasons=[
            "They said they are not safe at home",
            "They said the person they care for cannot be left alone overnight",
        ],
    )
    colleague = UserFactory(
        email="a.colleague.with.a.long.address@council.example", roles=[roles.PRACTITIONERS]
    )
    give_authenticator(colleague)
    practitioner = UserFactory(email="sam@council.example", roles=[roles.PRACTITIONERS])
    sign_in(tab, practitioner, secret=give_authenticator(practitioner))
    case = f"/manage/self-care/{carer.reference}/"
    sweep = Sweep(tab)
    sweep.visit("queue, urgent only", "/manage/self-care/?urgent=on")
    sweep.visit("queue, filters match nothing", "/manage/self-care/?status=closed")
    sweep.visit("a carer's case", case)
    tab.get_by_role("button", name="Add note").click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    sweep.here("a case: note error")
    tab.goto(case)
    tab.get_by_label("Add a note").fill(
        "Rang back on Tuesday; https://council.example/cases/notes/a-very-long-link-to-a-record "
        + "Agreed a visit next week. " * 5
    )
    tab.get_by_role("button", name="Add note").click()
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text("Note added")
    tab.get_by_label("Assign to").select_option(label=colleague.email)
    tab.get_by_role("button", name=re.compile("^Assign$")).click()
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text("assigned to")
    sweep.here("a case with notes, assigned, and its activity")
    sweep.visit("queue with an assigned case", "/manage/self-care/")
    sweep.visit("a case's printable summary, with notes", case + "print/")
    sweep.assert_clean()
