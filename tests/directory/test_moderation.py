"""Listing moderation (ADR 0010): field groups, trusted organisations' automatic approval, the
moderators' queue and diff, decisions through Wagtail's task API, and the emails."""

from __future__ import annotations

import datetime
import json
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState, WorkflowState

from directory.factories import (
    OrganisationPageFactory,
    RegularScheduleFactory,
    ServicePageFactory,
    ServicePhoneFactory,
    TaxonomyTermFactory,
)
from directory.models import (
    ListingModerationTask,
    ModerationPreference,
    OrganisationPage,
    RegularSchedule,
    ScheduleException,
    ServicePage,
)
from directory.models.moderation import FieldGroupsWidget
from directory.moderation import (
    changed_field_groups,
    digest_window,
    listing_change_approve,
    listing_change_reject,
    listing_submission_message,
    moderation_digest_send,
)
from directory.providers import membership_add
from portal import roles
from portal.factories import UserFactory
from portal.scheduling import jobs_registered
from search.query import ServiceQuery
from search.services import search_services

pytestmark = pytest.mark.django_db

MONDAY, SATURDAY = 0, 5
QUEUE_URL = "/admin/listing-changes/"


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "X"})
    return user


def review_url(task_state) -> str:
    return reverse("directory_listing_change", args=[task_state.pk])


@pytest.fixture
def organisation():
    return OrganisationPageFactory(title="Seaborough Carers Trust", email="hello@carers.example")


@pytest.fixture
def service(organisation):
    service = ServicePageFactory(
        parent=organisation, title="Carers’ café", email="cafe@carers.example"
    )
    RegularScheduleFactory(
        service=service,
        weekday=MONDAY,
        opens_at=datetime.time(9, 30),
        closes_at=datetime.time(16, 30),
    )
    ServicePhoneFactory(service=service, number="01702 111111")
    return ServicePage.objects.get(pk=service.pk)


@pytest.fixture
def provider(organisation):
    user = with_mfa(UserFactory(email="provider@carers.example", first_name="Pat"))
    membership_add(organisation=organisation, user=user)
    return user


@pytest.fixture
def colleague(organisation):
    user = UserFactory(email="colleague@carers.example")
    membership_add(organisation=organisation, user=user)
    return user


@pytest.fixture
def moderator():
    return with_mfa(UserFactory(email="moderator@council.example", roles=[roles.MODERATORS]))


# --- Changes, as a provider makes them ----------------------------------------------------


def move_to_saturday(page):
    rows = list(page.regular_schedules.all())
    rows[0].weekday = SATURDAY
    rows[0].opens_at = datetime.time(10)
    page.regular_schedules = rows


def add_closure(page):
    page.schedule_exceptions = [ScheduleException(date=datetime.date(2026, 12, 25), closed=True)]


def open_on_bank_holidays(page):
    page.closed_on_bank_holidays = False


def change_phone(page):
    rows = list(page.phones.all())
    rows[0].number = "01702 999999"
    page.phones = rows


def change_email(page):
    page.email = "new-cafe@carers.example"


def change_summary(page):
    page.summary = "A completely different service."


def change_categories(page):
    page.taxonomy_terms = [TaxonomyTermFactory()]


def draft(service, *changes):
    """A revision of the live service with `changes` applied, as the editor saves one; the
    live row is untouched."""
    page = ServicePage.objects.get(pk=service.pk)
    for change in changes:
        change(page)
    return page, page.save_revision(user=None)


def submit(page, user, *changes) -> WorkflowState:
    """Edit and submit for moderation, as the editor's "Submit for moderation" does."""
    page = type(page).objects.get(pk=page.pk)
    for change in changes:
        change(page)
    page.save_revision(user=user)
    return page.get_workflow().start(page, user)


def waiting_task_state(page) -> TaskState:
    return TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )


def live_weekdays(service) -> list[int]:
    return list(
        RegularSchedule.objects.filter(service_id=service.pk).values_list("weekday", flat=True)
    )


