"""Sending a self-assessment (issue 6): check answers, "Accept and send", the reference, the
confirmation email, the printable summary, urgent routing with phone numbers at once, and the
versions each submission records. Runs tests/selfcare/definitions/example-send.json."""

from __future__ import annotations

import re

import pytest

from selfcare.models import Submission
from selfcare.submissions import REFERENCE_ALPHABET, reference_new, reference_normalise

pytestmark = pytest.mark.django_db

BASE = "/self-care/example-send"
PAGES = {
    "for-whom": {"for-whom": "someone-else"},
    "coping": {"coping": "yes"},
    "help": {"help": "A break now and then"},
    "contact": {
        "contact-name": "Sam Carer",
        "contact-email": "sam@example.com",
        "contact-phone": "07700 900123",
    },
    "consent-share": {"consent-share": ["gp", "social-care"]},
}


def _answer_all(client, **overrides) -> None:
    for page_id, data in PAGES.items():
        response = client.post(f"{BASE}/q/{page_id}/", overrides.get(page_id, data))
        assert response.status_code == 302, (page_id, response.content[:500])


def _send(client):
    return client.post(f"{BASE}/check/", follow=True)


def test_reference_is_readable_and_normalises_what_people_type():
    reference = reference_new("CSA")
    assert re.fullmatch(r"CSA-[%s]{4}-[%s]{4}" % ((REFERENCE_ALPHABET,) * 2), reference)
    assert reference_normalise(" csa 7k3m 9qxp ") == "CSA-7K3M-9QXP"
    assert reference_normalise("CSA-7K3M-9QXP") == "CSA-7K3M-9QXP"


def test_check_answers_offers_accept_and_send(client):
    _answer_all(client)
    html = client.get(f"{BASE}/check/").content.decode()
    assert "Now send your self-assessment" in html
    assert "Accept and send" in html
    assert not Submission.objects.exists()


def test_sending_records_the_case_with_versions_contact_consent_and_proxy(client):
    _answer_all(client)
    response = _send(client)
    submission = Submission.objects.get()
    assert submission.definition_slug == "example-send"
    assert submission.definition_version == 1
    assert submission.scoring_version == 3
    assert submission.answers["help"] == "A break now and then"
    assert submission.contact_name == "Sam Carer"
    assert submission.contact_email == "sam@example.com"
    assert submission.contact_phone == "07700 900123"
    assert submission.completed_by_proxy is True
    assert submission.consent_to_share == ["gp", "social-care"]
    assert submission.urgent is False
    assert submission.urgent_reasons == []
    assert submission.status == Submission.NEW
    # What the person saw on check answers, frozen.
    assert submission.summary[0]["title"] == "About you"
    assert {"key": "What would help?", "answer": "A break now and then"} in (
        submission.summary[0]["rows"]
    )
    # The result page confirms it with the reference and what happens next.
    html = response.content.decode()
    assert "Self-assessment sent" in html
    assert submission.reference in html
    assert "What happens next" in html
    assert "We will contact you within 10 working days." in html


def test_confirmation_email_has_reference_and_timescale_but_no_answers(client, mailoutbox):
    _answer_all(client)
    _send(client)
    submission = Submission.objects.get()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["sam@example.com"]
    assert submission.reference in email.subject
    assert f"Your reference number is {submission.reference}" in email.body
    assert "What happens next" in email.body
    assert "A social care practitioner reads your self-assessment." in email.body
    assert "We will contact you within 10 working days." in email.body
    assert "A break now and then" not in email.body  # answers stay out of email


def test_no_email_address_no_email(client, mailoutbox):
    contact = {**PAGES["contact"], "contact-email": ""}
    _answer_all(client, contact=contact)
    _send(client)
    assert Submission.objects.get().contact_email == ""
    assert mailoutbox == []


def test_none_of_the_sharing_choices_records_no_consent(client):
    _answer_all(client, **{"consent-share": {"consent-share": ["none"]}})
    _send(client)
    assert Submission.objects.get().consent_to_share == []


