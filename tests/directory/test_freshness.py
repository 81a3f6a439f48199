"""Freshness: reminders at 6 months with a one-click "still correct" link, escalation to
moderators at 12, optional hiding, and the providers' dashboard. Time moves by passing `now`
(or by dating listings in the past), never by sleeping."""

import datetime
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core import signing
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from directory import freshness
from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.freshness import (
    StillCorrectLinkExpired,
    StillCorrectLinkInvalid,
    StillCorrectLinkUsed,
    StillCorrectListingUnavailable,
    listing_confirm,
    listings_freshness,
    months_before,
    months_since,
    reminder_token,
    stale_listings_remind,
)
from directory.models import FreshnessReminder, ServicePage
from directory.providers import membership_add
from portal import roles
from portal.factories import UserFactory
from portal.scheduling import jobs_registered
from search.models import SearchDocument

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CONFIRM_URL = "/providers/still-correct/"
LINK_RE = re.compile(r"http://testserver(/providers/still-correct/[^/\s]+/)")


def today() -> datetime.date:
    return timezone.localdate()


def months_ago(months: int, days: int = 0) -> datetime.date:
    return months_before(today(), months) - datetime.timedelta(days=days)


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
def provider_a(organisation_a):
    return member_of(organisation_a, "alex@carers.example")


@pytest.fixture
def provider_b(organisation_b):
    return member_of(organisation_b, "bea@foodbank.example")


@pytest.fixture
def moderator():
    return with_mfa(UserFactory(email="mo@council.example", roles=[roles.MODERATORS]))


def service(organisation, title: str, checked: datetime.date | None) -> ServicePage:
    return ServicePageFactory(parent=organisation, title=title, assured_date=checked)


def links_in(message) -> list[str]:
    return LINK_RE.findall(message.body)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 11, 22), 6, datetime.date(2026, 5, 22)),
        (datetime.date(2026, 11, 22), 12, datetime.date(2025, 11, 22)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 1, 15), 18, datetime.date(2024, 7, 15)),
    ],
)
def test_months_before_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert months_before(day, months) == expected


def test_months_since_agrees_with_months_before_on_every_day_for_years():
    start = datetime.date(2027, 1, 1)
    earlier_days = [start - datetime.timedelta(days=n) for n in range(0, 800, 7)]
    for offset in range(0, 800, 3):
        day = start + datetime.timedelta(days=offset)
        for earlier in earlier_days:
            for months in (6, 12, 18):
                assert (months_since(earlier, day) >= months) == (
                    earlier <= months_before(day, months)
                ), (earlier, day, months)


def test_freshness_states(settings):
    now = datetime.date(2026, 11, 22)
    state = freshness.freshness_state
    assert state(checked_on=datetime.date(2026, 5, 23), today=now) == "fresh"
    assert state(checked_on=datetime.date(2026, 5, 22), today=now) == "due"
    assert state(checked_on=datetime.date(2025, 11, 22), today=now) == "overdue"
    assert state(checked_on=datetime.date(2025, 5, 22), today=now) == "overdue"
    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 18
    assert state(checked_on=datetime.date(2025, 5, 23), today=now) == "overdue"
    assert state(checked_on=datetime.date(2025, 5, 22), today=now) == "hidden"


# --- Reminders and escalation -----------------------------------------------------------------


def test_nothing_is_sent_for_listings_checked_in_the_last_6_months(
    organisation_a, provider_a, moderator, mailoutbox
):
    service(organisation_a, "Carers’ café", months_ago(5, days=27))

    report = stale_listings_remind()

    assert report.checked == 0
    assert mailoutbox == []
    assert FreshnessReminder.objects.count() == 0


def test_at_6_months_the_organisations_editors_get_a_one_click_link(
    organisation_a, organisation_b, provider_a, provider_b, moderator, mailoutbox
):
    cafe = service(organisation_a, "Carers’ café", months_ago(6))
    service(organisation_b, "Food parcels", months_ago(2))

    report = stale_listings_remind()

    assert (report.checked, report.reminded, report.escalated) == (1, 1, 0)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alex@carers.example"]
    assert message.subject == "Is your listing still correct? Carers’ café"
    assert f"http://testserver{cafe.url}" in message.body
    [link] = links_in(message)
    reminder = FreshnessReminder.objects.get()
    assert reminder.kind == FreshnessReminder.REMINDER
    assert reminder.service_id == cafe.pk
    assert reminder.assured_date_when_sent == cafe.assured_date
    assert reminder.expires_at - reminder.sent_at == datetime.timedelta(days=30)
    assert link == f"/providers/still-correct/{reminder_token(reminder=reminder)}/"


