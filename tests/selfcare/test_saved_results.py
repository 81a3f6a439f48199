"""Wellbeing checks are anonymous; nothing is stored unless the person chooses to save their
result (issue 6). Saving keeps the scores and bands, never the answers, for a signed-in
person, who can see and delete them."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.factories import UserFactory
from selfcare.models import SavedResult

pytestmark = pytest.mark.django_db

GAD7 = "/self-care/gad-7"


def _complete_gad7(client: Client, value: str = "several-days") -> None:
    for n in range(1, 8):
        assert client.post(f"{GAD7}/q/q{n}/", {f"q{n}": value}).status_code == 302
    if value != "not-at-all":
        client.post(f"{GAD7}/q/difficulty/", {"difficulty": "somewhat-difficult"})
    assert client.post(f"{GAD7}/check/")["Location"] == f"{GAD7}/result/"


@pytest.fixture
def person_client():
    client = Client()
    user = UserFactory()
    client.force_login(user)
    return client, user


def test_completing_a_check_stores_nothing(client):
    _complete_gad7(client)
    html = client.get(f"{GAD7}/result/").content.decode()
    assert "Nothing has been stored" in html
    assert "Sign in or create an account to save your result" in html
    assert not SavedResult.objects.exists()


def test_anonymous_save_is_sent_to_sign_in_and_stores_nothing(client):
    _complete_gad7(client)
    response = client.post(f"{GAD7}/save-result/")
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not SavedResult.objects.exists()


def test_signed_in_person_saves_scores_not_answers(person_client):
    client, user = person_client
    _complete_gad7(client)
    response = client.post(f"{GAD7}/save-result/")
    assert response["Location"] == f"{GAD7}/result/?saved=1"
    saved = SavedResult.objects.get(user=user)
    assert saved.definition_slug == "gad-7"
    assert saved.definition_version >= 1
    assert saved.scoring_version >= 1
    assert saved.scores[0]["score"] == 7
    assert saved.scores[0]["maximum"] == 21
    assert saved.scores[0]["band"]
    assert "several-days" not in str(saved.scores)
    html = client.get(response["Location"]).content.decode()
    assert "Your result has been saved" in html
    client.post(f"{GAD7}/save-result/")  # twice: one copy
    assert SavedResult.objects.count() == 1


def test_an_unfinished_check_cannot_be_saved(person_client):
    client, _user = person_client
    client.post(f"{GAD7}/q/q1/", {"q1": "not-at-all"})
    assert client.post(f"{GAD7}/save-result/").status_code == 302
    assert not SavedResult.objects.exists()


def test_self_assessments_are_not_saved_this_way(person_client):
    client, _user = person_client
    assert client.post("/self-care/example-send/save-result/").status_code == 404


def test_saved_results_are_listed_for_their_owner_only_and_can_be_deleted(person_client):
    client, _user = person_client
    _complete_gad7(client)
    client.post(f"{GAD7}/save-result/")
    mine = SavedResult.objects.get()
    html = client.get("/self-care/saved-results/").content.decode()
    assert mine.definition_title in html
    assert "7 out of 21" in html
    other = Client()
    other.force_login(UserFactory())
    assert mine.definition_title not in other.get("/self-care/saved-results/").content.decode()
    other.post("/self-care/saved-results/", {"delete": str(mine.pk)})
    assert SavedResult.objects.filter(pk=mine.pk).exists()  # not theirs to delete
    client.post("/self-care/saved-results/", {"delete": str(mine.pk)})
    assert not SavedResult.objects.exists()


def test_delete_all(person_client):
    client, user = person_client
    for value in ("not-at-all", "nearly-every-day"):
        client.post(f"{GAD7}/start-again/")
        _complete_gad7(client, value)
        client.post(f"{GAD7}/save-result/")
    assert SavedResult.objects.filter(user=user).count() == 2
    client.post("/self-care/saved-results/", {"delete": "all"})
    assert not SavedResult.objects.exists()


def test_saved_results_need_sign_in(client):
    assert client.get("/self-care/saved-results/")["Location"].startswith("/accounts/login/")
