"""The shortlist ("My list"): the session-backed service functions and the pages around them."""

import logging
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from directory import shortlist
from directory.factories import (
    LocationFactory,
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServiceAtLocationFactory,
    ServicePageFactory,
    ServicePhoneFactory,
)
from portal import roles
from portal.factories import UserFactory
from tests.portal.tasks import DATABASE_TASKS, FAILING_EMAIL_BACKEND, run_worker

pytestmark = pytest.mark.django_db

LIST_URL = "/services/shortlist/"


def action_url(action: str) -> str:
    return f"{LIST_URL}{action}/"


@pytest.fixture
def session():
    return SessionStore()


@pytest.fixture
def services():
    organisation = OrganisationPageFactory(title="Seaborough Carers Trust")
    first = ServicePageFactory(parent=organisation, title="Carers’ café")
    second = ServicePageFactory(parent=organisation, title="Memory clinic")
    third = ServicePageFactory(parent=organisation, title="Walking group")
    ServicePhoneFactory(service=first, number="01702 123456")
    location = LocationFactory(name="Civic Centre", address_1="1 Victoria Avenue")
    ServiceAtLocationFactory(service=first, location=location)
    RegularScheduleFactory(service=first, weekday=0)
    return [first, second, third]


def add(client, service, next_url=None):
    data = {"service": service.pk}
    if next_url is not None:
        data["next"] = next_url
    return client.post(action_url("add"), data)


def session_ids(client) -> list[int]:
    return client.session.get(shortlist.SESSION_KEY, [])


# --- Service functions ------------------------------------------------------------------------


def test_add_keeps_the_order_services_were_added(session, services):
    first, second, third = services
    for service in [second, first, third]:
        shortlist.shortlist_add(session=session, service_id=service.pk)

    assert shortlist.shortlist_get(session=session) == [second, first, third]


def test_adding_twice_keeps_one(session, services):
    shortlist.shortlist_add(session=session, service_id=services[0].pk)
    shortlist.shortlist_add(session=session, service_id=services[0].pk)

    assert shortlist.shortlist_ids(session=session) == [services[0].pk]


def test_remove_and_clear(session, services):
    for service in services:
        shortlist.shortlist_add(session=session, service_id=service.pk)

    shortlist.shortlist_remove(session=session, service_id=services[1].pk)
    assert shortlist.shortlist_get(session=session) == [services[0], services[2]]

    shortlist.shortlist_clear(session=session)
    assert shortlist.shortlist_get(session=session) == []


def test_list_holds_at_most_50(session, services, monkeypatch):
    assert shortlist.MAX_ITEMS == 50
    monkeypatch.setattr(shortlist, "MAX_ITEMS", 2)
    shortlist.shortlist_add(session=session, service_id=services[0].pk)
    shortlist.shortlist_add(session=session, service_id=services[1].pk)

    with pytest.raises(shortlist.ShortlistFullError):
        shortlist.shortlist_add(session=session, service_id=services[2].pk)
    # Adding one already there is not an error, even when full.
    shortlist.shortlist_add(session=session, service_id=services[0].pk)


def test_services_no_longer_live_are_dropped_and_free_their_place(session, services, monkeypatch):
    monkeypatch.setattr(shortlist, "MAX_ITEMS", 2)
    shortlist.shortlist_add(session=session, service_id=services[0].pk)
    shortlist.shortlist_add(session=session, service_id=services[1].pk)

    services[0].unpublish()

    assert shortlist.shortlist_get(session=session) == [services[1]]
    assert shortlist.shortlist_count(session=session) == 1
    shortlist.shortlist_add(session=session, service_id=services[2].pk)
    assert shortlist.shortlist_get(session=session) == [services[1], services[2]]


def test_only_live_services_can_be_added(session, services):
    draft = ServicePageFactory(parent=services[0].get_parent(), live=False)

    with pytest.raises(shortlist.ServicePage.DoesNotExist):
        shortlist.shortlist_add(session=session, service_id=draft.pk)