def test_a_listing_never_checked_counts_from_when_it_was_first_published(
    organisation_a, provider_a, mailoutbox
):
    service(organisation_a, "New group", None)
    old = service(organisation_a, "Old group", None)
    published = timezone.now() - datetime.timedelta(days=200)
    ServicePage.objects.filter(pk=old.pk).update(first_published_at=published)

    stale_listings_remind()

    assert [r.service_id for r in FreshnessReminder.objects.all()] == [old.pk]
    assert "Old group" in mailoutbox[0].body
    assert "New group" not in mailoutbox[0].body


def test_one_email_per_organisation_lists_each_listing_with_its_own_link(
    organisation_a, provider_a, mailoutbox
):
    member_of(organisation_a, "sam@carers.example")
    service(organisation_a, "Carers’ café", months_ago(7))
    service(organisation_a, "Memory clinic", months_ago(8))

    stale_listings_remind()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alex@carers.example", "sam@carers.example"]
    assert mailoutbox[0].subject == "Are your 2 listings still correct? Seaborough Carers Trust"
    assert len(set(links_in(mailoutbox[0]))) == 2


def test_running_again_sends_nothing_new(organisation_a, provider_a, moderator, mailoutbox, capsys):
    service(organisation_a, "Carers’ café", months_ago(13))

    call_command("remind_stale_listings")
    first = capsys.readouterr()
    call_command("remind_stale_listings")
    second = capsys.readouterr()

    assert len(mailoutbox) == 2  # the reminder and the escalation, once each
    assert FreshnessReminder.objects.count() == 2
    assert "Freshness: 1 listing due a check, 1 reminder sent, 1 escalated to moderators" in (
        first.out
    )
    assert "Freshness: 1 listing due a check, 0 reminders sent, 0 escalated" in second.out
    assert "Checking listings: done, 1 in" in first.err  # the progress summary


def test_an_unused_link_is_replaced_once_it_expires_but_escalation_is_not_repeated(
    organisation_a, provider_a, moderator, mailoutbox
):
    service(organisation_a, "Carers’ café", months_ago(12))
    stale_listings_remind()
    later = timezone.now() + datetime.timedelta(days=29)
    stale_listings_remind(now=later)
    assert len(mailoutbox) == 2  # nothing new while the first link still works

    after_expiry = timezone.now() + datetime.timedelta(days=31)
    stale_listings_remind(now=after_expiry)

    assert [m.to for m in mailoutbox[2:]] == [["alex@carers.example"]]
    assert FreshnessReminder.objects.filter(kind="reminder").count() == 2
    assert FreshnessReminder.objects.filter(kind="escalation").count() == 1


def test_at_12_months_moderators_get_an_escalation_with_admin_links(
    organisation_a, organisation_b, provider_a, moderator, mailoutbox
):
    cafe = service(organisation_a, "Carers’ café", months_ago(12))
    parcels = service(organisation_b, "Food parcels", months_ago(15))
    service(organisation_b, "Food vouchers", months_ago(11))

    report = stale_listings_remind()

    assert report.escalated == 2
    escalation = next(m for m in mailoutbox if m.to == ["mo@council.example"])
    assert escalation.subject == "2 listings not checked for 12 months"
    assert f"http://testserver/admin/pages/{cafe.pk}/edit/" in escalation.body
    assert f"http://testserver/admin/pages/{parcels.pk}/edit/" in escalation.body
    assert "Carers’ café (Seaborough Carers Trust)" in escalation.body
    assert "Food vouchers" not in escalation.body
    assert not links_in(escalation)  # moderators act in the admin, not with one-click links
    # Organisation B has no editors: nobody to remind, and the run says so.
    assert report.without_editors == ["Northfleet Food Bank"]
    assert report.reminded == 1


def test_the_service_page_warns_residents_at_12_months(client, organisation_a):
    stale = service(organisation_a, "Carers’ café", datetime.date(2025, 3, 1))
    fresh = service(organisation_a, "Memory clinic", months_ago(2))

    stale_html = client.get(stale.url).text
    assert "govuk-warning-text" in stale_html
    assert "This information was last checked on 1 March 2025." in stale_html
    assert "govuk-warning-text" not in client.get(fresh.url).text


def test_drafts_and_unpublished_listings_are_not_reminded(organisation_a, provider_a, mailoutbox):
    draft = ServicePageFactory(parent=organisation_a, assured_date=months_ago(9), live=False)
    gone = service(organisation_a, "Closed group", months_ago(9))
    gone.unpublish()

    stale_listings_remind()

    assert mailoutbox == []
    assert not FreshnessReminder.objects.filter(service__in=[draft, gone]).exists()


