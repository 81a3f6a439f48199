"""Reviews in a real browser: a resident writes one, a moderator (with MFA) approves it, and it
appears on the service page with its stars. axe checks every page visited."""

import re

from playwright.sync_api import Page, expect

from directory.factories import ServicePageFactory
from directory.models import Review, ReviewReport
from portal.factories import TEST_PASSWORD

from ..directory.review_helpers import (
    make_review,
    moderator,
    provider_of,
    recent_month,
    resident,
    with_totp,
)
from ..portal.totp import current_code
from .axe import assert_accessible


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_resident_review_appears_only_after_a_moderator_approves_it(page: Page):
    service = ServicePageFactory(title="Seaborough Carers’ Café")
    resident(email="resident@example.com")
    mod = moderator(email="moderator@example.com")
    secret = with_totp(mod)
    month = recent_month()

    sign_in(page, "resident@example.com")
    page.goto(service.url)
    expect(page.get_by_text("No one has reviewed this service yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Write a review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a review")
    assert_accessible(page)

    page.get_by_role("button", name="Send review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a rating from 1 to 5")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("4 stars: good").check()
    page.get_by_label("Month", exact=True).fill(str(month.month))
    page.get_by_label("Year", exact=True).fill(str(month.year))
    page.get_by_label("Your review").fill("Warm welcome, and <b>real</b> help with forms.")
    expect(page.locator(".govuk-character-count__status")).to_contain_text("characters remaining")
    page.get_by_label(re.compile("my own experience of this service")).check()
    page.get_by_role("button", name="Send review").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Review sent")
    expect(page.get_by_text("after a moderator has approved it")).to_be_visible()
    assert_accessible(page)

    page.goto(service.url)
    expect(page.get_by_text("Warm welcome")).to_have_count(0)
    sign_out(page)

    sign_in(page, "moderator@example.com")
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.goto("/manage/reviews/")
    expect(page.get_by_role("heading", name="Reviews waiting (1)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Seaborough Carers’ Café")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a review")
    expect(page.get_by_text("Warm welcome, and <b>real</b> help with forms.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select your decision")
    assert_accessible(page)

    page.get_by_label("Publish the review").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    expect(page.get_by_role("heading", name="Reviews waiting (0)")).to_be_visible()
    assert_accessible(page)

    page.goto(service.url)
    reviews = page.locator("#reviews").locator("..")
    expect(reviews.get_by_text("4.0 out of 5")).to_be_visible()
    expect(reviews.get_by_text("Average rating from 1 review.")).to_be_visible()
    expect(reviews.get_by_role("heading", name=re.compile("4 out of 5 stars"))).to_be_visible()
    # Shown as text: the markup the resident typed is not interpreted.
    expect(reviews.get_by_text("Warm welcome, and <b>real</b> help with forms.")).to_be_visible()
    assert_accessible(page)
    assert Review.objects.get().status == Review.PUBLISHED

    # The stars reach the results list too.
    page.goto("/services/?q=carers+cafe")
    card = page.locator(".portal-result").filter(has_text="Seaborough Carers’ Café")
    expect(card.get_by_text("4.0 out of 5 from 1 review")).to_be_visible()
    expect(card.locator(".portal-stars")).to_have_text("★★★★☆")
    assert_accessible(page)


def test_visitor_reports_a_review_which_is_hidden_at_once(page: Page):
    service = ServicePageFactory(title="Youth club")
    make_review(service, status=Review.PUBLISHED, text="Leader Sam shouted at us")

    page.goto(service.url)
    page.get_by_role("link", name=re.compile("Report this review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a review")
    assert_accessible(page)

    page.get_by_role("button", name="Report this review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why you are reporting")
    assert_accessible(page)

    page.get_by_label("It names someone or gives their personal details").check()
    page.get_by_label("Tell us more (optional)").fill("It names a youth worker.")
    page.get_by_role("button", name="Report this review").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Review reported")
    assert_accessible(page)

    page.goto(service.url)
    expect(page.get_by_text("Leader Sam shouted at us")).to_have_count(0)
    assert Review.objects.get().status == Review.HELD


def test_writing_and_reporting_work_without_javascript(page_without_js: Page):
    # axe needs JavaScript, so these pages are checked by the tests above.
    page = page_without_js
    service = ServicePageFactory(title="Lunch club")
    make_review(service, status=Review.PUBLISHED, text="Call Jo on 07700 900123")
    resident(email="nojs@example.com")
    month = recent_month(3)

    sign_in(page, "nojs@example.com")
    page.goto(service.url)
    page.get_by_role("link", name=re.compile("Write a review")).click()
    expect(page.get_by_text("You can enter up to 1,000 characters")).to_be_visible()
    page.get_by_label("5 stars: excellent").check()
    page.get_by_label("Month", exact=True).fill(str(month.month))
    page.get_by_label("Year", exact=True).fill(str(month.year))
    page.get_by_label("Your review").fill("Good food and good company.")
    page.get_by_label(re.compile("my own experience of this service")).check()
    page.get_by_role("button", name="Send review").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Review sent")

    page.goto(service.url)
    page.get_by_role("link", name=re.compile("Report this review")).click()
    page.get_by_label("It names someone or gives their personal details").check()
    page.get_by_role("button", name="Report this review").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Review reported")

    statuses = dict(Review.objects.values_list("text", "status"))
    assert statuses == {
        "Call Jo on 07700 900123": Review.HELD,
        "Good food and good company.": Review.PENDING,
    }


def sign_in_with_code(page: Page, email: str, secret: str) -> None:
    sign_in(page, email)
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def test_provider_reply_and_a_report_are_moderated(page: Page):
    service = ServicePageFactory(title="Memory café")
    organisation = service.get_parent().specific
    review = make_review(service, status=Review.PUBLISHED, text="Lovely afternoons")
    reported = make_review(service, status=Review.PUBLISHED, text="Too noisy for me")
    ReviewReport.objects.create(review=reported, reason=Review.OFFENSIVE, details="Unkind")
    Review.objects.filter(pk=reported.pk).update(status=Review.HELD)
    provider = provider_of(organisation, email="provider@example.com")
    provider_secret = with_totp(provider)
    mod = moderator(email="moderator@example.com")
    moderator_secret = with_totp(mod)

    sign_in_with_code(page, "provider@example.com", provider_secret)
    page.goto("/providers/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews of your services")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Reply to this review")).click()
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your reply")
    assert_accessible(page)

    page.get_by_label("Your reply").fill("Thank you, see you next month!")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reply sent")
    expect(page.get_by_text("Reply waiting for a moderator")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in_with_code(page, "moderator@example.com", moderator_secret)
    page.goto("/manage/reviews/")
    expect(page.get_by_role("heading", name="Replies waiting (1)")).to_be_visible()
    page.get_by_role("link", name=re.compile("check the reply")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a reply")
    assert_accessible(page)
    page.get_by_label("Publish the reply").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")

    page.get_by_role("link", name=re.compile("check the reported review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a reported review")
    expect(page.get_by_text("Unkind")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Dismiss the report: publish the review again").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name="Reported reviews (0)")).to_be_visible()

    page.goto(service.url)
    expect(page.get_by_text("Thank you, see you next month!")).to_be_visible()
    expect(page.get_by_text("Too noisy for me")).to_be_visible()
    assert_accessible(page)
    review.refresh_from_db()
    assert review.reply.status == "published"
