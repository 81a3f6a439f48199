"""Writing, showing, reporting and expiring reviews of a service (directory.reviews)."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.models import Review, ReviewReply, ReviewReport, ScreeningWord
from directory.reviews import (
    RatingSummary,
    ReviewNotAllowed,
    experience_months_allowed,
    rating_summaries,
    review_approve,
    review_submit,
    reviews_expire,
    service_rating_summary,
)
from directory.signals import service_ratings_changed
from portal.scheduling import jobs_registered

from .review_helpers import (
    make_reply,
    make_review,
    moderator,
    organisation_of,
    provider_of,
    recent_month,
    resident,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return ServicePageFactory(title="Carers’ café")


def review_url(service) -> str:
    return service.url + service.reverse_subpage("review")


def report_url(service, review) -> str:
    return service.url + service.reverse_subpage("review_report", args=[review.pk])


def valid_review(**changes) -> dict:
    month = recent_month()
    return {
        "rating": "4",
        "text": "The group helped me feel less alone.",
        "experienced_month": str(month.month),
        "experienced_year": str(month.year),
        "confirmed": "yes",
        **changes,
    }


@pytest.fixture
def ratings_changes():
    """The service_ids of every service_ratings_changed signal sent during the test."""
    seen: list[list[int]] = []

    def receiver(sender, service_ids, **kwargs):
        seen.append(list(service_ids))

    service_ratings_changed.connect(receiver, dispatch_uid="test-ratings-changes")
    yield seen
    service_ratings_changed.disconnect(dispatch_uid="test-ratings-changes")


# --- Who may write a review ---------------------------------------------------------------------


def test_anonymous_visitor_is_asked_to_sign_in_and_comes_back(client, service):
    response = client.get(review_url(service))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={review_url(service)}"


def test_person_without_a_verified_email_is_told_to_confirm_it(client, service):
    person = resident()
    EmailAddress.objects.filter(user=person).update(verified=False)
    client.force_login(person)

    page = client.get(review_url(service))
    posted = client.post(review_url(service), valid_review())

    assert "Confirm your email address first" in page.content.decode()
    assert 'href="/accounts/email/"' in page.content.decode()
    assert "Confirm your email address first" in posted.content.decode()
    assert not Review.objects.exists()


def test_member_of_the_organisation_that_runs_the_service_cannot_review_it(client, service):
    member = provider_of(organisation_of(service))
    client.force_login(member)

    response = client.post(review_url(service), valid_review())

    assert "You cannot review this service" in response.content.decode()
    assert not Review.objects.exists()


def test_member_of_another_organisation_can_review_it(client, service):
    client.force_login(provider_of(OrganisationPageFactory()))

    response = client.post(review_url(service), valid_review())

    assert response.status_code == 302
    assert Review.objects.filter(service=service).count() == 1


def test_service_function_refuses_what_the_page_refuses(service):
    member = provider_of(organisation_of(service))

    with pytest.raises(ReviewNotAllowed) as refused:
        review_submit(
            user=member,
            service=service,
            rating=5,
            text="Great",
            experienced_on=recent_month(),
            confirmed=True,
        )
    assert refused.value.refusal.code == "member"


# --- Writing one ----------------------------------------------------------------------------------


def test_resident_writes_a_review_that_waits_for_moderation(client, service):
    person = resident()
    client.force_login(person)

    form = client.get(review_url(service))
    body = form.content.decode()
    assert form.status_code == 200
    assert 'data-module="govuk-character-count"' in body
    assert "You can enter up to 1,000 characters" in body
    assert body.count('name="rating" type="radio"') == 5
    assert 'name="experienced_month"' in body
    assert 'name="experienced_year"' in body
    assert 'name="confirmed"' in body

    response = client.post(review_url(service), valid_review())
    assert response.status_code == 302
    assert response["Location"] == review_url(service)

    confirmation = client.get(review_url(service)).content.decode()
    assert "Review sent" in confirmation
    assert "after a moderator has approved it" in confirmation

    review = Review.objects.get()
    assert (review.author, review.service_id, review.rating) == (person, service.pk, 4)
    assert review.status == Review.PENDING
    assert review.experienced_on == recent_month()
    assert review.confirmed_own_experience
    assert "The group helped me feel less alone." not in client.get(service.url).content.decode()


def test_empty_form_lists_every_problem(client, service):
    client.force_login(resident())

    response = client.post(review_url(service), {})

    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in [
        "Select a rating from 1 to 5 stars",
        "Enter your review",
        "Enter the month and year you used the service",
        "Confirm that your review is about your own experience of this service",
    ]:
        assert message in body
    assert 'href="#id_rating"' in body
    assert 'id="id_rating"' in body
    assert not Review.objects.exists()


def test_review_text_is_limited_to_1000_characters(client, service):
    client.force_login(resident())

    too_long = client.post(review_url(service), valid_review(text="a" * 1001))
    # Browsers send a line break as two characters; it counts as one, as the counter shows.
    with_breaks = client.post(
        review_url(service), valid_review(text="a" * 498 + "\r\n\r\n" + "b" * 500)
    )

    assert "Your review must be 1,000 characters or fewer" in too_long.content.decode()
    assert with_breaks.status_code == 302
    assert len(Review.objects.get().text) == 1000


@pytest.mark.parametrize(
    ("month", "year", "message"),
    [
        ("", "2026", "The date you used the service must include a month"),
        ("3", "", "The date you used the service must include a year"),
        ("13", "2026", "The date you used the service must be a real date"),
        ("x", "2026", "The date you used the service must be a real date"),
        ("3", "26", "Year must include 4 numbers"),
    ],
)
def test_month_and_year_must_be_a_real_date(client, service, month, year, message):
    client.force_login(resident())

    response = client.post(
        review_url(service), valid_review(experienced_month=month, experienced_year=year)
    )

    assert message in html.unescape(response.content.decode())
    assert not Review.objects.exists()


def test_experience_cannot_be_in_the_future(client, service):
    client.force_login(resident())
    next_month = (timezone.localdate().replace(day=28) + datetime.timedelta(days=5)).replace(day=1)

    response = client.post(
        review_url(service),
        valid_review(
            experienced_month=str(next_month.month), experienced_year=str(next_month.year)
        ),
    )

    assert "must be this month or in the past" in response.content.decode()
    assert not Review.objects.exists()


def test_experience_must_be_in_the_last_2_years(client, service):
    client.force_login(resident())
    earliest, latest = experience_months_allowed()
    too_old = (earliest - datetime.timedelta(days=1)).replace(day=1)

    refused = client.post(
        review_url(service),
        valid_review(experienced_month=str(too_old.month), experienced_year=str(too_old.year)),
    )
    accepted = client.post(
        review_url(service),
        valid_review(experienced_month=str(earliest.month), experienced_year=str(earliest.year)),
    )

    assert "must be in the last 2 years" in refused.content.decode()
    assert accepted.status_code == 302
    # The oldest month allowed would still be shown today: its 2 years are not up.
    assert Review.objects.get().expires_on > timezone.localdate()
    assert (latest.year, latest.month) == (timezone.localdate().year, timezone.localdate().month)


def test_earliest_month_is_the_first_whose_review_has_not_expired():
    # 22 November 2026: a review of November 2024 (1 November) expired on 1 November 2026.
    earliest, latest = experience_months_allowed(today=datetime.date(2026, 11, 22))
    assert earliest == datetime.date(2024, 12, 1)
    assert latest == datetime.date(2026, 11, 1)


def test_the_confirmation_checkbox_is_required(client, service):
    client.force_login(resident())

    data = valid_review()
    del data["confirmed"]
    response = client.post(review_url(service), data)

    assert "Confirm that your review is about your own experience" in html.unescape(
        response.content.decode()
    )
    assert not Review.objects.exists()


def test_one_review_per_person_per_service_in_12_months(client, service):
    person = resident()
    earlier = make_review(service, author=person)
    submitted_at = timezone.now() - datetime.timedelta(days=200)
    Review.objects.filter(pk=earlier.pk).update(submitted_at=submitted_at)
    client.force_login(person)

    response = client.post(review_url(service), valid_review())

    body = response.content.decode()
    assert "You have already reviewed this service" in body
    # Dates are shown in UK time: near midnight, 200 days back may cross a
    # clock change, so derive them from the stored instant, not today's date.
    reviewed_on = timezone.localdate(submitted_at)
    again_on = timezone.localdate(submitted_at + datetime.timedelta(days=365))
    assert f"{reviewed_on:%-d %B %Y}" in body
    assert f"You can review it again from {again_on:%-d %B %Y}" in body
    assert Review.objects.count() == 1


def test_a_person_may_review_the_same_service_again_after_12_months(client, service):
    person = resident()
    earlier = make_review(service, author=person, status=Review.REJECTED)
    Review.objects.filter(pk=earlier.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=366)
    )
    client.force_login(person)

    response = client.post(review_url(service), valid_review())

    assert response.status_code == 302
    assert Review.objects.filter(author=person).count() == 2


def test_screening_flags_are_stored_but_never_block_a_review(client, service):
    ScreeningWord.objects.create(word="rubbish")
    client.force_login(resident())

    response = client.post(
        review_url(service),
        valid_review(text="Dr Patel was rubbish. Ring me on 07700 900123."),
    )

    assert response.status_code == 302
    assert [flag["code"] for flag in Review.objects.get().flags] == [
        "named-person",
        "screening-word",
        "phone-number",
    ]


def test_submissions_are_throttled_per_person(client, settings):
    settings.REVIEW_SUBMIT_USER_RATE = "1/h"
    first, second = ServicePageFactory(), ServicePageFactory()
    client.force_login(resident())

    assert client.post(review_url(first), valid_review()).status_code == 302
    throttled = client.post(review_url(second), valid_review())

    assert throttled.status_code == 429
    assert "You have sent too many reviews. Wait an hour and try again." in html.unescape(
        throttled.content.decode()
    )
    assert Review.objects.count() == 1


def test_submissions_are_throttled_per_client(client, settings, service):
    settings.REVIEW_SUBMIT_CLIENT_RATE = "2/h"
    for _ in range(2):
        client.force_login(resident())
        assert client.post(review_url(service), valid_review()).status_code == 302

    client.force_login(resident())
    throttled = client.post(review_url(service), valid_review())

    assert throttled.status_code == 429
    assert Review.objects.count() == 2


# --- Showing reviews ----------------------------------------------------------------------------


def test_service_page_shows_average_count_and_distribution(client, service):
    for rating in (5, 4, 4):
        make_review(service, status=Review.PUBLISHED, rating=rating)
    make_review(service, status=Review.PENDING, rating=1)
    make_review(service, status=Review.REJECTED, rating=1)
    make_review(service, status=Review.HELD, rating=1)
    make_review(service, status=Review.EXPIRED, rating=1)

    body = client.get(service.url).content.decode()

    assert "4.3 out of 5" in body
    assert "Average rating from 3 reviews" in body
    rows = body[body.index("How people rated this service") :]
    for stars, count in [(5, 1), (4, 2), (3, 0), (2, 0), (1, 0)]:
        row = rows[rows.index(f">{stars} star") :]
        assert f'govuk-table__cell--numeric">{count}<' in row[: row.index("</tr>")]
    assert body.count("Report this review") == 3


def test_rating_summary_rounds_to_one_decimal_place(service):
    for rating in (5, 5, 4):
        make_review(service, status=Review.PUBLISHED, rating=rating)

    summary = service_rating_summary(service=service)

    assert summary == RatingSummary(
        average=Decimal("4.7"), count=3, distribution={5: 2, 4: 1, 3: 0, 2: 0, 1: 0}
    )


def test_service_with_no_reviews_says_so_and_invites_one(client, service):
    body = client.get(service.url).content.decode()

    assert service_rating_summary(service=service).average is None
    assert "No one has reviewed this service yet." in body
    assert f'href="{review_url(service)}"' in body
    assert "Write a review" in body


def test_bulk_rating_summaries_cover_every_service_in_one_query(django_assert_num_queries):
    first, second, unreviewed = ServicePageFactory(), ServicePageFactory(), ServicePageFactory()
    make_review(first, status=Review.PUBLISHED, rating=2)
    make_review(second, status=Review.PUBLISHED, rating=5)
    make_review(second, status=Review.PUBLISHED, rating=4)

    with django_assert_num_queries(1):
        summaries = rating_summaries(service_ids=[first.pk, second.pk, unreviewed.pk])

    assert (summaries[first.pk].average, summaries[first.pk].count) == (Decimal("2.0"), 1)
    assert summaries[second.pk].average == Decimal("4.5")
    assert summaries[unreviewed.pk].count == 0


def test_published_reviews_are_newest_first_with_published_replies(client, service):
    older = make_review(service, status=Review.PUBLISHED, text="Older review")
    newer = make_review(service, status=Review.PUBLISHED, text="Newer review")
    Review.objects.filter(pk=older.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3)
    )
    member = provider_of(organisation_of(service))
    make_reply(older, author=member, status=ReviewReply.PUBLISHED, text="Thanks from us")
    make_reply(newer, author=member, status=ReviewReply.PENDING, text="Not yet checked")

    body = client.get(service.url).content.decode()

    assert body.index("Newer review") < body.index("Older review")
    assert "Thanks from us" in body
    assert f"Reply from {organisation_of(service).title}" in body
    assert "Not yet checked" not in body


def test_review_and_reply_text_is_shown_as_text_not_markup(client, service):
    review = make_review(
        service,
        status=Review.PUBLISHED,
        text='<script>alert("x")</script> <b>bold</b> <a href="https://evil.example">link</a>',
    )
    make_reply(
        review,
        author=provider_of(organisation_of(service)),
        status=ReviewReply.PUBLISHED,
        text="<img src=x onerror=alert(1)>",
    )

    body = client.get(service.url).content.decode()

    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert 'href="https://evil.example"' not in body
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_reviews_past_2_years_are_hidden_even_before_the_expiry_job_runs(client, service):
    old = timezone.localdate() - datetime.timedelta(days=731)
    make_review(service, status=Review.PUBLISHED, text="Long ago", experienced_on=old)

    assert "Long ago" not in client.get(service.url).content.decode()
    assert service_rating_summary(service=service).count == 0


def test_many_reviews_are_shown_ten_to_a_page(client, service):
    for number in range(12):
        review = make_review(service, status=Review.PUBLISHED, text=f"Review number {number}.")
        Review.objects.filter(pk=review.pk).update(
            published_at=timezone.now() - datetime.timedelta(hours=number)
        )

    first = client.get(service.url).content.decode()
    second = client.get(service.url, {"reviews-page": 2}).content.decode()

    assert "Review number 0." in first
    assert "Review number 9." in first
    assert "Review number 10." not in first
    assert "?reviews-page=2#reviews" in first
    assert "Review number 10." in second
    assert "Review number 11." in second
    assert "Average rating from 12 reviews" in second


def test_the_oruk_api_carries_no_reviews(client, service):
    make_review(service, status=Review.PUBLISHED, text="Secret-sauce review text")

    response = client.get(f"/api/oruk/services/{service.uuid}")

    assert response.status_code == 200
    text = response.content.decode().lower()
    assert "review" not in text
    assert "rating" not in text
    assert "secret-sauce" not in text


# --- Reporting ------------------------------------------------------------------------------------


def test_anyone_can_report_a_published_review_which_is_then_hidden(
    client, service, ratings_changes
):
    review = make_review(service, status=Review.PUBLISHED, text="Names the receptionist")

    form = client.get(report_url(service, review))
    response = client.post(
        report_url(service, review),
        {"reason": Review.IDENTIFIES_PERSON, "details": "It names a member of staff", "email": ""},
    )

    assert form.status_code == 200
    assert "Names the receptionist" in form.content.decode()
    assert response.status_code == 302
    assert "Review reported" in client.get(report_url(service, review)).content.decode()
    review.refresh_from_db()
    assert review.status == Review.HELD
    report = ReviewReport.objects.get()
    assert (report.reason, report.details, report.status) == (
        Review.IDENTIFIES_PERSON,
        "It names a member of staff",
        ReviewReport.OPEN,
    )
    assert "Names the receptionist" not in client.get(service.url).content.decode()
    assert ratings_changes == [[service.pk]]
    entry = ModelLogEntry.objects.get(action="directory.review.report")
    assert entry.user is None
    assert entry.data["reason"] == Review.IDENTIFIES_PERSON


def test_a_report_needs_a_reason_and_a_valid_email_if_given(client, service):
    review = make_review(service, status=Review.PUBLISHED)

    response = client.post(report_url(service, review), {"reason": "", "email": "not-an-email"})

    body = response.content.decode()
    assert "Select why you are reporting this review" in body
    assert "Enter an email address in the correct format" in body
    review.refresh_from_db()
    assert review.status == Review.PUBLISHED


@pytest.mark.parametrize("status", [Review.PENDING, Review.REJECTED, Review.HELD, Review.EXPIRED])
def test_only_published_reviews_can_be_reported(client, service, status):
    review = make_review(service, status=status)

    assert client.get(report_url(service, review)).status_code == 404
    assert client.post(report_url(service, review), {"reason": "offensive"}).status_code == 404


def test_a_review_cannot_be_reported_through_another_service(client, service):
    other = ServicePageFactory()
    review = make_review(other, status=Review.PUBLISHED)

    assert client.get(report_url(service, review)).status_code == 404


def test_reports_are_throttled_per_client(client, settings, service):
    settings.REVIEW_REPORT_RATE = "1/h"
    first = make_review(service, status=Review.PUBLISHED)
    second = make_review(service, status=Review.PUBLISHED)

    assert client.post(report_url(service, first), {"reason": "offensive"}).status_code == 302
    throttled = client.post(report_url(service, second), {"reason": "offensive"})

    assert throttled.status_code == 429
    assert "You have sent too many reports" in throttled.content.decode()
    second.refresh_from_db()
    assert second.status == Review.PUBLISHED


# --- Expiry ---------------------------------------------------------------------------------------


def test_reviews_expire_2_years_after_the_experience(service, ratings_changes):
    today = timezone.localdate()
    due = make_review(
        service,
        status=Review.PUBLISHED,
        experienced_on=today - datetime.timedelta(days=730),
    )
    waiting_too_long = make_review(
        service, status=Review.PENDING, experienced_on=today - datetime.timedelta(days=800)
    )
    not_yet = make_review(
        service, status=Review.PUBLISHED, experienced_on=today - datetime.timedelta(days=729)
    )
    rejected = make_review(
        service, status=Review.REJECTED, experienced_on=today - datetime.timedelta(days=900)
    )

    assert reviews_expire() == 2
    assert reviews_expire() == 0  # safe to run again

    statuses = dict(Review.objects.values_list("pk", "status"))
    assert statuses[due.pk] == Review.EXPIRED
    assert statuses[waiting_too_long.pk] == Review.EXPIRED
    assert statuses[not_yet.pk] == Review.PUBLISHED
    assert statuses[rejected.pk] == Review.REJECTED
    assert ratings_changes == [[service.pk]]
    assert ModelLogEntry.objects.filter(action="directory.review.expire").count() == 2


def test_expire_reviews_command_is_a_daily_scheduled_job(service, capsys):
    make_review(
        service,
        status=Review.PUBLISHED,
        experienced_on=timezone.localdate() - datetime.timedelta(days=731),
    )

    call_command("expire_reviews")

    assert "1 review expired" in capsys.readouterr().out
    job = next(job for job in jobs_registered() if job.name == "expire-reviews")
    assert job.command == "expire_reviews"
    assert job.every == datetime.timedelta(days=1)


def test_approving_a_review_tells_listeners_the_ratings_changed(service, ratings_changes):
    review = make_review(service)

    review_approve(review=review, moderator=moderator())

    assert ratings_changes == [[service.pk]]