def test_answers_cannot_be_changed_or_sent_twice_after_sending(client):
    _answer_all(client)
    _send(client)
    result_url = f"{BASE}/result/"
    assert client.get(f"{BASE}/q/help/")["Location"] == result_url
    assert client.post(f"{BASE}/q/help/", {"help": "changed"})["Location"] == result_url
    assert client.post(f"{BASE}/check/")["Location"] == result_url
    assert Submission.objects.count() == 1
    assert Submission.objects.get().answers["help"] == "A break now and then"
    start = client.get(f"{BASE}/").content.decode()
    assert Submission.objects.get().reference in start
    assert "Start now" not in start


def test_printable_summary_lists_answers_with_reference(client):
    _answer_all(client)
    assert client.get(f"{BASE}/summary/").status_code == 200  # before sending: a copy too
    _send(client)
    html = client.get(f"{BASE}/summary/").content.decode()
    assert Submission.objects.get().reference in html
    assert "A break now and then" in html
    assert "Use your browser’s print option" in html


def test_printable_summary_of_an_unfinished_journey_sends_you_back(client):
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    assert client.get(f"{BASE}/summary/")["Location"] == f"{BASE}/q/coping/"


def test_start_again_after_sending_begins_a_new_one_and_keeps_the_case(client):
    _answer_all(client)
    _send(client)
    client.post(f"{BASE}/start-again/")
    assert client.get(f"{BASE}/q/help/").status_code in (200, 302)
    assert "Start now" in client.get(f"{BASE}/").content.decode()
    assert Submission.objects.count() == 1


# --- Urgent: phone numbers at once, and the case marked urgent --------------------------------


def test_cannot_carry_on_shows_phone_numbers_at_once_then_carries_on(client):
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    response = client.post(f"{BASE}/q/coping/", {"coping": "no"})
    location = response["Location"]
    assert location.startswith(f"{BASE}/important/urgent-help/?next=")
    page = client.get(location)
    html = page.content.decode()
    assert "Get help now" in html
    assert "01234 567891" in html  # SiteSettings.social_care_contacts
    assert f'href="{BASE}/q/help/"' in html  # continue to the next question
    # Shown once for these answers: the next page goes straight on.
    assert client.post(f"{BASE}/q/help/", PAGES["help"])["Location"] == f"{BASE}/q/contact/"


def test_urgent_interrupt_shows_again_when_the_answer_comes_back(client):
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    client.get(client.post(f"{BASE}/q/coping/", {"coping": "no"})["Location"])
    assert client.post(f"{BASE}/q/coping/", {"coping": "yes"})["Location"] == f"{BASE}/q/help/"
    again = client.post(f"{BASE}/q/coping/", {"coping": "no"})["Location"]
    assert again.startswith(f"{BASE}/important/urgent-help/")


def test_interrupt_next_address_must_stay_in_the_tool(client):
    client.post(f"{BASE}/q/for-whom/", PAGES["for-whom"])
    client.post(f"{BASE}/q/coping/", {"coping": "no"})
    response = client.get(f"{BASE}/important/urgent-help/?next=https://evil.example/")
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_urgent_submission_is_marked_with_its_reason_and_urgent_timescale(client, mailoutbox):
    _answer_all(client, coping={"coping": "no"})
    response = _send(client)
    submission = Submission.objects.get()
    assert submission.urgent is True
    assert submission.urgent_reasons == ["Says they cannot carry on"]
    # Before the result, the phone numbers again; then the result says it is urgent.
    assert response.redirect_chain[0][0] == f"{BASE}/important/urgent-help/"
    result = client.get(f"{BASE}/result/").content.decode()
    assert "we will treat this as urgent" in result
    assert "by the end of the next working day" in result
    assert "by the end of the next working day" in mailoutbox[0].body
    assert "01234 567891" in mailoutbox[0].body


def test_wellbeing_checks_are_never_sent(client):
    for n in range(1, 8):
        client.post(f"/self-care/gad-7/q/q{n}/", {f"q{n}": "not-at-all"})
    check = client.get("/self-care/gad-7/check/")
    assert check.status_code == 200
    assert "Accept and send" not in check.content.decode()
    assert client.post("/self-care/gad-7/check/")["Location"] == "/self-care/gad-7/result/"
    assert not Submission.objects.exists()