def test_share_value_round_trip_ignores_rubbish(services):
    value = shortlist.shortlist_share_value(services=[services[2], services[0]])

    assert shortlist.shortlist_from_share_value(value=value) == [services[2], services[0]]
    assert shortlist.shortlist_from_share_value(value=f"not-a-uuid,{value},{value}") == [
        services[2],
        services[0],
    ]
    assert shortlist.shortlist_from_share_value(value="") == []


def test_only_signposting_staff_may_add_a_message():
    assert not shortlist.shortlist_user_can_add_message(user=UserFactory(roles=[roles.RESIDENTS]))
    assert not shortlist.shortlist_user_can_add_message(user=UserFactory(roles=[roles.PROVIDERS]))
    assert shortlist.shortlist_user_can_add_message(user=UserFactory(roles=[roles.PRACTITIONERS]))
    assert shortlist.shortlist_user_can_add_message(user=UserFactory(roles=[roles.MODERATORS]))


# --- Adding, removing and clearing through the pages ------------------------------------------


def test_add_from_a_service_page_goes_back_with_a_success_message(client, services):
    service = services[0]

    response = add(client, service, next_url=service.url)

    assert response.status_code == 302
    assert response["Location"] == service.url
    assert session_ids(client) == [service.pk]
    html = client.get(service.url).text
    assert "Carers’ café has been added to your list" in html
    assert "govuk-notification-banner--success" in html
    assert "Remove from my list" in html
    assert "My list (1)" in html


def test_shortlist_page_lists_key_facts_and_remove_buttons(client, services):
    add(client, services[0])
    add(client, services[1])

    html = client.get(LIST_URL).text

    assert '<h1 class="govuk-heading-xl">My list</h1>' in html
    assert "You have 2 services on your list" in html
    assert "Carers’ café" in html
    assert "Memory clinic" in html
    assert "Seaborough Carers Trust" in html
    assert 'href="tel:01702123456"' in html
    assert "1 Victoria Avenue" in html
    assert "Opening times" in html
    assert html.count("Remove from my list") == 2
    assert "Clear my list" in html


def test_remove_and_clear_through_the_pages(client, services):
    for service in services:
        add(client, service)

    response = client.post(action_url("remove"), {"service": services[1].pk, "next": LIST_URL})
    assert response["Location"] == LIST_URL
    assert session_ids(client) == [services[0].pk, services[2].pk]
    assert "Memory clinic has been removed from your list" in client.get(LIST_URL).text

    client.post(action_url("clear"))
    assert session_ids(client) == []
    html = client.get(LIST_URL).text
    assert "Your list has been cleared" in html
    assert "Your list is empty" in html


def test_adding_the_same_service_twice_keeps_one(client, services):
    add(client, services[0])
    add(client, services[0])

    assert session_ids(client) == [services[0].pk]


def test_adding_to_a_full_list_says_so(client, services, monkeypatch):
    monkeypatch.setattr(shortlist, "MAX_ITEMS", 1)
    add(client, services[0])

    add(client, services[1])

    assert session_ids(client) == [services[0].pk]
    assert "Your list is full" in client.get(LIST_URL).text


def test_unpublished_service_is_dropped_from_the_page(client, services):
    add(client, services[0])
    add(client, services[1])
    services[1].unpublish()

    html = client.get(LIST_URL).text

    assert f'id="service-{services[1].pk}"' not in html
    assert f'id="service-{services[0].pk}"' in html
    assert "You have 1 service on your list" in html


