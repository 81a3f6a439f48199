import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

from directory.models import OrganisationMembership, Review
from portal.models import SiteSettings
from search.models import SearchDocument

pytestmark = pytest.mark.django_db


def counts():
    return (
        Page.objects.count(),
        SiteSettings.objects.count(),
        get_user_model().objects.count(),
        Review.objects.count(),
        OrganisationMembership.objects.count(),
    )


def test_load_demo_data_twice_duplicates_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = counts()

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert counts() == first
    assert SiteSettings.objects.get().council_name == "Seaborough Council"


def test_demo_superuser_is_only_created_in_debug(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo_data")

    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert "password" not in capsys.readouterr().out


def test_demo_has_published_reviews_that_search_shows(settings):
    settings.DEBUG = False
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    reviewed = Review.objects.values("service").distinct().count()
    assert reviewed >= 100
    assert set(Review.objects.values_list("status", flat=True)) == {Review.PUBLISHED}
    rated = SearchDocument.objects.filter(rating_count__gt=0)
    assert rated.count() == reviewed
    assert not get_user_model().objects.get(username="demo-reviewer-1").has_usable_password()


def test_demo_provider_and_moderator_only_in_debug(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo_data")

    out = capsys.readouterr().out
    assert "provider@example.com" in out
    assert "moderator@example.com" in out
    membership = OrganisationMembership.objects.get(user__username="provider@example.com")
    assert membership.is_admin
    moderator = get_user_model().objects.get(username="moderator@example.com")
    assert moderator.has_perm("directory.moderate_directory")
