"""Providers' self-service: asking to join or register an organisation, moderators' decisions
(with email and the audit log), members, invitations, and the /providers/ dashboard."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.models import ModelLogEntry

from directory.factories import OrganisationPageFactory, ServicePageFactory, directory_index
from directory.models import (
    OrganisationInvitation,
    OrganisationMembership,
    OrganisationPage,
    OrganisationRequest,
)
from directory.providers import (
    ACTION_REQUEST_APPROVE,
    ACTION_REQUEST_REJECT,
    INVITATION_SALT,
    InvitationError,
    OrganisationDetails,
    ProviderActionError,
    invitation_accept,
    invitation_from_token,
    invitation_send,
    invitation_token,
    member_remove,
    organisation_request_approve,
    organisation_request_join,
    organisation_request_register,
    organisation_request_reject,
    organisations_search,
)
from portal import roles
from portal.factories import UserFactory

from .provider_helpers import moderator, provider_of, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationPageFactory(title="Seaborough Carers Trust")


@pytest.fixture
def the_moderator():
    return moderator(email="moderator@example.com")


def details(**fields) -> OrganisationDetails:
    return OrganisationDetails(
        **{"name": "Leigh Lunch Club", "description": "Hot lunches for older people."} | fields
    )


# --- Asking ---------------------------------------------------------------------------------


def test_asking_to_join_emails_the_moderators(organisation, the_moderator):
    user = UserFactory()

    request = organisation_request_join(
        user=user, organisation=organisation, job_title="Volunteer", message="Ask Sam."
    )

    assert request.status == OrganisationRequest.PENDING
    assert request.kind == OrganisationRequest.JOIN
    assert [message.to for message in mail.outbox] == [["moderator@example.com"]]
    assert "Seaborough Carers Trust" in mail.outbox[0].subject
    assert f"/providers/requests/{request.pk}/" in mail.outbox[0].body


def test_a_second_request_to_join_while_one_waits_is_refused(organisation):
    user = UserFactory()
    organisation_request_join(user=user, organisation=organisation, job_title="Volunteer")

    with pytest.raises(ProviderActionError, match="already asked to join Seaborough"):
        organisation_request_join(user=user, organisation=organisation, job_title="Volunteer")
    assert OrganisationRequest.objects.count() == 1


def test_members_cannot_ask_to_join_again(organisation):
    member = provider_of(organisation)

    with pytest.raises(ProviderActionError, match="already a member"):
        organisation_request_join(user=member, organisation=organisation)


def test_only_people_with_a_confirmed_email_address_may_ask(organisation):
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)

    with pytest.raises(ProviderActionError, match="Confirm your email address"):
        organisation_request_join(user=user, organisation=organisation)
    with pytest.raises(ProviderActionError, match="Confirm your email address"):
        organisation_request_register(user=user, details=details())


def test_asking_to_register_a_listed_organisation_suggests_joining_it(organisation):
    with pytest.raises(ProviderActionError, match=r"already listed\. Ask to join it"):
        organisation_request_register(
            user=UserFactory(), details=details(name="seaborough carers trust")
        )


def test_a_second_request_to_register_the_same_name_is_refused():
    user = UserFactory()
    organisation_request_register(user=user, details=details())

    with pytest.raises(ProviderActionError, match="already asked to register"):
        organisation_request_register(user=user, details=details(name="LEIGH lunch club"))


def test_organisation_search_finds_live_organisations_by_every_word(organisation):
    OrganisationPageFactory(title="Seaborough Youth Club")
    OrganisationPageFactory(title="Seaborough Carers Draft", live=False)

    assert [o.title for o in organisations_search(query="carers seaborough")] == [
        "Seaborough Carers Trust"
    ]
    assert list(organisations_search(query="  ")) == []


# --- Deciding --------------------------------------------------------------------------------


def test_approving_a_join_request_makes_a_member_and_tells_them(organisation, the_moderator):
    user = UserFactory(email="asker@example.com")
    request = organisation_request_join(user=user, organisation=organisation, job_title="Chair")
    mail.outbox.clear()

    organisation_request_approve(
        organisation_request=request, decided_by=the_moderator, comment="Known to us"
    )

    membership = OrganisationMembership.objects.get(user=user, organisation=organisation)
    assert not membership.is_admin
    assert membership.added_by == the_moderator
    assert user.groups.filter(name=roles.PROVIDERS).exists()
    request.refresh_from_db()
    assert request.status == OrganisationRequest.APPROVED
    assert request.decided_by == the_moderator
    assert request.decided_at is not None
    assert [message.to for message in mail.outbox] == [["asker@example.com"]]
    assert "Known to us" in mail.outbox[0].body
    entry = ModelLogEntry.objects.get(action=ACTION_REQUEST_APPROVE)
    assert entry.user == the_moderator
    assert entry.data["comment"] == "Known to us"
    assert entry.object_id == str(request.pk)


def test_a_moderator_may_make_the_first_member_an_admin(organisation, the_moderator):
    user = UserFactory()
    request = organisation_request_join(user=user, organisation=organisation)

    organisation_request_approve(
        organisation_request=request, decided_by=the_moderator, make_admin=True
    )

    assert OrganisationMembership.objects.get(user=user).is_admin


def test_approving_a_registration_publishes_the_organisation_with_them_as_admin(the_moderator):
    user = UserFactory()
    request = organisation_request_register(
        user=user,
        details=details(
            website="https://lunch.example.org",
            phone="01702 123456",
            charity_number="1123456",
            company_number="01234567",
        ),
        job_title="Organiser",
    )

    organisation_request_approve(organisation_request=request, decided_by=the_moderator)

    organisation = OrganisationPage.objects.get(title="Leigh Lunch Club")
    assert organisation.live
    assert organisation.get_parent().pk == directory_index().pk
    assert organisation.description == "Hot lunches for older people."
    assert organisation.charity_number == "1123456"
    assert organisation.company_number == "01234567"
    assert organisation.website == "https://lunch.example.org"
    assert OrganisationMembership.objects.get(user=user, organisation=organisation).is_admin
    request.refresh_from_db()
    assert request.organisation_id == organisation.pk
    assert organisation.permissions_for_user(type(user).objects.get(pk=user.pk)).can_edit()


def test_rejecting_needs_a_reason_which_the_requester_is_sent(organisation, the_moderator):
    user = UserFactory(email="asker@example.com")
    request = organisation_request_join(user=user, organisation=organisation)
    mail.outbox.clear()

    with pytest.raises(ProviderActionError, match="Say why"):
        organisation_request_reject(
            organisation_request=request, decided_by=the_moderator, comment="  "
        )
    organisation_request_reject(
        organisation_request=request,
        decided_by=the_moderator,
        comment="We could not confirm you work there",
    )

    request.refresh_from_db()
    assert request.status == OrganisationRequest.REJECTED
    assert not OrganisationMembership.objects.filter(user=user).exists()
    assert mail.outbox[0].to == ["asker@example.com"]
    assert "We could not confirm you work there" in mail.outbox[0].body
    entry = ModelLogEntry.objects.get(action=ACTION_REQUEST_REJECT)
    assert entry.data["comment"] == "We could not confirm you work there"
    assert entry.user == the_moderator


def test_a_request_is_decided_once(organisation, the_moderator):
    request = organisation_request_join(user=UserFactory(), organisation=organisation)
    organisation_request_approve(organisation_request=request, decided_by=the_moderator)

    with pytest.raises(ProviderActionError, match="already been decided"):
        organisation_request_reject(
            organisation_request=request, decided_by=the_moderator, comment="No"
        )


def test_only_moderators_decide(organisation):
    request = organisation_request_join(user=UserFactory(), organisation=organisation)
    admin_of_organisation = provider_of(organisation, is_admin=True)

    with pytest.raises(PermissionDenied):
        organisation_request_approve(organisation_request=request, decided_by=admin_of_organisation)
    request.refresh_from_db()
    assert request.status == OrganisationRequest.PENDING


def test_moderators_see_decisions_in_the_site_history(client, organisation, the_moderator):
    request = organisation_request_join(user=UserFactory(), organisation=organisation)
    organisation_request_reject(
        organisation_request=request, decided_by=the_moderator, comment="Not known to us"
    )
    client.force_login(the_moderator)

    body = client.get("/admin/reports/site-history/").content.decode()

    assert "Rejected the request" in body
    assert "Not known to us" in body


# --- Members and invitations -------------------------------------------------------------


def test_an_invitation_is_emailed_with_a_link_that_works_once(organisation):
    admin = provider_of(organisation, is_admin=True)
    invitation = invitation_send(
        organisation=organisation, email="Colleague@Example.com", invited_by=admin
    )
    colleague = UserFactory(email="colleague@example.com")

    link = reverse("providers:invitation", args=[invitation_token(invitation=invitation)])
    assert link in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["Colleague@Example.com"]

    found = invitation_from_token(token=invitation_token(invitation=invitation))
    invitation_accept(invitation=found, user=colleague)

    assert OrganisationMembership.objects.filter(user=colleague, organisation=organisation)
    with pytest.raises(InvitationError) as used:
        invitation_from_token(token=invitation_token(invitation=invitation))
    assert used.value.reason == "used"


def test_an_invitation_expires_after_14_days(organisation):
    invitation = invitation_send(
        organisation=organisation,
        email="late@example.com",
        invited_by=provider_of(organisation, is_admin=True),
    )
    assert invitation.expires_at.date() == (timezone.now() + datetime.timedelta(days=14)).date()
    OrganisationInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(InvitationError) as expired:
        invitation_from_token(token=invitation_token(invitation=invitation))
    assert expired.value.reason == "expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: signing.dumps({"id": 1, "email": "late@example.com"}, salt="other"),
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_invitation_link_is_rejected(organisation, tamper):
    invitation = invitation_send(
        organisation=organisation,
        email="late@example.com",
        invited_by=provider_of(organisation, is_admin=True),
    )

    with pytest.raises(InvitationError) as invalid:
        invitation_from_token(token=tamper(invitation_token(invitation=invitation)))
    assert invalid.value.reason == "invalid"


def test_a_link_signed_for_another_address_is_rejected(organisation):
    invitation = invitation_send(
        organisation=organisation,
        email="invited@example.com",
        invited_by=provider_of(organisation, is_admin=True),
    )
    forged = signing.dumps(
        {"id": invitation.pk, "email": "other@example.com"}, salt=INVITATION_SALT
    )

    with pytest.raises(InvitationError, match="not valid"):
        invitation_from_token(token=forged)


def test_a_cancelled_invitation_cannot_be_used(client, organisation):
    admin = provider_of(organisation, is_admin=True)
    invitation = invitation_send(organisation=organisation, email="x@example.com", invited_by=admin)
    client.force_login(admin)

    client.post(reverse("providers:invitation_cancel", args=[organisation.pk, invitation.pk]))

    response = client.get(
        reverse("providers:invitation", args=[invitation_token(invitation=invitation)])
    )
    assert response.status_code == 410
    assert "This invitation has been cancelled" in response.content.decode()


def test_accepting_needs_the_invited_address(client, organisation):
    invitation = invitation_send(
        organisation=organisation,
        email="invited@example.com",
        invited_by=provider_of(organisation, is_admin=True),
    )
    someone_else = with_mfa(UserFactory(email="someone@example.com"))
    path = reverse("providers:invitation", args=[invitation_token(invitation=invitation)])
    client.force_login(someone_else)

    page = client.get(path)
    refused = client.post(path)

    assert "sent to a different email address" in page.content.decode()
    assert refused.status_code == 403
    assert "sent to a different email address" in refused.content.decode()
    assert not OrganisationMembership.objects.filter(user=someone_else).exists()


def test_the_invited_address_matches_whatever_its_capitals(client, organisation):
    invitation = invitation_send(
        organisation=organisation,
        email="Invited@Example.COM",
        invited_by=provider_of(organisation, is_admin=True),
    )
    invited = UserFactory(email="invited@example.com")
    path = reverse("providers:invitation", args=[invitation_token(invitation=invitation)])
    client.force_login(invited)

    response = client.post(path)

    assert response.status_code == 302
    assert OrganisationMembership.objects.filter(user=invited, organisation=organisation)


def test_an_invitation_asks_visitors_to_sign_in_or_create_an_account(client, organisation):
    invitation = invitation_send(
        organisation=organisation,
        email="new@example.com",
        invited_by=provider_of(organisation, is_admin=True),
    )
    path = reverse("providers:invitation", args=[invitation_token(invitation=invitation)])

    page = client.get(path).content.decode()
    post = client.post(path)

    assert f"/accounts/login/?{urlencode({'next': path})}" in page
    assert f"/accounts/signup/?{urlencode({'next': path})}" in page
    assert post.status_code == 302
    assert post["Location"].startswith(reverse("account_login"))


def test_an_invitation_to_a_member_is_refused(organisation):
    admin = provider_of(organisation, is_admin=True, email="admin@example.com")

    with pytest.raises(ProviderActionError, match="already a member"):
        invitation_send(organisation=organisation, email="ADMIN@example.com", invited_by=admin)


def test_the_last_admin_cannot_remove_themselves(organisation):
    admin = provider_of(organisation, is_admin=True)
    membership = admin.organisation_memberships.get()

    with pytest.raises(ProviderActionError, match="only admin"):
        member_remove(membership=membership, removed_by=admin)

    second = provider_of(organisation, is_admin=True)
    member_remove(membership=membership, removed_by=admin)
    assert list(OrganisationMembership.objects.values_list("user", flat=True)) == [second.pk]


def test_an_admin_removes_a_member_who_loses_their_permissions(client, organisation):
    admin = provider_of(organisation, is_admin=True)
    member = provider_of(organisation)
    service = ServicePageFactory(parent=organisation)
    client.force_login(admin)
    path = reverse(
        "providers:member_remove",
        args=[organisation.pk, member.organisation_memberships.get().pk],
    )

    confirm = client.get(path)
    removed = client.post(path)

    assert confirm.status_code == 200
    assert removed.status_code == 302
    member = type(member).objects.get(pk=member.pk)
    assert not member.organisation_memberships.exists()
    assert not service.permissions_for_user(member).can_edit()
    assert ModelLogEntry.objects.filter(action="directory.membership.remove").exists()


def test_members_who_are_not_admins_cannot_manage_members(client, organisation):
    member = provider_of(organisation)
    client.force_login(member)

    assert client.get(reverse("providers:members", args=[organisation.pk])).status_code == 403


# --- Pages ------------------------------------------------------------------------------------


def test_someone_with_no_organisation_is_offered_to_join_or_register(client):
    client.force_login(UserFactory())

    body = client.get(reverse("providers:dashboard")).content.decode()

    assert "Join an organisation" in body
    assert "Register a new organisation" in body
    assert reverse("providers:join") in body
    assert reverse("providers:register") in body


def test_the_dashboard_links_to_each_organisation_in_the_admin(client, organisation):
    service = ServicePageFactory(parent=organisation, title="Carers café")
    member = provider_of(organisation, is_admin=True)
    client.force_login(member)

    body = client.get(reverse("providers:dashboard")).content.decode()

    assert "Seaborough Carers Trust" in body
    assert f"/admin/pages/{organisation.pk}/" in body
    assert f"/admin/pages/{organisation.pk}/edit/" in body
    assert f"/admin/pages/{service.pk}/edit/" in body
    assert f"/admin/pages/add/directory/servicepage/{organisation.pk}/" in body
    assert reverse("providers:members", args=[organisation.pk]) in body
    assert "Carers café" in body
    assert "Confirm still correct" in body  # the freshness table (directory.freshness)


def test_joining_through_the_pages(client, organisation, the_moderator):
    user = UserFactory()
    client.force_login(user)

    search = client.get(reverse("providers:join"), {"q": "carers"}).content.decode()
    path = reverse("providers:join_organisation", args=[organisation.pk])
    missing = client.post(path, {"job_title": ""})
    sent = client.post(path, {"job_title": "Volunteer", "message": "Hello"})
    again = client.post(path, {"job_title": "Volunteer"})
    dashboard = client.get(reverse("providers:dashboard")).content.decode()

    assert path in search
    assert "Enter your role in the organisation" in missing.content.decode()
    assert sent.status_code == 302
    assert "already asked to join Seaborough Carers Trust" in again.content.decode()
    assert "To join Seaborough Carers Trust" in dashboard
    assert OrganisationRequest.objects.filter(user=user, organisation=organisation).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "Enter the organisation&#x27;s name"),
        ("description", "", "Enter what the organisation does"),
        ("website", "not a website", "Enter a website address in the correct format"),
        ("email", "nope", "Enter an email address in the correct format"),
        ("phone", "call us", "Enter a phone number"),
        ("charity_number", "12", "Enter a charity number in the correct format"),
        ("company_number", "ABC", "Enter a company number in the correct format"),
    ],
)
def test_the_registration_form_checks_each_answer(client, field, value, error):
    client.force_login(UserFactory())
    data = {
        "name": "Leigh Lunch Club",
        "description": "Lunches.",
        "job_title": "Organiser",
        field: value,
    }

    response = client.post(reverse("providers:register"), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not OrganisationRequest.objects.exists()


def test_moderators_decide_through_the_pages(client, the_moderator):
    request = organisation_request_register(user=UserFactory(), details=details())
    decided = organisation_request_register(
        user=UserFactory(), details=details(name="Older request")
    )
    organisation_request_reject(
        organisation_request=decided, decided_by=the_moderator, comment="Duplicate"
    )
    client.force_login(the_moderator)
    path = reverse("providers:request", args=[request.pk])

    listing = client.get(reverse("providers:requests")).content.decode()
    no_reason = client.post(path, {"decision": "reject", "comment": ""})
    approved = client.post(path, {"decision": "approve"})

    assert listing.index("Register Leigh Lunch Club") < listing.index("Register Older request")
    assert "Say why you are rejecting the request" in no_reason.content.decode()
    assert approved.status_code == 302
    assert OrganisationPage.objects.filter(title="Leigh Lunch Club", live=True).exists()


def test_an_admin_makes_a_member_an_admin_and_can_then_leave(client, organisation):
    admin = provider_of(organisation, is_admin=True)
    member = provider_of(organisation)
    client.force_login(admin)
    own = admin.organisation_memberships.get()

    refused = client.post(
        reverse("providers:member_admin", args=[organisation.pk, own.pk]), {"is_admin": "no"}
    )
    client.post(
        reverse(
            "providers:member_admin",
            args=[organisation.pk, member.organisation_memberships.get().pk],
        ),
        {"is_admin": "yes"},
    )
    left = client.post(reverse("providers:member_remove", args=[organisation.pk, own.pk]))

    assert refused.status_code == 302
    assert member.organisation_memberships.get().is_admin
    assert left.status_code == 302
    assert left["Location"] == reverse("providers:dashboard")
    assert not OrganisationMembership.objects.filter(user=admin).exists()


def test_moderators_manage_any_organisations_members(client, organisation, the_moderator):
    member = provider_of(organisation)
    client.force_login(the_moderator)

    page = client.get(reverse("providers:members", args=[organisation.pk]))
    client.post(
        reverse(
            "providers:member_remove",
            args=[organisation.pk, member.organisation_memberships.get().pk],
        )
    )

    assert page.status_code == 200
    assert not OrganisationMembership.objects.filter(user=member).exists()


def test_inviting_through_the_members_page(client, organisation):
    admin = provider_of(organisation, is_admin=True)
    client.force_login(admin)
    path = reverse("providers:members", args=[organisation.pk])

    bad = client.post(path, {"email": "not an address"})
    sent = client.post(path, {"email": "new@example.com"})
    again = client.post(path, {"email": "NEW@example.com"})
    page = client.get(path).content.decode()

    assert "Enter an email address in the correct format" in bad.content.decode()
    assert sent.status_code == 302
    assert "You have already invited NEW@example.com" in again.content.decode()
    assert "new@example.com" in page
    assert OrganisationInvitation.objects.filter(organisation=organisation).count() == 1


def test_an_invitation_for_someone_already_a_member_says_so(client, organisation):
    invitation = invitation_send(
        organisation=organisation,
        email="member@example.com",
        invited_by=provider_of(organisation, is_admin=True),
    )
    member = provider_of(organisation, email="member@example.com")
    client.force_login(member)
    path = reverse("providers:invitation", args=[invitation_token(invitation=invitation)])

    assert "You are already a member" in client.get(path).content.decode()
    with pytest.raises(InvitationError, match="already a member"):
        invitation_accept(invitation=invitation, user=member)


def test_a_registration_is_not_approved_over_an_organisation_listed_since(the_moderator):
    request = organisation_request_register(user=UserFactory(), details=details())
    OrganisationPageFactory(title="Leigh Lunch Club")

    with pytest.raises(ProviderActionError, match="already listed"):
        organisation_request_approve(organisation_request=request, decided_by=the_moderator)
    request.refresh_from_db()
    assert request.status == OrganisationRequest.PENDING
    assert OrganisationPage.objects.filter(title="Leigh Lunch Club").count() == 1
