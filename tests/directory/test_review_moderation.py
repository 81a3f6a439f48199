"""Moderating reviews, reports and replies; providers' replies; who may reach each page; and
the audit log of every decision (directory.reviews, directory.views.review_moderation)."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.models import Review, ReviewReply, ReviewReport, ScreeningWord
from directory.providers import membership_add
from directory.reviews import ReviewStateError, review_approve, review_reject
from portal import roles
from portal.factories import UserFactory

from .review_helpers import (
    make_reply,
    make_review,
    moderator,
    organisation_of,
    provider_of,
    resident,
    with_totp,
)

pytestmark = pytest.mark.django_db

QUEUE = "/manage/reviews/"
PROVIDER_LIST = "/providers/reviews/"


def decide_url(review) -> str:
    return reverse("review_moderation:review", args=[review.pk])


def reply_decide_url(reply) -> str:
    return reverse("review_moderation:reply", args=[reply.pk])


def provider_reply_url(review) -> str:
    return reverse("provider_reviews:reply", args=[review.pk])


@pytest.fixture
def service():
    return ServicePageFactory(title="Carers’ café")


@pytest.fixture
def mod(client):
    user = moderator(email="mod@example.com")
    client.force_login(user)
    return user


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- Who may reach what -------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in_everywhere(client, service):
    review = make_review(service, status=Review.PUBLISHED)
    reply = make_reply(review, author=provider_of(organisation_of(service)))
    for url in [
        QUEUE,
        decide_url(review),
        reply_decide_url(reply),
        PROVIDER_LIST,
        provider_reply_url(review),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"/accounts/login/?next={url}"), url


def test_residents_cannot_reach_moderation_or_provider_pages(client, service):
    review = make_review(service)
    reply = make_reply(
        make_review(service, status=Review.PUBLISHED), author=provider_of(organisation_of(service))
    )
    client.force_login(resident())

    for url in [QUEUE, decide_url(review), reply_decide_url(reply), PROVIDER_LIST]:
        assert client.get(url).status_code == 403, url
    assert client.post(decide_url(review), {"decision": "approve"}).status_code == 403
    review.refresh_from_db()
    assert review.status == Review.PENDING


def test_providers_cannot_moderate_even_their_own_organisations_reviews(client, service):
    member = provider_of(organisation_of(service))
    review = make_review(service)
    reply = make_reply(make_review(service, status=Review.PUBLISHED), author=member)
    client.force_login(member)

    assert client.get(QUEUE).status_code == 403
    assert client.get(decide_url(review)).status_code == 403
    assert client.post(decide_url(review), {"decision": "approve"}).status_code == 403
    assert client.post(reply_decide_url(reply), {"decision": "approve"}).status_code == 403
    review.refresh_from_db()
    reply.refresh_from_db()
    assert (review.status, reply.status) == (Review.PENDING, ReviewReply.PENDING)


def test_provider_of_one_organisation_cannot_see_or_reply_to_anothers_reviews(client):
    ours = ServicePageFactory(title="Our service")
    theirs = ServicePageFactory(title="Their service")
    member = provider_of(organisation_of(ours))
    our_review = make_review(ours, status=Review.PUBLISHED, text="About our service")
    their_review = make_review(theirs, status=Review.PUBLISHED, text="About their service")
    client.force_login(member)

    listing = text(client.get(PROVIDER_LIST))
    assert "About our service" in listing
    assert "About their service" not in listing
    assert client.get(provider_reply_url(our_review)).status_code == 200
    assert client.get(provider_reply_url(their_review)).status_code == 404
    assert client.post(provider_reply_url(their_review), {"text": "Hello"}).status_code == 404
    assert not ReviewReply.objects.exists()


def test_providers_see_only_published_reviews_of_their_services(client, service):
    member = provider_of(organisation_of(service))
    pending = make_review(service, status=Review.PENDING, text="Not checked yet")
    make_review(service, status=Review.REJECTED, text="Rejected one")
    client.force_login(member)

    listing = text(client.get(PROVIDER_LIST))

    assert "Not checked yet" not in listing
    assert "Rejected one" not in listing
    assert "Your services have no published reviews yet." in listing
    assert client.get(provider_reply_url(pending)).status_code == 404


def test_wagtail_admin_menu_links_moderators_and_providers_to_their_pages(client, service):
    # The admin's sidebar is drawn from JSON in the page.
    client.force_login(moderator())
    admin = text(client.get("/admin/"))
    assert "Moderate reviews" in admin
    assert "/manage/reviews/" in admin

    client.force_login(provider_of(organisation_of(service)))
    admin = text(client.get("/admin/"))
    assert "Reviews of your services" in admin
    assert "/providers/reviews/" in admin
    assert "/manage/reviews/" not in admin


# --- The queue --------------------------------------------------------------------------------


def test_queue_lists_waiting_reviews_reports_replies_and_held_reviews(client, mod, service):
    pending = make_review(service, text="Waiting", flags=[{"code": "phone-number"}])
    reported = make_review(service, status=Review.HELD, text="Reported one")
    ReviewReport.objects.create(review=reported, reason=Review.OFFENSIVE)
    held = make_review(
        service,
        status=Review.HELD,
        reject_reason=Review.SAFEGUARDING,
        safeguarding_escalated_at=timezone.now(),
    )
    reply = make_reply(
        make_review(service, status=Review.PUBLISHED), author=provider_of(organisation_of(service))
    )
    make_review(service, status=Review.PUBLISHED, text="Already public")

    body = text(client.get(QUEUE))

    assert "Reviews waiting (1)" in body
    assert f'href="{decide_url(pending)}"' in body
    assert "1 flag" in body
    assert "Reported reviews (1)" in body
    assert f'href="{decide_url(reported)}"' in body
    assert "It is offensive" in body
    assert "Replies waiting (1)" in body
    assert f'href="{reply_decide_url(reply)}"' in body
    assert "Held for safeguarding (1)" in body
    assert f'href="{decide_url(held)}"' in body


def test_decision_page_shows_the_text_and_what_screening_flagged(client, mod, service):
    review = make_review(
        service,
        text="Dr Patel <b>was</b> great",
        flags=[{"code": "named-person", "label": "Names a doctor or nurse", "text": "Dr Patel"}],
    )

    response = client.get(decide_url(review))

    body = response.content.decode()
    assert "Dr Patel &lt;b&gt;was&lt;/b&gt; great" in body
    assert "Names a doctor or nurse: “Dr Patel”" in html.unescape(body)
    assert "Automatic screening noticed 1 thing to check" in body


# --- Deciding on reviews ------------------------------------------------------------------------


def test_moderator_approves_a_review_which_then_appears_with_an_audit_entry(
    client, mod, service, mailoutbox
):
    author = resident(email="writer@example.com")
    review = make_review(service, author=author, rating=5, text="Brilliant volunteers")
    assert "Brilliant volunteers" not in client.get(service.url).content.decode()

    response = client.post(decide_url(review), {"decision": "approve", "comment": "Fine"})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    review.refresh_from_db()
    assert review.status == Review.PUBLISHED
    assert (review.decided_by, review.moderator_note) == (mod, "Fine")
    assert review.published_at is not None
    page = client.get(service.url).content.decode()
    assert "Brilliant volunteers" in page
    assert "5 out of 5 stars" in page
    (email,) = mailoutbox
    assert email.to == ["writer@example.com"]
    assert email.subject == "Your review of Carers’ café has been published"
    entry = ModelLogEntry.objects.get(action="directory.review.approve")
    assert (entry.user, entry.object_id) == (mod, str(review.pk))
    assert entry.data == {"reason": "", "comment": "Fine"}
    assert entry.timestamp is not None


def test_decision_is_required(client, mod, service):
    review = make_review(service)

    response = client.post(decide_url(review), {"decision": ""})

    assert "Select your decision" in text(response)
    review.refresh_from_db()
    assert review.status == Review.PENDING


@pytest.mark.parametrize(
    ("reason", "explanation"),
    [
        (Review.IDENTIFIES_PERSON, "it could identify a person"),
        (Review.COMPLAINT, "https://www.seaborough.example/complaints"),
        (Review.NOT_ABOUT_SERVICE, "it is not about your experience of this service"),
        (Review.OFFENSIVE, "could find offensive"),
    ],
)
def test_rejecting_tells_the_author_why(client, mod, service, mailoutbox, reason, explanation):
    review = make_review(service, author=resident(email="writer@example.com"))

    client.post(decide_url(review), {"decision": reason, "comment": "See policy 3"})

    review.refresh_from_db()
    assert (review.status, review.reject_reason) == (Review.REJECTED, reason)
    (email,) = mailoutbox
    assert email.to == ["writer@example.com"]
    assert "has not been published" in email.subject
    assert explanation in email.body
    entry = ModelLogEntry.objects.get(action="directory.review.reject")
    assert entry.user == mod
    assert entry.data["reason"] == reason
    assert entry.data["comment"] == "See policy 3"


def test_a_complaint_is_pointed_to_the_complaints_page_in_site_settings(
    client, mod, service, mailoutbox, site_settings
):
    site_settings.complaints_url = "https://council.example/how-to-complain"
    site_settings.save()
    review = make_review(service)

    client.post(decide_url(review), {"decision": Review.COMPLAINT})

    assert "https://council.example/how-to-complain" in mailoutbox[0].body


def test_safeguarding_concern_holds_the_review_and_escalates_it(
    client, mod, service, mailoutbox, site_settings
):
    site_settings.safeguarding_contact_name = "Adult Safeguarding Hub"
    site_settings.safeguarding_contact_email = "hub@council.example"
    site_settings.save()
    review = make_review(
        service, author=resident(email="writer@example.com"), text="My neighbour is not safe"
    )

    response = client.post(
        decide_url(review), {"decision": Review.SAFEGUARDING, "comment": "Urgent"}
    )

    review.refresh_from_db()
    assert review.status == Review.HELD
    assert review.reject_reason == Review.SAFEGUARDING
    assert review.safeguarding_escalated_at is not None
    escalation = next(email for email in mailoutbox if email.to == ["hub@council.example"])
    assert escalation.subject == "Safeguarding concern in a review of Carers’ café"
    assert "My neighbour is not safe" in escalation.body
    assert "Carers’ café" in escalation.body
    assert "writer@example.com" in escalation.body
    assert "Urgent" in escalation.body
    to_author = next(email for email in mailoutbox if email.to == ["writer@example.com"])
    assert "Adult Safeguarding Hub" in to_author.body
    follow = text(client.get(response["Location"]))
    assert "held and sent to Adult Safeguarding Hub" in follow
    assert "Held for safeguarding (1)" in follow
    entry = ModelLogEntry.objects.get(action="directory.review.reject")
    assert entry.data["escalated_to"] == "hub@council.example"
    assert "My neighbour is not safe" not in client.get(service.url).content.decode()


def test_safeguarding_with_no_contact_set_holds_and_warns_the_moderator(
    client, mod, service, mailoutbox, site_settings
):
    site_settings.safeguarding_contact_email = ""
    site_settings.save()
    review = make_review(service)

    response = client.post(decide_url(review), {"decision": Review.SAFEGUARDING}, follow=True)

    review.refresh_from_db()
    assert review.status == Review.HELD
    assert review.safeguarding_escalated_at is None
    assert "no safeguarding contact is set" in text(response)


def test_a_held_safeguarding_review_can_later_be_published(client, mod, service):
    review = make_review(service, status=Review.HELD, reject_reason=Review.SAFEGUARDING)

    client.post(decide_url(review), {"decision": "approve"})

    review.refresh_from_db()
    assert review.status == Review.PUBLISHED
    assert review.reject_reason == ""


def test_moderators_cannot_decide_on_their_own_review(client, mod, service):
    review = make_review(service, author=mod)

    page = text(client.get(decide_url(review)))
    client.post(decide_url(review), {"decision": "approve"})

    assert "another moderator must decide" in page
    review.refresh_from_db()
    assert review.status == Review.PENDING
    with pytest.raises(PermissionDenied):
        review_approve(review=review, moderator=mod)


def test_a_decided_review_cannot_be_decided_again(client, mod, service):
    review = make_review(service, status=Review.REJECTED)

    client.post(decide_url(review), {"decision": "approve"})

    review.refresh_from_db()
    assert review.status == Review.REJECTED
    with pytest.raises(ReviewStateError):
        review_approve(review=review, moderator=mod)


def test_only_moderators_may_decide_through_the_service_functions(service):
    review = make_review(service)

    with pytest.raises(PermissionDenied):
        review_reject(review=review, moderator=resident(), reason=Review.OFFENSIVE)


# --- Reports ------------------------------------------------------------------------------------


def reported_review(service, *, email="reporter@example.com"):
    review = make_review(
        service, author=resident(email="writer@example.com"), status=Review.PUBLISHED
    )
    report = ReviewReport.objects.create(
        review=review, reason=Review.OFFENSIVE, details="Rude words", email=email
    )
    Review.objects.filter(pk=review.pk).update(status=Review.HELD)
    review.refresh_from_db()
    return review, report


def test_dismissing_a_report_publishes_the_review_again(client, mod, service, mailoutbox):
    review, report = reported_review(service)

    page = text(client.get(decide_url(review)))
    client.post(decide_url(review), {"decision": "approve", "comment": "Not offensive"})

    assert "Check a reported review" in page
    assert "Rude words" in page
    assert "Dismiss the report: publish the review again" in page
    review.refresh_from_db()
    report.refresh_from_db()
    assert review.status == Review.PUBLISHED
    assert (report.status, report.decided_by) == (ReviewReport.DISMISSED, mod)
    (email,) = mailoutbox  # the author was published already: only the reporter hears
    assert email.to == ["reporter@example.com"]
    assert "shown on the service's page again" in email.body
    entry = ModelLogEntry.objects.get(action="directory.review.report_dismiss")
    assert (entry.user, entry.data["comment"]) == (mod, "Not offensive")


def test_upholding_a_report_rejects_the_review(client, mod, service, mailoutbox):
    review, report = reported_review(service)

    client.post(decide_url(review), {"decision": Review.OFFENSIVE, "comment": "Abusive"})

    review.refresh_from_db()
    report.refresh_from_db()
    assert (review.status, review.reject_reason) == (Review.REJECTED, Review.OFFENSIVE)
    assert report.status == ReviewReport.UPHELD
    recipients = sorted(email.to[0] for email in mailoutbox)
    assert recipients == ["reporter@example.com", "writer@example.com"]
    reporter_email = next(e for e in mailoutbox if e.to == ["reporter@example.com"])
    assert "removed it from the service's page" in reporter_email.body
    entry = ModelLogEntry.objects.get(action="directory.review.report_uphold")
    assert entry.user == mod
    assert entry.data["reason"] == Review.OFFENSIVE


# --- Audit log --------------------------------------------------------------------------------


def test_decisions_appear_in_wagtail_site_history_with_who_and_why(client, mod, service):
    review = make_review(service)
    client.post(decide_url(review), {"decision": Review.COMPLAINT, "comment": "Sent to PALS"})

    report = text(client.get("/admin/reports/site-history/"))

    assert f"Review {review.pk} of Carers’ café" in report
    assert "Rejected the review; reason: It is a complaint; note: Sent to PALS" in report
    assert mod.get_username() in report or mod.email in report


def test_residents_cannot_read_the_site_history(client, service):
    review = make_review(service)
    review_approve(review=review, moderator=moderator())
    client.force_login(resident())

    response = client.get("/admin/reports/site-history/")

    assert response.status_code in (302, 403)


# --- Screening words ------------------------------------------------------------------------------


def test_moderators_edit_the_screening_words_in_the_admin(client, mod):
    listing = client.get("/admin/snippets/directory/screeningword/")
    response = client.post("/admin/snippets/directory/screeningword/add/", {"word": "scam"})

    assert listing.status_code == 200
    assert response.status_code == 302
    assert ScreeningWord.objects.filter(word="scam").exists()


def test_providers_cannot_edit_the_screening_words(client, service):
    client.force_login(provider_of(organisation_of(service)))

    response = client.post("/admin/snippets/directory/screeningword/add/", {"word": "scam"})

    assert response.status_code in (302, 403)
    assert not ScreeningWord.objects.exists()


# --- Replies ------------------------------------------------------------------------------------


def test_provider_replies_once_and_the_reply_waits_for_moderation(client, service):
    member = provider_of(organisation_of(service))
    review = make_review(service, status=Review.PUBLISHED)
    client.force_login(member)

    listing = text(client.get(PROVIDER_LIST))
    form = client.get(provider_reply_url(review))
    response = client.post(provider_reply_url(review), {"text": "Thank you for coming."})

    assert f'href="{provider_reply_url(review)}"' in listing
    assert 'data-module="govuk-character-count"' in form.content.decode()
    assert response.status_code == 302
    reply = ReviewReply.objects.get()
    assert (reply.status, reply.author, reply.organisation) == (
        ReviewReply.PENDING,
        member,
        organisation_of(service),
    )
    assert "Reply waiting for a moderator" in text(client.get(PROVIDER_LIST))
    assert "Thank you for coming." not in client.get(service.url).content.decode()

    again = client.post(provider_reply_url(review), {"text": "Second reply"})
    assert again.status_code == 200
    assert "waiting for a moderator" in text(again)
    assert ReviewReply.objects.get().text == "Thank you for coming."


def test_a_reply_needs_text_within_1000_characters(client, service):
    client.force_login(provider_of(organisation_of(service)))
    review = make_review(service, status=Review.PUBLISHED)

    empty = client.post(provider_reply_url(review), {"text": ""})
    too_long = client.post(provider_reply_url(review), {"text": "a" * 1001})

    assert "Enter your reply" in text(empty)
    assert "Your reply must be 1,000 characters or fewer" in text(too_long)
    assert not ReviewReply.objects.exists()


def test_moderator_publishes_a_reply_under_the_review(client, mod, service, mailoutbox):
    member = provider_of(organisation_of(service), email="provider@example.com")
    review = make_review(service, status=Review.PUBLISHED)
    reply = make_reply(review, author=member, text="We have changed our hours.")

    page = text(client.get(reply_decide_url(reply)))
    client.post(reply_decide_url(reply), {"decision": "approve"})

    assert "We have changed our hours." in page
    reply.refresh_from_db()
    assert (reply.status, reply.decided_by) == (ReviewReply.PUBLISHED, mod)
    assert "We have changed our hours." in text(client.get(service.url))
    assert mailoutbox[0].to == ["provider@example.com"]
    assert "has been published" in mailoutbox[0].subject
    entry = ModelLogEntry.objects.get(action="directory.review_reply.approve")
    assert entry.user == mod


def test_rejecting_a_reply_needs_a_comment_and_lets_the_provider_write_again(
    client, mod, service, mailoutbox
):
    member = provider_of(organisation_of(service), email="provider@example.com")
    review = make_review(service, status=Review.PUBLISHED)
    reply = make_reply(review, author=member, text="Call Jo on 07700 900123")

    screening = text(client.get(reply_decide_url(reply)))
    without_comment = client.post(reply_decide_url(reply), {"decision": "reject"})
    client.post(reply_decide_url(reply), {"decision": "reject", "comment": "No phone numbers"})

    assert "Phone number: “07700 900123”" in screening
    assert "Tell the provider why their reply is not published" in text(without_comment)
    reply.refresh_from_db()
    assert (reply.status, reply.moderator_comment) == (ReviewReply.REJECTED, "No phone numbers")
    assert "No phone numbers" in mailoutbox[0].body
    assert provider_reply_url(review) in mailoutbox[0].body
    entry = ModelLogEntry.objects.get(action="directory.review_reply.reject")
    assert entry.data["comment"] == "No phone numbers"

    client.force_login(member)
    form = text(client.get(provider_reply_url(review)))
    assert "Your last reply was not published. The moderator said: No phone numbers" in form
    client.post(provider_reply_url(review), {"text": "Please call the office."})
    reply.refresh_from_db()
    assert (reply.status, reply.text) == (ReviewReply.PENDING, "Please call the office.")


def test_people_outside_any_organisation_cannot_reply(client, service):
    review = make_review(service, status=Review.PUBLISHED)
    staff = UserFactory(roles=[roles.EDITORS])
    with_totp(staff)
    client.force_login(staff)

    assert client.get(PROVIDER_LIST).status_code == 403
    assert client.post(provider_reply_url(review), {"text": "Hi"}).status_code == 403
    assert not ReviewReply.objects.exists()


def test_member_of_two_organisations_sees_both(client):
    first = ServicePageFactory()
    second = ServicePageFactory(parent=OrganisationPageFactory())
    member = provider_of(organisation_of(first))
    provider_of(organisation_of(second))  # someone else
    membership_add(organisation=organisation_of(second), user=member)
    make_review(first, status=Review.PUBLISHED, text="First service review")
    make_review(second, status=Review.PUBLISHED, text="Second service review")
    client.force_login(member)

    listing = text(client.get(PROVIDER_LIST))

    assert "First service review" in listing
    assert "Second service review" in listing