# --- Field groups ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ((move_to_saturday,), {"opening_times"}),
        ((add_closure,), {"opening_times"}),
        ((open_on_bank_holidays,), {"opening_times"}),
        ((change_phone,), {"phone"}),
        ((change_email,), {"email"}),
        ((change_summary,), {"other"}),
        ((change_categories,), {"other"}),
        ((move_to_saturday, change_phone), {"opening_times", "phone"}),
        ((add_closure, change_phone, change_email), {"opening_times", "phone", "email"}),
        ((change_email, change_summary), {"email", "other"}),
        ((), set()),
    ],
)
def test_changed_field_groups_name_what_a_revision_changes(service, changes, expected):
    page, revision = draft(service, *changes)

    assert changed_field_groups(page=page, revision=revision) == expected


def test_rich_text_rewritten_by_the_editor_is_not_a_change(service):
    ServicePage.objects.filter(pk=service.pk).update(extra_information="<p>Bring a friend.</p>")

    def resave_rich_text(page):
        page.extra_information = '<p data-block-key="x1y2z">Bring a friend.</p>'

    def edit_rich_text(page):
        page.extra_information = '<p data-block-key="x1y2z">Bring two friends.</p>'

    assert changed_field_groups(page=service, revision=draft(service, resave_rich_text)[1]) == set()
    assert changed_field_groups(page=service, revision=draft(service, edit_rich_text)[1]) == {
        "other"
    }


def test_a_new_listing_counts_as_other(organisation):
    page = ServicePageFactory(parent=organisation, live=False)

    assert changed_field_groups(page=page, revision=page.save_revision()) == {"other"}


def test_organisation_contact_details_fall_in_the_phone_and_email_groups(organisation):
    page = OrganisationPage.objects.get(pk=organisation.pk)
    page.phone = "01702 222222"
    page.email = "new@carers.example"

    assert changed_field_groups(page=page, revision=page.save_revision()) == {"phone", "email"}


# --- Automatic approval -------------------------------------------------------------------


def trust(organisation, *groups):
    OrganisationPage.objects.filter(pk=organisation.pk).update(
        is_trusted=True, trusted_field_groups=list(groups)
    )


def test_a_trusted_organisations_low_risk_change_publishes_at_once(
    organisation, service, provider, moderator
):
    trust(organisation, "opening_times")

    state = submit(service, provider, move_to_saturday)

    assert state.status == WorkflowState.STATUS_APPROVED
    assert live_weekdays(service) == [SATURDAY]
    task_state = state.current_task_state
    assert task_state.finished_by is None
    assert task_state.comment == (
        "Published without moderation: trusted organisation, low-risk change (opening times)"
    )
    approval = PageLogEntry.objects.get(page=service, action="wagtail.workflow.approve")
    assert approval.user is None
    assert approval.data["comment"] == task_state.comment
    publish = PageLogEntry.objects.filter(page=service, action="wagtail.publish").latest("pk")
    assert publish.user == provider
    assert mail.outbox == []  # nothing for a moderator to do, and the provider saw it published
    assert "have been published" in listing_submission_message(page=service)


@pytest.mark.parametrize(
    ("trusted_groups", "changes"),
    [
        (("opening_times",), (move_to_saturday, change_phone)),  # phone is not trusted
        (("opening_times", "phone", "email"), (move_to_saturday, change_summary)),
        ((), (move_to_saturday,)),
    ],
)
def test_a_trusted_organisation_waits_for_anything_beyond_its_trusted_groups(
    organisation, service, provider, trusted_groups, changes
):
    trust(organisation, *trusted_groups)

    state = submit(service, provider, *changes)

    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert live_weekdays(service) == [MONDAY]


def test_an_untrusted_organisation_always_waits(organisation, service, provider):
    OrganisationPage.objects.filter(pk=organisation.pk).update(
        trusted_field_groups=["opening_times"]
    )

    state = submit(service, provider, move_to_saturday)

    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert "awaiting approval" in listing_submission_message(page=service)


def test_a_trusted_organisations_new_listing_waits(organisation, provider):
    trust(organisation, "opening_times", "phone", "email")
    page = ServicePageFactory(parent=organisation, live=False)

    state = submit(page, provider)

    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not ServicePage.objects.get(pk=page.pk).live


# --- Through the page editor ---------------------------------------------------------------


