"""The practitioners' queue of submitted self-assessments (/manage/self-care/): only people
who can work on cases get in, urgent cases come first, filters narrow the list, the list shows
no personal data, and every view or change of a case is logged in its activity."""

import datetime as dt
import itertools

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from portal import roles
from portal.factories import UserFactory
from selfcare import cases
from selfcare.models import CaseActivity, Submission, SubmissionNote

pytestmark = pytest.mark.django_db

QUEUE = "/manage/self-care/"
_numbers = itertools.count(1)


def make_submission(*, days_ago: float = 0, urgent: bool = False, **fields) -> Submission:
    """A sent care needs assessment, made directly (selfcare.submissions is tested elsewhere)."""
    n = next(_numbers)
    values = {
        "reference": f"CSA-{n:04d}-9QXP",
        "definition_slug": "care-needs",
        "definition_title": "Care needs assessment",
        "definition_version": 3,
        "scoring_version": 2,
        "answers": {"name": "Ann Example"},
        "summary": [
            {
                "title": "About you",
                "rows": [
                    {"key": "Your name", "answer": "Ann Example"},
                    {"key": "Can you wash yourself?", "answer": "Only with help"},
                ],
            }
        ],
        "outcome": {
            "scores": {},
            "bands": {},
            "flags": ["urgent"] if urgent else [],
            "eligibility": {
                "eligible": True,
                "regulation": "regulation 2 of the Care and Support (Eligibility Criteria) "
                "Regulations 2015",
                "conditions": [["Needs arise from a physical or mental impairment", True]],
                "outcomes_unachievable": [["hygiene", "Maintaining personal hygiene"]],
            },
        },
        "urgent": urgent,
        "urgent_reasons": ["They said they are not safe at home"] if urgent else [],
        "contact_name": "Ann Example",
        "contact_email": "ann@example.com",
        "contact_phone": "07700 900123",
        "consent_to_share": ["gp"],
        "submitted_at": timezone.now() - dt.timedelta(days=days_ago),
    }
    values.update(fields)
    return Submission.objects.create(**values)


def with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def practitioner():
    return with_mfa(UserFactory(email="sam@council.example", roles=[roles.PRACTITIONERS]))


@pytest.fixture
def colleague():
    return with_mfa(UserFactory(email="kim@council.example", roles=[roles.PRACTITIONERS]))


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner)
    return client


def listed(response) -> list[str]:
    return [case.reference for case in response.context["cases"]]