def test_the_daily_job_is_registered():
    job = next(job for job in jobs_registered() if job.name == "remind-stale-listings")
    assert job.command == "remind_stale_listings"
    assert job.every == datetime.timedelta(days=1)


# --- The one-click link -----------------------------------------------------------------------


@pytest.fixture
def reminded(organisation_a, provider_a, mailoutbox):
    """A listing 7 months old, its reminder and the link's path from the email."""
    cafe = service(organisation_a, "Carers’ café", months_ago(7))
    stale_listings_remind()
    [path] = links_in(mailoutbox[-1])
    return cafe, FreshnessReminder.objects.get(service=cafe), path


def test_the_link_confirms_the_listing_through_a_published_revision(reminded, client):
    cafe, reminder, path = reminded
    revisions_before = cafe.revisions.count()

    confirmed = listing_confirm(token=token_of(path))

    assert confirmed.assured_date == today()
    cafe.refresh_from_db()
    assert cafe.assured_date == today()
    assert cafe.revisions.count() == revisions_before + 1
    assert cafe.live_revision_id == cafe.latest_revision_id
    assert cafe.live_revision.as_object().assured_date == today()
    assert not cafe.has_unpublished_changes
    reminder.refresh_from_db()
    assert reminder.used_at is not None
    # Search and the API see the new date.
    assert SearchDocument.objects.get(service=cafe).assured_date == today()
    record = client.get(f"/api/oruk/services/{cafe.uuid}").json()
    assert record["assured_date"] == today().isoformat()
    # The audit log says how.
    entry = PageLogEntry.objects.get(page=cafe, action="directory.listing.confirm")
    assert entry.data == {"assured_date": today().isoformat(), "via": "email link"}
    assert PageLogEntry.objects.filter(page=cafe, action="wagtail.publish").count() >= 2


def test_the_link_works_once(reminded):
    _cafe, _reminder, path = reminded
    listing_confirm(token=token_of(path))

    with pytest.raises(StillCorrectLinkUsed):
        listing_confirm(token=token_of(path))


def test_the_link_expires_after_30_days(reminded):
    _cafe, reminder, path = reminded
    at_expiry = reminder.sent_at + datetime.timedelta(days=30)

    with pytest.raises(StillCorrectLinkExpired):
        listing_confirm(token=token_of(path), now=at_expiry)

    # The day before, it still works.
    listing_confirm(token=token_of(path), now=at_expiry - datetime.timedelta(days=1))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the value
        lambda token: token[: len(token) // 2],  # cut short
        lambda token: signing.dumps(token, salt="another purpose"),  # another salt
        lambda token: "",
    ],
)
def test_a_tampered_link_is_rejected(reminded, tamper):
    cafe, reminder, path = reminded

    with pytest.raises(StillCorrectLinkInvalid):
        listing_confirm(token=tamper(token_of(path)))

    reminder.refresh_from_db()
    assert reminder.used_at is None
    cafe.refresh_from_db()
    assert cafe.assured_date == months_ago(7)


def test_a_genuine_signature_for_no_reminder_or_an_escalation_is_rejected(
    organisation_a, moderator
):
    escalated = service(organisation_a, "Carers’ café", months_ago(13))
    stale_listings_remind()
    escalation = FreshnessReminder.objects.get(service=escalated, kind="escalation")
    unknown = signing.dumps("0" * 32, salt=freshness.TOKEN_SALT)

    for token in (unknown, reminder_token(reminder=escalation)):
        with pytest.raises(StillCorrectLinkInvalid):
            listing_confirm(token=token)


def test_a_link_for_an_unpublished_listing_says_so(reminded):
    cafe, _reminder, path = reminded
    cafe.unpublish()

    with pytest.raises(StillCorrectListingUnavailable):
        listing_confirm(token=token_of(path))


def test_confirming_keeps_an_edit_waiting_for_moderation(reminded, provider_a):
    cafe, _reminder, path = reminded
    draft = ServicePage.objects.get(pk=cafe.pk)
    draft.summary = "A new summary waiting for approval."
    pending = draft.save_revision(user=provider_a)
    draft.get_workflow().start(draft, provider_a)  # submitted for moderation

    listing_confirm(token=token_of(path))

    cafe.refresh_from_db()
    assert cafe.workflow_in_progress  # publishing would have cancelled it
    assert cafe.assured_date == today()
    assert cafe.summary == "A friendly local service."  # the live page is unchanged...
    assert cafe.latest_revision_id == pending.pk  # ...and the draft is still the latest
    assert cafe.has_unpublished_changes
    pending.refresh_from_db()
    assert pending.content["summary"] == "A new summary waiting for approval."
    assert pending.content["assured_date"] == today().isoformat()  # approval keeps the date
    assert SearchDocument.objects.get(service=cafe).assured_date == today()

    pending.publish()
    cafe.refresh_from_db()
    assert cafe.assured_date == today()