class EditForm(HTMLParser):
    """The page editor's form fields as a browser would submit them (without JavaScript)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value") or "on")
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.removeprefix("\n")


def submit_in_editor(client, page, **changes):
    """Open the page in Wagtail's editor, change fields and press "Submit for moderation"."""
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = EditForm(client.get(url).text).data
    data.pop("csrfmiddlewaretoken", None)
    data.update({name: [value] for name, value in changes.items()})
    data["action-submit"] = ["Submit"]
    return client.post(url, data, follow=True)


def test_the_provider_is_told_their_change_awaits_approval(client, service, provider):
    client.force_login(provider)

    response = submit_in_editor(client, service, **{"regular_schedules-0-weekday": "5"})

    assert response.status_code == 200
    html = response.text
    assert "are awaiting approval. They will be published once a moderator approves them" in html
    assert "submitted for moderation" not in html
    assert live_weekdays(service) == [MONDAY]
    assert changed_field_groups(
        page=service, revision=ServicePage.objects.get(pk=service.pk).get_latest_revision()
    ) == {"opening_times"}


def test_the_provider_of_a_trusted_organisation_sees_it_published(
    client, organisation, service, provider
):
    trust(organisation, "opening_times")
    client.force_login(provider)

    response = submit_in_editor(client, service, **{"regular_schedules-0-weekday": "5"})

    assert "have been published" in response.text
    assert live_weekdays(service) == [SATURDAY]


# --- A pending edit stays private until approved -------------------------------------------


def found_on_saturday(service) -> bool:
    results = search_services(ServiceQuery(day=SATURDAY))
    return service.pk in {hit.card.id for hit in results.hits}


def api_weekdays(client, service) -> list[str]:
    body = client.get(f"/api/oruk/services/{service.uuid}").json()
    return [schedule["byday"] for schedule in body["schedules"]]


def test_a_pending_edit_is_not_public_until_approved(client, service, provider, moderator):
    submit(service, provider, move_to_saturday, change_summary)
    task_state = waiting_task_state(service)

    page = client.get(service.url).text
    assert "9:30am to 4:30pm" in page
    assert "10am to 4:30pm" not in page
    assert "A completely different service." not in page
    assert not found_on_saturday(service)
    assert "Carers’ café" not in client.get("/services/", {"day": "saturday"}).text
    assert api_weekdays(client, service) == ["MO"]

    listing_change_approve(task_state_id=task_state.pk, user=moderator)

    page = client.get(service.url).text
    assert "10am to 4:30pm" in page
    assert "9:30am to 4:30pm" not in page
    assert "A completely different service." in page
    assert found_on_saturday(service)
    assert "Carers’ café" in client.get("/services/", {"day": "saturday"}).text
    assert api_weekdays(client, service) == ["SA"]


def test_a_rejected_edit_is_not_published(client, service, provider, moderator):
    state = submit(service, provider, move_to_saturday)

    listing_change_reject(
        task_state_id=waiting_task_state(service).pk, user=moderator, comment="Which hall?"
    )

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert live_weekdays(service) == [MONDAY]
    assert api_weekdays(client, service) == ["MO"]
    assert not found_on_saturday(service)


# --- The queue and the review page ----------------------------------------------------------


def test_the_queue_lists_waiting_changes_oldest_first_with_what_changed(
    client, organisation, service, provider, moderator
):
    other = ServicePageFactory(parent=organisation, title="Walking group")
    submit(service, provider, move_to_saturday, change_phone)
    submit(other, provider, change_summary)
    client.force_login(moderator)

    html = client.get(QUEUE_URL).text

    assert html.index("Carers’ café") < html.index("Walking group")
    assert "Opening times and phone numbers" in html
    assert "Other details" in html
    assert "Seaborough Carers Trust" in html
    assert "Pat" in html
    assert 'name="task_state"' in html
    assert "Approve selected" in html


