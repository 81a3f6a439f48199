"""Memberships give page permissions on the member's own organisation only, never publish."""

import pytest
from django.contrib.auth.models import Group

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.models import OrganisationPage, ServicePage
from directory.providers import (
    membership_add,
    membership_remove,
    organisation_editor_emails,
    organisations_of,
    user_manages_organisation,
)
from portal import roles
from portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def permissions(user, page):
    return page.permissions_for_user(user)


def test_a_member_edits_their_own_organisation_and_services_but_cannot_publish():
    own, other = OrganisationPageFactory(), OrganisationPageFactory()
    own_service = ServicePageFactory(parent=own)
    other_service = ServicePageFactory(parent=other)
    user = UserFactory()

    membership_add(organisation=own, user=user)
    user = type(user).objects.get(pk=user.pk)  # permissions are cached per user object

    assert permissions(user, ServicePage.objects.get(pk=own_service.pk)).can_edit()
    assert permissions(user, OrganisationPage.objects.get(pk=own.pk)).can_add_subpage()
    assert not permissions(user, ServicePage.objects.get(pk=own_service.pk)).can_publish()
    assert not permissions(user, ServicePage.objects.get(pk=other_service.pk)).can_edit()
    assert not permissions(user, OrganisationPage.objects.get(pk=other.pk)).can_add_subpage()
    assert user.groups.filter(name=roles.PROVIDERS).exists()
    assert list(organisations_of(user=user)) == [OrganisationPage.objects.get(pk=own.pk)]
    assert user_manages_organisation(user=user, organisation=own)
    assert not user_manages_organisation(user=user, organisation=other)


def test_removing_the_last_membership_takes_away_the_provider_role_and_permissions():
    first, second = OrganisationPageFactory(), OrganisationPageFactory()
    user = UserFactory()
    one = membership_add(organisation=first, user=user)
    membership_add(organisation=second, user=user)

    membership_remove(membership=one)
    user = type(user).objects.get(pk=user.pk)
    assert not permissions(user, OrganisationPage.objects.get(pk=first.pk)).can_edit()
    assert permissions(user, OrganisationPage.objects.get(pk=second.pk)).can_edit()
    assert user.groups.filter(name=roles.PROVIDERS).exists()

    membership_remove(membership=user.organisation_memberships.get())
    user = type(user).objects.get(pk=user.pk)
    assert not user.groups.filter(name=roles.PROVIDERS).exists()


def test_each_organisation_has_its_own_group_named_after_it():
    organisation = OrganisationPageFactory(title="Seaborough Carers")
    membership_add(organisation=organisation, user=UserFactory())
    membership_add(organisation=organisation, user=UserFactory())

    group = OrganisationPage.objects.get(pk=organisation.pk).editors_group
    assert group.name == f"Organisation {organisation.pk}: Seaborough Carers"
    assert group.user_set.count() == 2
    assert Group.objects.filter(name__startswith="Organisation ").count() == 1


def test_editor_emails_are_the_members_active_addresses():
    organisation = OrganisationPageFactory()
    membership_add(organisation=organisation, user=UserFactory(email="b@example.com"))
    membership_add(organisation=organisation, user=UserFactory(email="a@example.com"))
    membership_add(
        organisation=organisation, user=UserFactory(email="gone@example.com", is_active=False)
    )

    assert organisation_editor_emails(organisation=organisation) == [
        "a@example.com",
        "b@example.com",
    ]