def test_adding_a_draft_or_unknown_service_is_not_found(client, services):
    draft = ServicePageFactory(parent=services[0].get_parent(), live=False)

    assert client.post(action_url("add"), {"service": draft.pk}).status_code == 404
    assert client.post(action_url("add"), {"service": "abc"}).status_code == 404


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "",
    ],
)
def test_next_must_be_on_this_site(client, services, next_url):
    response = add(client, services[0], next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == LIST_URL


@pytest.mark.parametrize("action", ["add", "remove", "clear", "save"])
def test_changes_need_a_post(client, services, action):
    assert client.get(action_url(action), {"service": services[0].pk}).status_code == 405
    assert session_ids(client) == []


def test_unknown_action_is_not_found(client):
    assert client.get(action_url("explode")).status_code == 404
    assert client.post(action_url("explode")).status_code == 404


def test_changes_need_the_csrf_token(services):
    client = Client(enforce_csrf_checks=True)

    assert add(client, services[0]).status_code == 403


# --- Print and share --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [action_url("print"), f"{LIST_URL}?print=1"])
def test_print_version_has_full_details(client, services, url):
    add(client, services[0])

    html = client.get(url).text

    assert "My list of services" in html
    assert "Print this page" in html
    assert "Monday" in html
    assert "9am to 5pm" in html
    assert "Who it is for" in html
    assert f"http://testserver{services[0].url}" in html
    assert "Remove from my list" not in html


def test_share_link_round_trip(client, services):
    add(client, services[2])
    add(client, services[0])
    html = client.get(LIST_URL).text
    share_url = next(
        line.split('href="')[1].split('"')[0]
        for line in html.splitlines()
        if "/services/shortlist/shared/?s=" in line
    )

    someone_else = Client()
    shared = someone_else.get(share_url)
    assert shared.status_code == 200
    assert "A shared list of services" in shared.text
    assert shared.text.index("Walking group") < shared.text.index("Carers’ café")
    assert "Remove from my list" not in shared.text
    assert "Save to my list" in shared.text

    ids = [services[2].pk, services[0].pk]
    response = someone_else.post(action_url("save"), {"service": ids, "next": LIST_URL})
    assert response["Location"] == LIST_URL
    assert someone_else.session[shortlist.SESSION_KEY] == ids
    assert "2 services have been saved to your list" in someone_else.get(LIST_URL).text


def test_a_shared_list_prints_without_touching_my_list(client, services):
    value = shortlist.shortlist_share_value(services=[services[1]])

    html = client.get(action_url("print"), {"s": value}).text

    assert "A list of services" in html
    assert "Memory clinic" in html
    assert session_ids(client) == []


def test_shared_link_with_nothing_live_says_so(client, services):
    value = shortlist.shortlist_share_value(services=[services[0]])
    services[0].unpublish()

    html = client.get(action_url("shared"), {"s": value}).text

    assert "There are no services in this list" in html


# --- Email ------------------------------------------------------------------------------------


def email(client, **data):
    return client.post(action_url("email"), data)


def test_email_sends_the_list_as_plain_text(client, services, mailoutbox):
    add(client, services[0])
    add(client, services[1])

    response = email(client, email="resident@example.com")

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["resident@example.com"]
    assert "Your list of services" in message.subject
    body = message.body
    assert "Carers’ café" in body
    assert "Memory clinic" in body
    assert f"http://testserver{services[0].url}" in body
    assert "Phone: 01702 123456" in body
    assert "Address: 1 Victoria Avenue" in body
    assert "Monday: 9am to 5pm" in body
    assert "Closed on bank holidays" in body
    assert "http://testserver/services/shortlist/shared/?s=" in body
    assert "&#x27;" not in body
    assert "&amp;" not in body
    confirmation = client.get(response["Location"]).text
    assert "Your list has been sent" in confirmation
    assert "govuk-panel--confirmation" in confirmation


def test_email_address_is_not_logged(client, services, mailoutbox, caplog):
    add(client, services[0])

    with caplog.at_level(logging.DEBUG):
        email(client, email="private.person@example.com")

    assert len(mailoutbox) == 1
    assert "private.person@example.com" not in caplog.text


def test_email_address_must_look_like_one(client, services, mailoutbox):
    add(client, services[0])

    response = email(client, email="not an email")

    assert response.status_code == 200
    html = response.text
    assert "govuk-error-summary" in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert 'value="not an email"' in html
    assert "<title>Error: " in html
    assert mailoutbox == []


def test_email_needs_an_address(client, services, mailoutbox):
    add(client, services[0])

    assert "Enter an email address" in email(client, email="").text
    assert mailoutbox == []


def test_empty_list_cannot_be_emailed(client, mailoutbox):
    html = email(client, email="resident@example.com").text

    assert "govuk-error-summary" in html
    assert "Your list is empty" in html
    assert mailoutbox == []


def test_residents_cannot_add_a_message(client, services, mailoutbox):
    client.force_login(UserFactory(roles=[roles.RESIDENTS]))
    add(client, services[0])

    assert 'name="message"' not in client.get(action_url("email")).text
    email(client, email="resident@example.com", message="Call them on Monday")

    assert "Call them on Monday" not in mailoutbox[0].body


def signed_in_with_mfa(client, role):
    user = UserFactory(roles=[role])
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    return user


def test_providers_cannot_add_a_message(client, services, mailoutbox):
    signed_in_with_mfa(client, roles.PROVIDERS)
    add(client, services[0])

    email(client, email="resident@example.com", message="Call them on Monday")

    assert "Call them on Monday" not in mailoutbox[0].body


def test_signposting_staff_can_add_a_short_message(client, services, mailoutbox):
    signed_in_with_mfa(client, roles.PRACTITIONERS)
    add(client, services[0])

    assert 'name="message"' in client.get(action_url("email")).text
    too_long = email(client, email="resident@example.com", message="x" * 501)
    assert "Message must be 500 characters or fewer" in too_long.text
    assert mailoutbox == []

    email(client, email="resident@example.com", message="Call them on Monday")

    assert mailoutbox[0].body.startswith("A message from the person who sent you this list:")
    assert "Call them on Monday" in mailoutbox[0].body


def test_emailing_is_rate_limited_with_a_clear_message(client, services, mailoutbox, settings):
    settings.SHORTLIST_EMAIL_RATE = "2/h"
    add(client, services[0])

    for _ in range(2):
        assert email(client, email="resident@example.com").status_code == 302
    response = email(client, email="resident@example.com")

    assert response.status_code == 429
    assert "You have sent too many lists by email. Wait an hour and try again" in response.text
    assert 'value="resident@example.com"' in response.text
    assert len(mailoutbox) == 2


def test_email_confirmation_shows_once(client, services, mailoutbox):
    add(client, services[0])
    email(client, email="resident@example.com")

    assert "Your list has been sent" in client.get(action_url("email")).text
    assert "Your list has been sent" not in client.get(action_url("email")).text


def test_email_page_succeeds_when_the_mail_server_fails(client, services, settings, mailoutbox):
    settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND
    add(client, services[0])

    response = email(client, email="resident@example.com")

    assert response.status_code == 302
    assert "Your list has been sent" in client.get(response["Location"]).text
    assert mailoutbox == []


# The worker reopens database connections, so these tests commit; serialized_rollback brings
# back the pages that migrations create.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_list_email_is_retried_later_by_the_worker(client, services, settings, mailoutbox):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND
    add(client, services[0])

    response = email(client, email="resident@example.com")

    assert response.status_code == 302
    assert "Your list has been sent" in client.get(response["Location"]).text
    queued = DBTaskResult.objects.get(task_path="portal.email.email_deliver")
    assert queued.status == "READY"
    started = timezone.now()
    run_worker()
    assert mailoutbox == []
    retry = DBTaskResult.objects.get(task_path="portal.email.email_deliver", status="READY")
    assert retry.run_after > started + timedelta(seconds=59)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    assert [message.to for message in mailoutbox] == [["resident@example.com"]]
    assert "Carers’ café" in mailoutbox[0].body


# --- The button partial -----------------------------------------------------------------------


def test_button_partial_is_self_contained(rf, services):
    request = rf.get("/services/?q=cafe")
    request.session = SessionStore()
    html = render_to_string(
        "directory/components/shortlist_button.html", {"service": services[0]}, request=request
    )
    assert 'action="/services/shortlist/add/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/services/?q=cafe"' in html
    assert "Add to my list" in html

    shortlist.shortlist_add(session=request.session, service_id=services[0].pk)
    html = render_to_string(
        "directory/components/shortlist_button.html", {"service": services[0]}, request=request
    )
    assert 'action="/services/shortlist/remove/"' in html
    assert "Remove from my list" in html