def test_the_review_page_shows_the_change_as_a_diff_against_the_live_version(
    client, service, provider, moderator
):
    submit(service, provider, move_to_saturday, change_email)
    client.force_login(moderator)

    response = client.get(review_url(waiting_task_state(service)))

    html = response.text
    assert response.status_code == 200
    assert "Changes against the live version" in html
    assert "Weekly opening times" in html
    assert "Saturday" in html
    assert "Monday" in html
    assert re.search(r'<ins class="addition"><span class="w-sr-only">\[added: </span>new-', html)
    assert re.search(
        r'<del class="deletion"><span class="w-sr-only">\[removed: </span>Monday', html
    )
    assert "Saturday" in html
    assert "Approve and publish" in html
    assert "Reject" in html


def test_approving_from_the_review_page_publishes_and_logs_who_when_and_the_comment(
    client, service, provider, moderator
):
    submit(service, provider, move_to_saturday)
    task_state = waiting_task_state(service)
    client.force_login(moderator)
    before = datetime.datetime.now(tz=datetime.UTC)

    response = client.post(review_url(task_state), {"approve": "approve", "comment": "Thanks"})

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    assert live_weekdays(service) == [SATURDAY]
    entry = PageLogEntry.objects.get(page=service, action="wagtail.workflow.approve")
    assert entry.user == moderator
    assert entry.timestamp >= before
    assert entry.data["comment"] == "Thanks"
    task_state.refresh_from_db()
    assert task_state.finished_by == moderator


def test_rejecting_needs_a_comment(client, service, provider, moderator):
    submit(service, provider, move_to_saturday)
    task_state = waiting_task_state(service)
    client.force_login(moderator)

    response = client.post(review_url(task_state), {"reject": "reject", "comment": "  "})

    assert response.status_code == 200
    assert "Say what needs to change" in response.text
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    with pytest.raises(ValidationError):
        listing_change_reject(task_state_id=task_state.pk, user=moderator, comment="")
    # Wagtail's own "Request changes" dialogue asks for it too.
    form_class = ListingModerationTask.objects.get().get_form_for_action("reject")
    assert not form_class({"comment": ""}).is_valid()


def test_rejecting_keeps_the_live_version_and_logs_the_comment(
    client, service, provider, moderator
):
    submit(service, provider, move_to_saturday)
    task_state = waiting_task_state(service)
    client.force_login(moderator)

    response = client.post(
        review_url(task_state), {"reject": "reject", "comment": "Saturday is not right"}
    )

    assert response.status_code == 302
    assert live_weekdays(service) == [MONDAY]
    entry = PageLogEntry.objects.get(page=service, action="wagtail.workflow.reject")
    assert entry.user == moderator
    assert entry.data["comment"] == "Saturday is not right"


def test_bulk_approve_publishes_each_and_logs_each_separately(
    client, organisation, service, provider, moderator
):
    other = ServicePageFactory(parent=organisation, title="Walking group")
    submit(service, provider, move_to_saturday)
    submit(other, provider, change_summary)
    ids = [waiting_task_state(service).pk, waiting_task_state(other).pk]
    client.force_login(moderator)

    response = client.post(QUEUE_URL, {"task_state": ids})

    assert response.status_code == 302
    assert live_weekdays(service) == [SATURDAY]
    assert ServicePage.objects.get(pk=other.pk).summary == "A completely different service."
    approvals = PageLogEntry.objects.filter(action="wagtail.workflow.approve")
    assert sorted(entry.page_id for entry in approvals) == sorted([service.pk, other.pk])
    assert {entry.user for entry in approvals} == {moderator}
    assert not TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).exists()


def test_a_rejected_change_resubmitted_waits_again_and_moderators_hear_of_it(
    service, provider, moderator
):
    state = submit(service, provider, move_to_saturday)
    listing_change_reject(
        task_state_id=waiting_task_state(service).pk, user=moderator, comment="Which hall?"
    )
    mail.outbox.clear()

    page = ServicePage.objects.get(pk=service.pk)
    page.save_revision(user=provider)
    WorkflowState.objects.get(pk=state.pk).resume(user=provider)

    assert waiting_task_state(service)
    assert recipients() == ["moderator@council.example"]
    assert "awaiting approval" in listing_submission_message(page=service)


