import pytest
from django.contrib.auth.models import Group, Permission

from portal import roles

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(roles.ALL_ROLES) <= set(Group.objects.values_list("name", flat=True))


def test_only_staff_and_provider_roles_can_reach_the_admin():
    access_admin = Permission.objects.get(codename="access_admin")
    with_access = set(access_admin.group_set.values_list("name", flat=True))

    assert with_access == set(roles.ADMIN_ACCESS_ROLES)
    assert roles.RESIDENTS not in with_access


def test_residents_have_no_permissions_at_all():
    assert not Group.objects.get(name=roles.RESIDENTS).permissions.exists()


def test_only_administrators_manage_users_and_site_settings():
    for codename in ["change_user", "change_group", "change_sitesettings"]:
        holders = set(
            Permission.objects.get(codename=codename).group_set.values_list("name", flat=True)
        )
        assert holders == {roles.ADMINISTRATORS}, codename


@pytest.mark.parametrize("codename", ["change_synonym", "change_taxonomyterm", "add_taxonomy"])
def test_editors_and_administrators_manage_directory_reference_data(codename):
    holders = set(
        Permission.objects.get(codename=codename).group_set.values_list("name", flat=True)
    )

    assert holders == {roles.EDITORS, roles.ADMINISTRATORS}


@pytest.mark.parametrize("codename", ["add_location", "change_location"])
def test_providers_may_also_keep_locations(codename):
    # Which locations is limited to their own organisations' (tests/directory, provider access).
    holders = set(
        Permission.objects.get(codename=codename).group_set.values_list("name", flat=True)
    )

    assert holders == {roles.EDITORS, roles.ADMINISTRATORS, roles.PROVIDERS}


def test_only_moderators_and_administrators_moderate_the_directory():
    for codename in ["moderate_directory", "set_organisation_trust"]:
        holders = set(
            Permission.objects.get(codename=codename).group_set.values_list("name", flat=True)
        )
        assert holders == {roles.MODERATORS, roles.ADMINISTRATORS}, codename
