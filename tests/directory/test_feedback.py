"""Listing feedback: "Report a problem with this page", its emails, and the status pages that
providers (their own organisations only) and moderators use."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.feedback import feedback_set_status, feedback_submit, feedback_visible_to
from directory.models import ListingFeedback
from directory.providers import membership_add
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/providers/feedback/"


def report_url(service) -> str:
    return f"{service.url}report-a-problem/"


def detail_url(feedback) -> str:
    return f"{LIST_URL}{feedback.pk}/"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def member_of(organisation, email: str):
    user = UserFactory(username=email.split("@")[0], email=email)
    membership_add(organisation=organisation, user=user)
    return with_mfa(user)


@pytest.fixture
def organisation_a():
    return OrganisationPageFactory(title="Seaborough Carers Trust")


@pytest.fixture
def organisation_b():
    return OrganisationPageFactory(title="Northfleet Food Bank")


@pytest.fixture
def service_a(organisation_a):
    return ServicePageFactory(parent=organisation_a, title="Carers’ café")


@pytest.fixture
def service_b(organisation_b):
    return ServicePageFactory(parent=organisation_b, title="Food parcels")


@pytest.fixture
def provider_a(organisation_a):
    return member_of(organisation_a, "alex@carers.example")


@pytest.fixture
def provider_b(organisation_b):
    return member_of(organisation_b, "bea@foodbank.example")


@pytest.fixture
def moderator():
    return with_mfa(UserFactory(email="mo@council.example", roles=[roles.MODERATORS]))


def report(client, service, *, remote_addr="127.0.0.1", **data):
    form = {"reason": "wrong-contact", "details": "The phone number is out of use.", "email": ""}
    form.update(data)
    return client.post(report_url(service), form, REMOTE_ADDR=remote_addr)


# --- Reporting a problem ----------------------------------------------------------------------


def test_every_service_page_links_to_report_a_problem(client, service_a):
    response = client.get(service_a.url)

    assert response.status_code == 200
    assert f'href="{report_url(service_a)}"' in response.text
    assert "Report a problem with this page" in response.text


def test_the_form_needs_no_sign_in_and_offers_the_reasons_as_radios(client, service_a):
    response = client.get(report_url(service_a))

    assert response.status_code == 200
    html = response.text
    assert "Report a problem with this page" in html
    for value, label in ListingFeedback.REASONS:
        assert f'type="radio" value="{value}"' in html
        assert label in html
    assert 'name="details"' in html
    assert 'name="email"' in html
    assert 'autocomplete="email"' in html


def test_a_report_is_saved_emailed_and_confirmed(
    client, service_a, provider_a, provider_b, moderator, mailoutbox
):
    response = report(client, service_a, email="resident@example.com")

    assert response.status_code == 302
    assert response["Location"] == report_url(service_a)
    feedback = ListingFeedback.objects.get()
    assert feedback.service_id == service_a.pk
    assert feedback.reason == "wrong-contact"
    assert feedback.details == "The phone number is out of use."
    assert feedback.email == "resident@example.com"
    assert feedback.status == "new"

    # One email to the organisation's editors, one to moderators: neither sees the other's
    # addresses, and neither goes to another organisation's providers.
    assert sorted(message.to for message in mailoutbox) == [
        ["alex@carers.example"],
        ["mo@council.example"],
    ]
    for message in mailoutbox:
        assert message.subject == "Problem reported: Carers’ café"
        assert message.reply_to == ["resident@example.com"]
        assert "The contact details are wrong" in message.body
        assert "The phone number is out of use." in message.body
        assert f"http://testserver{detail_url(feedback)}" in message.body
        assert f"http://testserver{service_a.url}" in message.body

    confirmation = client.get(report_url(service_a))
    assert "Thank you for reporting a problem" in confirmation.text
    # The confirmation shows once; the next visit is the form again.
    assert "Thank you for reporting a problem" not in client.get(report_url(service_a)).text


def test_without_an_email_address_there_is_no_reply_to(client, service_a, provider_a, mailoutbox):
    report(client, service_a)

    assert mailoutbox[0].reply_to == []
    assert "They did not give an email address" in mailoutbox[0].body


def test_an_organisation_without_editors_still_reaches_moderators(
    client, service_b, moderator, mailoutbox
):
    report(client, service_b)

    assert [message.to for message in mailoutbox] == [["mo@council.example"]]
    assert "Nobody looks after Northfleet Food Bank" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "Select what is wrong with this page"),
        ({"reason": "made-up"}, "Select a valid choice"),
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"reason": "other", "details": "  "}, "Tell us what is wrong with this page"),
        ({"details": "x" * 1201}, "Details must be 1,200 characters or fewer"),
    ],
)
def test_invalid_reports_say_what_to_fix_and_keep_what_was_typed(
    client, service_a, mailoutbox, data, error
):
    typed = {"details": "Closed on Fridays now", "email": "resident@example.com", **data}
    response = report(client, service_a, **typed)

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert error in response.text
    assert response.text.count(error) == 2  # in the summary and beside the field
    assert ListingFeedback.objects.count() == 0
    assert mailoutbox == []
    if typed["email"] != "not an email":
        assert 'value="resident@example.com"' in response.text
    else:
        assert 'value="not an email"' in response.text
    if typed["details"].strip() and len(typed["details"]) < 1201:
        assert typed["details"] in response.text
    if typed.get("reason") in dict(ListingFeedback.REASONS):
        assert f'value="{typed["reason"]}" checked' in response.text


def test_the_error_summary_links_to_the_first_radio(client, service_a):
    response = report(client, service_a, reason="")

    assert 'href="#id_reason"' in response.text
    assert 'id="id_reason"' in response.text


def test_reports_are_rate_limited_per_client_with_a_clear_message(
    client, service_a, settings, mailoutbox
):
    settings.DIRECTORY_FEEDBACK_RATE = "2/h"
    for _ in range(2):
        assert report(client, service_a).status_code == 302

    response = report(client, service_a, details="Third report", email="resident@example.com")

    assert response.status_code == 429
    assert "You have reported too many problems in a short time. Wait an hour" in response.text
    assert "Third report" in response.text
    assert 'value="resident@example.com"' in response.text
    assert ListingFeedback.objects.count() == 2

    # Another client is not held back.
    other = report(client, service_a, remote_addr="192.0.2.99")
    assert other.status_code == 302


def test_report_text_is_shown_as_text(client, service_a, provider_a):
    feedback = feedback_submit(
        service=service_a, reason="other", details="<script>alert(1)</script><b>bold</b>"
    )
    client.force_login(provider_a)

    html = client.get(detail_url(feedback)).text

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_feedback_submit_refuses_an_unknown_reason(service_a):
    with pytest.raises(ValueError, match="Unknown reason"):
        feedback_submit(service=service_a, reason="spam")


# --- Who sees and decides what ----------------------------------------------------------------


@pytest.fixture
def reports(service_a, service_b):
    return {
        "a": feedback_submit(service=service_a, reason="closed", details="Shut in May"),
        "b": feedback_submit(service=service_b, reason="out-of-date"),
    }


def test_anonymous_visitors_are_sent_to_sign_in(client, reports):
    for url in (LIST_URL, detail_url(reports["a"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    response = client.post(detail_url(reports["a"]), {"status": "dismissed"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    reports["a"].refresh_from_db()
    assert reports["a"].status == "new"


def test_people_who_are_neither_providers_nor_moderators_are_refused(client, reports):
    client.force_login(UserFactory(roles=[roles.RESIDENTS]))

    assert client.get(LIST_URL).status_code == 403
    assert client.get(detail_url(reports["a"])).status_code == 403


def test_providers_see_only_their_organisations_feedback(client, reports, provider_a):
    client.force_login(provider_a)

    html = client.get(f"{LIST_URL}?status=all").text

    assert "Carers’ café" in html
    assert "Food parcels" not in html
    assert client.get(detail_url(reports["a"])).status_code == 200
    assert client.get(detail_url(reports["b"])).status_code == 404


def test_a_provider_cannot_set_another_organisations_feedback_status(client, reports, provider_a):
    client.force_login(provider_a)

    response = client.post(detail_url(reports["b"]), {"status": "dismissed"})

    assert response.status_code == 404
    reports["b"].refresh_from_db()
    assert reports["b"].status == "new"
    with pytest.raises(PermissionDenied):
        feedback_set_status(feedback=reports["b"], status="dismissed", user=provider_a)


def test_a_provider_marks_their_feedback_actioned_and_it_is_audited(client, reports, provider_a):
    client.force_login(provider_a)
    page = client.get(detail_url(reports["a"]))
    assert "Shut in May" in page.text
    assert 'value="new" checked' in page.text

    response = client.post(detail_url(reports["a"]), {"status": "actioned"})

    assert response.status_code == 302
    feedback = ListingFeedback.objects.get(pk=reports["a"].pk)
    assert feedback.status == "actioned"
    assert feedback.status_changed_by == provider_a
    assert feedback.status_changed_at is not None
    entry = ModelLogEntry.objects.get(action="directory.feedback.status")
    assert entry.user_id == provider_a.pk
    assert entry.object_id == str(feedback.pk)
    assert entry.data["from"] == "new"
    assert entry.data["to"] == "actioned"
    followed = client.get(response["Location"])
    assert "now marked actioned" in followed.text
    assert "alex@carers.example" in followed.text  # who set it


def test_setting_the_same_status_again_logs_nothing(reports, moderator):
    feedback_set_status(feedback=reports["a"], status="dismissed", user=moderator)
    feedback_set_status(feedback=reports["a"], status="dismissed", user=moderator)

    assert ModelLogEntry.objects.filter(action="directory.feedback.status").count() == 1


def test_moderators_see_and_decide_every_organisations_feedback(client, reports, moderator):
    client.force_login(moderator)

    html = client.get(LIST_URL).text
    assert "Carers’ café" in html
    assert "Food parcels" in html
    assert set(feedback_visible_to(user=moderator)) == set(reports.values())

    response = client.post(detail_url(reports["b"]), {"status": "dismissed"})
    assert response.status_code == 302
    reports["b"].refresh_from_db()
    assert reports["b"].status == "dismissed"
    assert reports["b"].status_changed_by == moderator


def test_the_list_filters_by_status_with_counts(client, reports, moderator):
    feedback_set_status(feedback=reports["b"], status="actioned", user=moderator)
    client.force_login(moderator)

    new = client.get(LIST_URL).text  # new reports by default
    assert "Carers’ café" in new
    assert "Food parcels" not in new
    assert re.search(r"New \(1\)", new)
    assert re.search(r"Actioned \(1\)", new)
    assert re.search(r"All \(2\)", new)

    actioned = client.get(f"{LIST_URL}?status=actioned").text
    assert "Food parcels" in actioned
    assert "Carers’ café" not in actioned


def test_a_status_must_be_chosen(client, reports, moderator):
    client.force_login(moderator)

    response = client.post(detail_url(reports["a"]), {"status": ""})

    assert response.status_code == 200
    assert "Select a status" in response.text
    reports["a"].refresh_from_db()
    assert reports["a"].status == "new"


def test_providers_without_mfa_are_sent_to_set_it_up(client, reports, organisation_a):
    user = UserFactory()
    membership_add(organisation=organisation_a, user=user)
    client.force_login(user)

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_moderators_see_status_decisions_in_the_site_history(
    client, reports, provider_a, moderator
):
    feedback_set_status(feedback=reports["a"], status="actioned", user=provider_a)
    client.force_login(moderator)

    assert (
        ModelLogEntry.objects.viewable_by_user(moderator)
        .filter(action="directory.feedback.status")
        .exists()
    )
    history = client.get("/admin/reports/site-history/")
    assert history.status_code == 200
    assert "Set feedback status" in history.text
