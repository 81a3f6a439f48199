import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

from portal.models import SiteSettings

pytestmark = pytest.mark.django_db


def counts():
    return (
        Page.objects.count(),
        SiteSettings.objects.count(),
        get_user_model().objects.count(),
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