def test_a_change_decided_already_is_skipped_by_bulk_approve(client, service, provider, moderator):
    submit(service, provider, move_to_saturday)
    task_state = waiting_task_state(service)
    listing_change_reject(task_state_id=task_state.pk, user=moderator, comment="No")
    client.force_login(moderator)

    client.post(QUEUE_URL, {"task_state": [task_state.pk]})

    assert live_weekdays(service) == [MONDAY]
    assert client.get(review_url(task_state)).status_code == 404


@pytest.mark.parametrize("path", ["queue", "review", "emails"])
def test_providers_cannot_reach_the_moderation_pages(client, service, provider, path):
    submit(service, provider, move_to_saturday)
    url = {
        "queue": QUEUE_URL,
        "review": review_url(waiting_task_state(service)),
        "emails": reverse("directory_moderation_preferences"),
    }[path]
    client.force_login(provider)

    assert client.get(url).status_code == 403
    assert client.post(url, {"task_state": [1], "approve": "approve"}).status_code == 403
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_IN_PROGRESS


def test_providers_cannot_decide_through_the_services(service, provider):
    submit(service, provider, move_to_saturday)

    with pytest.raises(PermissionDenied):
        listing_change_approve(task_state_id=waiting_task_state(service).pk, user=provider)


def test_the_menu_item_shows_to_moderators_only(client, provider, moderator):
    client.force_login(moderator)
    assert QUEUE_URL in client.get("/admin/").text
    client.force_login(provider)
    assert QUEUE_URL not in client.get("/admin/").text


# --- Trust settings -----------------------------------------------------------------------


def test_trusted_field_groups_are_tick_boxes_that_store_a_list():
    widget = FieldGroupsWidget()

    html = widget.render("trusted_field_groups", json.dumps(["phone"]))
    value = widget.value_from_datadict(
        {"trusted_field_groups": ["opening_times", "email"]}, {}, "trusted_field_groups"
    )

    assert html.count('type="checkbox"') == 3
    assert re.search(r'<input[^>]*value="phone"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="email"[^>]*checked', html)
    assert "Opening times" in html
    assert json.loads(value) == ["opening_times", "email"]


def test_a_moderator_marks_an_organisation_trusted_with_tick_boxes(
    client, organisation, provider, moderator
):
    url = reverse("wagtailadmin_pages:edit", args=[organisation.pk])
    client.force_login(provider)
    assert 'name="trusted_field_groups"' not in client.get(url).text
    client.force_login(moderator)
    html = client.get(url).text
    assert html.count('name="trusted_field_groups"') == 3  # one tick box per group

    data = EditForm(html).data
    data.pop("csrfmiddlewaretoken", None)
    data.update(
        {"is_trusted": ["on"], "trusted_field_groups": ["opening_times", "phone"]},
        **{"action-publish": ["Publish"]},
    )
    response = client.post(url, data)

    assert response.status_code == 302
    organisation = OrganisationPage.objects.get(pk=organisation.pk)
    assert organisation.is_trusted
    assert organisation.trusted_field_groups == ["opening_times", "phone"]


def test_an_unknown_trusted_field_group_is_refused(organisation):
    page = OrganisationPage.objects.get(pk=organisation.pk)
    page.trusted_field_groups = ["opening_times", "everything"]

    with pytest.raises(ValidationError):
        page.full_clean()


# --- Emails -------------------------------------------------------------------------------


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_moderator_is_emailed_about_a_new_submission_unless_they_chose_the_digest(
    service, provider, moderator
):
    digest_reader = UserFactory(email="digest@council.example", roles=[roles.MODERATORS])
    ModerationPreference.objects.create(user=digest_reader, daily_digest=True)
    UserFactory(email="root@council.example", is_superuser=True, is_staff=True)

    state = submit(service, provider, move_to_saturday)

    assert recipients() == ["moderator@council.example"]  # not Wagtail's own emails
    message = mail.outbox[0]
    assert message.subject == "Listing change to check: Carers’ café"
    assert "Pat" in message.body
    assert "opening times" in message.body
    assert f"/admin/listing-changes/{state.current_task_state.pk}/" in message.body