# --- The link's pages -------------------------------------------------------------------------


def test_the_link_page_asks_then_confirms_without_signing_in(reminded, client):
    cafe, _reminder, path = reminded

    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == CONFIRM_URL  # the token leaves the address bar

    page = client.get(CONFIRM_URL)
    assert page.status_code == 200
    assert "Is this listing still correct?" in page.text
    assert "Carers’ café" in page.text
    assert f"It was last checked on {months_ago(7):%-d %B %Y}" in page.text

    done = client.post(CONFIRM_URL, {"token": token_of(path)})
    assert done.status_code == 302
    thanks = client.get(CONFIRM_URL)
    assert "Thank you for confirming your listing" in thanks.text
    cafe.refresh_from_db()
    assert cafe.assured_date == today()


def test_using_the_link_again_fails_clearly(reminded, client):
    _cafe, _reminder, path = reminded
    listing_confirm(token=token_of(path))

    client.get(path)
    page = client.get(CONFIRM_URL)

    assert page.status_code == 410
    assert "This link has already been used" in page.text
    assert "/accounts/login/?next=/providers/" in page.text

    posted = client.post(CONFIRM_URL, {"token": token_of(path)})
    assert posted.status_code == 410
    assert "This link has already been used" in posted.text


def test_an_expired_link_fails_clearly(reminded, client):
    cafe, reminder, path = reminded
    FreshnessReminder.objects.filter(pk=reminder.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    client.get(path)
    page = client.get(CONFIRM_URL)

    assert page.status_code == 410
    assert "This link has expired" in page.text
    assert "Sign in" in page.text
    assert "confirm the listing from your dashboard" in page.text
    assert client.post(CONFIRM_URL, {"token": token_of(path)}).status_code == 410
    cafe.refresh_from_db()
    assert cafe.assured_date == months_ago(7)


def test_a_tampered_link_fails_clearly(reminded, client):
    _cafe, _reminder, path = reminded

    client.get(path[:-5] + "XXXX/")
    page = client.get(CONFIRM_URL)

    assert page.status_code == 400
    assert "This link does not work" in page.text
    assert "Check that you copied the whole link" in page.text
    assert client.post(CONFIRM_URL, {"token": "nonsense"}).status_code == 400


def test_the_page_without_a_link_explains_what_to_do(client):
    page = client.get(CONFIRM_URL)

    assert page.status_code == 400
    assert "We could not find the link from your email" in page.text


def test_the_token_never_reaches_the_logs(reminded, client, caplog):
    _cafe, _reminder, path = reminded
    token = token_of(path)
    caplog.set_level(logging.DEBUG)

    client.get(path)
    client.get(CONFIRM_URL)
    client.post(CONFIRM_URL, {"token": token})
    client.get(path)
    client.get(CONFIRM_URL)  # a failure (used), logged by Django as a 4xx
    client.post(CONFIRM_URL, {"token": token})

    assert caplog.records  # something was logged, so the check below means something
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in str(record.args)


# --- The providers' dashboard -----------------------------------------------------------------


def test_listings_freshness_shows_each_live_listing_stalest_first(
    organisation_a, organisation_b, settings
):
    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 18
    fresh = service(organisation_a, "Fresh", months_ago(1))
    due = service(organisation_a, "Due", months_ago(7))
    overdue = service(organisation_a, "Overdue", months_ago(13))
    hidden = service(organisation_a, "Hidden", months_ago(19))
    ServicePageFactory(parent=organisation_a, title="Draft", live=False)
    service(organisation_b, "Someone else's", months_ago(30))

    rows = listings_freshness(organisations=[organisation_a])

    assert [(row.service.pk, row.state) for row in rows] == [
        (hidden.pk, "hidden"),
        (overdue.pk, "overdue"),
        (due.pk, "due"),
        (fresh.pk, "fresh"),
    ]
    assert rows[1].months_since == 13
    assert rows[1].assured_date == months_ago(13)
    assert rows[0].organisation.pk == organisation_a.pk


def test_the_dashboard_partial_is_a_table_with_tags_and_confirm_buttons(organisation_a):
    due = service(organisation_a, "Carers’ café", months_ago(7))
    request = RequestFactory().get("/providers/")

    html = render_to_string(
        "directory/components/listings_freshness.html",
        {"listings": listings_freshness(organisations=[organisation_a]), "next": "/providers/"},
        request=request,
    )

    assert '<table class="govuk-table">' in html
    assert "govuk-tag--yellow" in html
    assert "Check due" in html
    assert f'action="/providers/listings/{due.pk}/confirm/"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'name="next" value="/providers/"' in html


def test_a_member_confirms_a_listing_from_the_dashboard(organisation_a, provider_a, client):
    due = service(organisation_a, "Carers’ café", months_ago(7))
    client.force_login(provider_a)

    response = client.post(f"/providers/listings/{due.pk}/confirm/", {"next": "/providers/"})

    assert response.status_code == 302
    assert response["Location"] == "/providers/"
    due.refresh_from_db()
    assert due.assured_date == today()
    entry = PageLogEntry.objects.get(page=due, action="directory.listing.confirm")
    assert entry.user_id == provider_a.pk
    assert entry.data["via"] == "dashboard"
    assert not ModelLogEntry.objects.exists()


def test_another_organisations_provider_gets_404_on_confirm(organisation_a, provider_b, client):
    due = service(organisation_a, "Carers’ café", months_ago(7))
    client.force_login(provider_b)

    assert client.post(f"/providers/listings/{due.pk}/confirm/").status_code == 404
    assert client.post("/providers/listings/999999/confirm/").status_code == 404
    due.refresh_from_db()
    assert due.assured_date == months_ago(7)


def test_confirming_from_the_dashboard_needs_sign_in_and_a_post(organisation_a, provider_a, client):
    due = service(organisation_a, "Carers’ café", months_ago(7))
    url = f"/providers/listings/{due.pk}/confirm/"

    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")

    client.force_login(provider_a)
    assert client.get(url).status_code == 405
    off_site = client.post(url, {"next": "https://evil.example/"})
    assert off_site["Location"] == "/providers/"


# --- Hiding stale listings --------------------------------------------------------------------


def test_with_the_setting_on_stale_listings_leave_the_api(organisation_a, client, settings):
    kept = service(organisation_a, "Checked 17 months ago", months_ago(17))
    hidden = service(organisation_a, "Checked 18 months ago", months_ago(18))
    never = service(organisation_a, "Never checked", None)
    ServicePage.objects.filter(pk=never.pk).update(
        first_published_at=timezone.now() - datetime.timedelta(days=600)
    )

    def api_titles():
        body = client.get("/api/oruk/services", {"per_page": 50}).json()
        return {item["name"] for item in body["contents"]}

    assert api_titles() == {kept.title, hidden.title, never.title}  # off by default

    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 18
    assert api_titles() == {kept.title}
    assert client.get(f"/api/oruk/services/{hidden.uuid}").status_code == 404
    assert client.get(f"/api/oruk/services/{kept.uuid}").status_code == 200
    # The listing keeps its own page, with the warning.
    page = client.get(hidden.url)
    assert page.status_code == 200
    assert "This information was last checked on" in page.text


def test_hidden_listings_are_still_reminded_and_confirming_brings_them_back(
    organisation_a, provider_a, moderator, client, settings, mailoutbox
):
    settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS = 18
    hidden = service(organisation_a, "Carers’ café", months_ago(19))

    stale_listings_remind()

    reminder = next(m for m in mailoutbox if m.to == ["alex@carers.example"])
    assert "it no longer appears in search results" in reminder.body
    [path] = links_in(reminder)
    listing_confirm(token=token_of(path))
    assert client.get(f"/api/oruk/services/{hidden.uuid}").status_code == 200


def run_settings(value: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DIRECTORY_HIDE_STALE_AFTER_MONTHS)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DIRECTORY_HIDE_STALE_AFTER_MONTHS": value,
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_hiding_setting_is_read_from_the_environment():
    assert run_settings("18").stdout.strip() == "18"
    assert run_settings("").stdout.strip() == "None"
    refused = run_settings("eighteen")
    assert refused.returncode != 0
    assert "DIRECTORY_HIDE_STALE_AFTER_MONTHS must be a whole number of months" in refused.stderr


def test_gunicorns_access_log_redacts_the_token(reminded):
    from types import SimpleNamespace

    from gunicorn.config import Config

    from portal.access_log import RedactingLogger

    _cafe, _reminder, path = reminded
    token = token_of(path)
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"http://testserver{path}",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", "/x/")])
    request = SimpleNamespace(headers=[("REFERER", f"http://testserver{path}")])

    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    line = logger.cfg.access_log_format % atoms

    assert token not in line
    assert token not in str(atoms)
    assert "GET /providers/still-correct/[redacted]/ HTTP/1.1" in line
