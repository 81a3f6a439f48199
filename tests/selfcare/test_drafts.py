"""Save and return (issue 6): a signed-in person's self-assessment is saved as they go and
follows them to another device; drafts expire 60 days after the last save, with a reminder
email 7 days before. Anonymous people and wellbeing checks are never saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal.factories import UserFactory
from selfcare.models import SavedDraft, Submission

from .test_submissions import BASE, PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory(email="carer@example.com")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signed_in_answers_are_saved_for_60_days(person):
    client = _signed_in(person)
    before = timezone.now()
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    draft = SavedDraft.objects.get(user=person)
    assert draft.definition_slug == "example-send"
    assert draft.definition_version == 1
    assert draft.answers == {"for-whom": "someone-else"}
    assert draft.saved_pages == ["for-whom"]
    assert before + dt.timedelta(days=60) <= draft.expires_at
    assert draft.expires_at <= timezone.now() + dt.timedelta(days=60)
    html = client.get(f"{BASE}/").content.decode()
    assert f"saved to your account until {timezone.localtime(draft.expires_at):%-d %B %Y}" in html


def test_another_device_carries_on_where_the_person_left_off(person):
    first = _signed_in(person)
    first.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    first.post(f"{BASE}/q/coping/", PAGES["coping"])
    second = _signed_in(person)  # a new session: another browser
    # The start page offers to continue; the first unanswered page is next.
    start = second.get(f"{BASE}/").content.decode()
    assert "Continue where you left off" in start
    assert (
        "Continue where you left off"
        not in _signed_in(UserFactory()).get(f"{BASE}/").content.decode()
    )  # nobody else's answers
    assert second.session["selfcare"]["example-send"]["answers"] == {
        "for-whom": "someone-else",
        "coping": "yes",
    }
    for page_id in ("help", "contact", "consent-share"):
        assert second.post(f"{BASE}/q/{page_id}/", PAGES[page_id]).status_code == 302
    second.post(f"{BASE}/check/")
    submission = Submission.objects.get()
    assert submission.answers["for-whom"] == "someone-else"
    assert submission.user == person
    assert not SavedDraft.objects.exists()  # sent: the draft is gone


def test_newer_answers_from_another_device_replace_older_ones_in_this_session(person):
    first = _signed_in(person)
    second = _signed_in(person)
    first.post(f"{BASE}/q/for-whom/", {"for-whom": "myself"})
    second.get(f"{BASE}/")  # loads "myself"
    first.post(f"{BASE}/q/for-whom/", {"for-whom": "someone-else"})
    second.get(f"{BASE}/")
    assert second.session["selfcare"]["example-send"]["answers"]["for-whom"] == "someone-else"


def test_anonymous_people_get_no_draft_and_are_told_how_to_save(client):
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    assert not SavedDraft.objects.exists()
    html = client.get(f"{BASE}/").content.decode()
    assert "sign in or create an account" in html
    assert "/accounts/login/?next=%2Fself-care%2Fexample-send%2F" in html


def test_wellbeing_checks_are_never_saved_even_when_signed_in(person):
    client = _signed_in(person)
    client.post("/self-care/gad-7/q/q1/", {"q1": "not-at-all"})
    assert not SavedDraft.objects.exists()


def test_start_again_deletes_the_saved_draft(person):
    client = _signed_in(person)
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    client.post(f"{BASE}/start-again/")
    assert not SavedDraft.objects.exists()


def test_expired_draft_is_not_restored(person):
    _signed_in(person).post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    SavedDraft.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    second = _signed_in(person)
    assert "Continue where you left off" not in second.get(f"{BASE}/").content.decode()


def test_reminder_7_days_before_expiry_then_deleted_at_expiry(person, mailoutbox):
    _signed_in(person).post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    draft = SavedDraft.objects.get()
    # 54 days after the save: not yet due.
    call_command("selfcare_expire_drafts")
    assert mailoutbox == []
    draft.expires_at = timezone.now() + dt.timedelta(days=6, hours=23)
    draft.save()
    call_command("selfcare_expire_drafts")
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["carer@example.com"]
    assert f"{timezone.localtime(draft.expires_at):%-d %B %Y}" in email.subject
    assert "/self-care/example-send/" in email.body
    assert "someone-else" not in email.body
    call_command("selfcare_expire_drafts")
    assert len(mailoutbox) == 1  # once only
    draft.refresh_from_db()
    draft.expires_at = timezone.now() - dt.timedelta(seconds=1)
    draft.save()
    call_command("selfcare_expire_drafts")
    assert not SavedDraft.objects.exists()


def test_saving_again_after_the_reminder_extends_and_rearms_it(person, mailoutbox):
    client = _signed_in(person)
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    SavedDraft.objects.update(expires_at=timezone.now() + dt.timedelta(days=3))
    call_command("selfcare_expire_drafts")
    assert len(mailoutbox) == 1
    client.post(f"{BASE}/q/coping/", PAGES["coping"])
    draft = SavedDraft.objects.get()
    assert draft.reminder_sent_at is None
    assert draft.expires_at > timezone.now() + dt.timedelta(days=59)