# --- Who gets in ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    case = make_submission()
    for url in (QUEUE, f"{QUEUE}{case.reference}/", f"{QUEUE}{case.reference}/print/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_residents_and_other_staff_get_403(client):
    case = make_submission()
    for role in (roles.RESIDENTS, roles.IG_OFFICERS, roles.EDITORS):
        client.force_login(with_mfa(UserFactory(roles=[role])))
        assert client.get(QUEUE).status_code == 403
        assert client.get(f"{QUEUE}{case.reference}/").status_code == 403
        response = client.post(f"{QUEUE}{case.reference}/note/", {"text": "Hello"})
        assert response.status_code == 403
    assert not CaseActivity.objects.exists()
    assert not SubmissionNote.objects.exists()


@pytest.mark.parametrize("role", [roles.PRACTITIONERS, roles.ADMINISTRATORS])
def test_practitioners_and_administrators_see_the_queue(client, role):
    client.force_login(with_mfa(UserFactory(roles=[role])))
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert "There are no open self-assessments." in response.content.decode()


def test_unknown_reference_is_404(signed_in):
    assert signed_in.get(f"{QUEUE}CSA-NONE-0000/").status_code == 404
    assert signed_in.get(f"{QUEUE}CSA-NONE-0000/print/").status_code == 404
    assert signed_in.post(f"{QUEUE}CSA-NONE-0000/note/", {"text": "x"}).status_code == 404


# --- The list -------------------------------------------------------------------------------


def test_list_is_urgent_first_then_oldest_first(signed_in):
    newest = make_submission(days_ago=1)
    oldest = make_submission(days_ago=9)
    urgent_new = make_submission(days_ago=0, urgent=True)
    urgent_old = make_submission(days_ago=3, urgent=True)
    response = signed_in.get(QUEUE)
    assert listed(response) == [
        urgent_old.reference,
        urgent_new.reference,
        oldest.reference,
        newest.reference,
    ]
    html = response.content.decode()
    assert "4 cases" in html
    assert "govuk-tag--red" in html
    assert "They said they are not safe at home" in html


def test_list_shows_no_personal_data(signed_in):
    case = make_submission(urgent=True)
    html = signed_in.get(QUEUE).content.decode()
    assert case.reference in html
    for personal in ("Ann Example", "ann@example.com", "07700 900123", "Only with help"):
        assert personal not in html
    assert not CaseActivity.objects.exists()  # listing is not an access to a record


def test_closed_cases_are_listed_only_when_asked_for(signed_in):
    open_case = make_submission()
    closed = make_submission(status=Submission.CLOSED)
    assert listed(signed_in.get(QUEUE)) == [open_case.reference]
    assert listed(signed_in.get(QUEUE, {"status": "closed"})) == [closed.reference]


def test_filter_by_status(signed_in):
    make_submission()
    waiting = make_submission(status=Submission.WAITING)
    assert listed(signed_in.get(QUEUE, {"status": "waiting"})) == [waiting.reference]


def test_filter_by_who_it_is_assigned_to(signed_in, practitioner, colleague):
    mine = make_submission(assigned_to=practitioner)
    theirs = make_submission(assigned_to=colleague)
    nobodys = make_submission()
    assert listed(signed_in.get(QUEUE, {"assigned": "me"})) == [mine.reference]
    assert listed(signed_in.get(QUEUE, {"assigned": "unassigned"})) == [nobodys.reference]
    assert set(listed(signed_in.get(QUEUE, {"assigned": ""}))) == {
        mine.reference,
        theirs.reference,
        nobodys.reference,
    }


def test_filter_by_tool_offers_the_titles_of_cases_sent(signed_in):
    care = make_submission()
    carer = make_submission(definition_slug="carer", definition_title="Carer's assessment")
    response = signed_in.get(QUEUE, {"tool": "Carer's assessment"})
    assert listed(response) == [carer.reference]
    assert care.reference not in listed(response)
    tool_choices = [value for value, _ in response.context["filter_form"].fields["tool"].choices]
    assert tool_choices == ["", "Care needs assessment", "Carer's assessment"]


def test_filter_urgent_only(signed_in):
    make_submission()
    urgent = make_submission(urgent=True)
    response = signed_in.get(QUEUE, {"urgent": "on"})
    assert listed(response) == [urgent.reference]
    assert "1 case" in response.content.decode()


def test_filters_with_no_match_say_so(signed_in):
    make_submission()
    html = signed_in.get(QUEUE, {"status": "closed"}).content.decode()
    assert "No cases match these filters." in html
    assert "0 cases" in html


def test_list_is_paginated_fifty_a_page_keeping_filters(signed_in):
    for days in range(51):
        make_submission(days_ago=days)
    response = signed_in.get(QUEUE, {"assigned": "unassigned"})
    assert len(listed(response)) == 50
    assert "51 cases" in response.content.decode()
    assert response.context["next_href"] == f"{QUEUE}?assigned=unassigned&page=2"
    assert len(listed(signed_in.get(QUEUE, {"assigned": "unassigned", "page": "2"}))) == 1


# --- The case -------------------------------------------------------------------------------


def test_case_page_shows_the_case_and_logs_the_view(signed_in, practitioner):
    case = make_submission(urgent=True, completed_by_proxy=True, consent_to_share=[])
    response = signed_in.get(f"{QUEUE}{case.reference}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-notification-banner" in html
    assert "They said they are not safe at home" in html
    assert "Ann Example" in html
    assert "07700 900123" in html
    assert "Someone on the person's behalf" in html
    assert "Does not want their answers shared" in html
    assert "Care needs assessment (version 3, scoring version 2)" in html
    assert "Indicative eligibility" in html
    assert "Maintaining personal hygiene" in html
    assert "Only with help" in html
    activity = CaseActivity.objects.get()
    assert (activity.action, activity.user, activity.submission) == (
        CaseActivity.VIEWED,
        practitioner,
        case,
    )
    assert "sam@council.example" in html  # the activity log on the page


def test_consent_to_share_in_plain_words(signed_in):
    case = make_submission(consent_to_share=["gp", "adult-social-care"])
    html = signed_in.get(f"{QUEUE}{case.reference}/").content.decode()
    assert "<li>GP</li>" in html
    assert "<li>Adult social care</li>" in html


def test_print_view_is_logged_as_printed(signed_in, practitioner):
    case = make_submission()
    response = signed_in.get(f"{QUEUE}{case.reference}/print/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "@media print" in html
    assert "Only with help" in html
    assert "govuk-service-navigation" not in html
    assert list(CaseActivity.objects.values_list("action", "user")) == [
        (CaseActivity.PRINTED, practitioner.pk)
    ]


def test_assign_to_me(signed_in, practitioner):
    case = make_submission()
    url = f"{QUEUE}{case.reference}/"
    response = signed_in.post(f"{url}assign/", {"assign_to_me": "yes", "assigned_to": ""})
    assert response.status_code == 302
    assert response["Location"] == url
    case.refresh_from_db()
    assert case.assigned_to == practitioner
    html = signed_in.get(url).content.decode()
    assert "The case is assigned to you" in html
    assert "govuk-notification-banner--success" in html
    activity = CaseActivity.objects.filter(action=CaseActivity.ASSIGNED).get()
    assert activity.user == practitioner
    assert activity.detail == "Assigned to themselves"


def test_assign_to_a_colleague_and_unassign(signed_in, practitioner, colleague):
    case = make_submission()
    url = f"{QUEUE}{case.reference}/assign/"
    assert signed_in.post(url, {"assigned_to": str(colleague.pk)}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == colleague
    assert signed_in.post(url, {"assigned_to": ""}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to is None
    details = list(
        CaseActivity.objects.filter(action=CaseActivity.ASSIGNED)
        .order_by("at", "pk")
        .values_list("detail", flat=True)
    )
    assert details == ["Assigned to kim@council.example", "Unassigned"]


def test_assigning_someone_who_is_not_a_practitioner_is_refused(signed_in):
    resident = UserFactory(email="res@example.com", roles=[roles.RESIDENTS])
    case = make_submission()
    response = signed_in.post(f"{QUEUE}{case.reference}/assign/", {"assigned_to": resident.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select a social care practitioner from the list" in html
    assert "<title>Error: " in html
    case.refresh_from_db()
    assert case.assigned_to is None
    assert not CaseActivity.objects.filter(action=CaseActivity.ASSIGNED).exists()


def test_the_assign_service_refuses_a_non_practitioner(practitioner):
    case = make_submission()
    resident = UserFactory(roles=[roles.RESIDENTS])
    with pytest.raises(ValueError, match="not a social care practitioner"):
        cases.case_assign(submission=case, to_user=resident, by=practitioner)
    assert not CaseActivity.objects.exists()


def test_practitioners_lists_only_active_permission_holders(practitioner, colleague):
    UserFactory(roles=[roles.RESIDENTS])
    admin = UserFactory(roles=[roles.ADMINISTRATORS])
    gone = UserFactory(roles=[roles.PRACTITIONERS])
    gone.is_active = False
    gone.save()
    assert set(cases.practitioners()) == {practitioner, colleague, admin}


def test_change_status(signed_in, practitioner):
    case = make_submission()
    response = signed_in.post(f"{QUEUE}{case.reference}/status/", {"status": "in-progress"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Submission.IN_PROGRESS
    assert "Status changed to In progress" in signed_in.get(response["Location"]).content.decode()
    activity = CaseActivity.objects.filter(action=CaseActivity.STATUS).get()
    assert (activity.user, activity.detail) == (practitioner, "New to In progress")


def test_unknown_status_is_an_error(signed_in):
    case = make_submission()
    response = signed_in.post(f"{QUEUE}{case.reference}/status/", {"status": "lost"})
    assert response.status_code == 200
    assert "Select a status" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Submission.NEW


def test_add_a_note(signed_in, practitioner):
    case = make_submission()
    response = signed_in.post(f"{QUEUE}{case.reference}/note/", {"text": "Rang Ann, no answer."})
    assert response.status_code == 302
    note = SubmissionNote.objects.get()
    assert (note.submission, note.author, note.text) == (case, practitioner, "Rang Ann, no answer.")
    html = signed_in.get(response["Location"]).content.decode()
    assert "Note added" in html
    assert "Rang Ann, no answer." in html
    activity = CaseActivity.objects.filter(action=CaseActivity.NOTE).get()
    assert activity.detail == "Added a note"  # the note's words stay out of the log


def test_empty_note_is_an_error(signed_in):
    case = make_submission()
    response = signed_in.post(f"{QUEUE}{case.reference}/note/", {"text": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_text"' in html
    assert "Enter a note" in html
    assert not SubmissionNote.objects.exists()
    assert not CaseActivity.objects.filter(action=CaseActivity.NOTE).exists()


def test_too_long_note_keeps_what_was_typed(signed_in):
    case = make_submission()
    text = "Visit booked. " * 400
    response = signed_in.post(f"{QUEUE}{case.reference}/note/", {"text": text})
    html = response.content.decode()
    assert "The note must be 5,000 characters or fewer" in html
    assert text.strip() in html
    assert not SubmissionNote.objects.exists()


def test_every_action_is_logged(signed_in, practitioner):
    case = make_submission()
    base = f"{QUEUE}{case.reference}/"
    signed_in.get(base)
    signed_in.post(f"{base}assign/", {"assign_to_me": "yes"})
    signed_in.post(f"{base}status/", {"status": "waiting"})
    signed_in.post(f"{base}note/", {"text": "Waiting for a call back"})
    signed_in.get(f"{base}print/")
    actions = list(
        CaseActivity.objects.filter(submission=case)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    # Each POST redirects to the case page, which is not followed here.
    assert actions == ["viewed", "assigned", "status", "note", "printed"]
    assert set(CaseActivity.objects.values_list("user", flat=True)) == {practitioner.pk}
    for detail in CaseActivity.objects.values_list("detail", flat=True):
        assert "Waiting for a call back" not in detail
        assert "Ann" not in detail