def test_the_submitter_and_the_organisations_editors_hear_of_an_approval(
    service, provider, colleague, moderator
):
    submit(service, provider, move_to_saturday)
    mail.outbox.clear()

    listing_change_approve(task_state_id=waiting_task_state(service).pk, user=moderator)

    assert recipients() == ["colleague@carers.example", "provider@carers.example"]
    assert mail.outbox[0].subject == "Your change to Carers’ café has been published"
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_a_rejection_email_carries_the_moderators_comment(service, provider, colleague, moderator):
    submit(service, provider, move_to_saturday)
    mail.outbox.clear()

    listing_change_reject(
        task_state_id=waiting_task_state(service).pk,
        user=moderator,
        comment="Saturday opening needs a location",
    )

    assert recipients() == ["colleague@carers.example", "provider@carers.example"]
    message = mail.outbox[0]
    assert message.subject == "Your change to Carers’ café needs changes"
    assert "Saturday opening needs a location" in message.body
    assert f"/admin/pages/{service.pk}/edit/" in message.body


def test_the_daily_digest_lists_the_days_new_submissions(
    client, service, organisation, provider, moderator
):
    ModerationPreference.objects.create(user=moderator, daily_digest=True)
    other = ServicePageFactory(parent=organisation, title="Walking group")
    submit(service, provider, move_to_saturday)
    submit(other, provider, change_summary)
    assert mail.outbox == []  # no email each

    # The next digest after now: the first 07:00 to come, plus an hour's delay.
    now = datetime.datetime.now(tz=zoneinfo.ZoneInfo("Europe/London"))
    next_digest = now.replace(hour=7, minute=0, second=0, microsecond=0)
    if next_digest <= now:
        next_digest += datetime.timedelta(days=1)
    tomorrow_morning = next_digest + datetime.timedelta(hours=1)
    count = moderation_digest_send(now=tomorrow_morning)

    assert count == 2
    assert recipients() == ["moderator@council.example"]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "2 new listing changes to check"
    assert "Carers’ café" in body
    assert "opening times" in body
    assert "Walking group" in body
    # A day later, nothing new: nothing sent.
    mail.outbox.clear()
    assert moderation_digest_send(now=tomorrow_morning + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_the_digest_window_is_the_day_up_to_seven_in_the_morning():
    london = zoneinfo.ZoneInfo("Europe/London")

    since, until = digest_window(now=datetime.datetime(2026, 11, 22, 6, 59, tzinfo=london))

    assert until == datetime.datetime(2026, 11, 21, 7, tzinfo=london)
    assert since == datetime.datetime(2026, 11, 20, 7, tzinfo=london)


def test_the_digest_is_a_daily_scheduled_command(moderator, service, provider):
    ModerationPreference.objects.create(user=moderator, daily_digest=True)
    job = next(job for job in jobs_registered() if job.name == "send-moderation-digest")

    assert job.command == "send_moderation_digest"
    assert job.every == datetime.timedelta(days=1)
    call_command("send_moderation_digest")


def test_a_moderator_chooses_the_daily_digest(client, moderator):
    client.force_login(moderator)
    url = reverse("directory_moderation_preferences")

    assert "One email a day" in client.get(url).text
    response = client.post(url, {"daily_digest": "on"})

    assert response.status_code == 302
    assert ModerationPreference.objects.get(user=moderator).daily_digest
    client.post(url, {"daily_digest": ""})
    assert not ModerationPreference.objects.get(user=moderator).daily_digest


def test_the_logo_is_offered_only_to_people_who_may_choose_images(
    client, organisation, provider, moderator
):
    """Providers cannot pick from the image library, so their editor has no logo field (a
    chooser that lists images and then refuses to pick one helps nobody); their edits keep
    the logo a moderator chose. Moderators see and can change it."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    logo = get_image_model().objects.create(title="Trust logo", file=get_test_image_file())
    organisation.logo = logo
    organisation.save_revision().publish()
    url = reverse("wagtailadmin_pages:edit", args=[organisation.pk])

    client.force_login(provider)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="logo"' not in page.text
    submit_in_editor(client, organisation, description="Support for unpaid carers.")
    latest = OrganisationPage.objects.get(pk=organisation.pk).get_latest_revision_as_object()
    assert latest.description == "Support for unpaid carers."
    assert latest.logo_id == logo.pk

    client.force_login(moderator)
    assert 'name="logo"' in client.get(url).text
