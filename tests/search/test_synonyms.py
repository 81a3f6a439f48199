import pytest
from allauth.mfa.models import Authenticator

from directory.factories import ServicePageFactory
from portal.factories import UserFactory
from search.models import Synonym
from search.query import ServiceQuery
from search.services import search_services

pytestmark = pytest.mark.django_db


def names(text):
    return [hit.card.title for hit in search_services(ServiceQuery(text=text)).hits]


def test_a_new_synonym_takes_effect_at_once():
    ServicePageFactory(title="Wool craft group")
    assert names("yarn") == []  # the synonym list is now cached

    Synonym.objects.create(terms="wool, yarn")

    assert names("yarn") == ["Wool craft group"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/snippets/search/synonym/",
        "/admin/snippets/directory/location/",
        "/admin/snippets/directory/taxonomyterm/",
        "/admin/snippets/directory/taxonomy/",
    ],
)
def test_administrators_manage_directory_snippets_in_the_admin(client, path):
    admin = UserFactory(is_superuser=True, is_staff=True)
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "X"})
    client.force_login(admin)

    assert client.get(path).status_code == 200
