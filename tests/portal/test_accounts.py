import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import mail
from django_tasks_db.models import DBTaskResult

from portal import roles
from portal.factories import TEST_PASSWORD, UserFactory

from .tasks import DATABASE_TASKS, FAILING_EMAIL_BACKEND, run_worker
from .totp import current_code

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_sign_up_verify_email_sign_in_and_out(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new.person@example.com", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.person@example.com")
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENTS]

    # Unverified: signing in sends them back to verify.
    assert sign_in(client, "new.person@example.com")["Location"] == "/accounts/confirm-email/"

    assert len(mail.outbox) >= 1
    key_path = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[-1].body).group(0)
    assert client.get(key_path).status_code == 200
    assert client.post(key_path).status_code == 302
    assert user.emailaddress_set.get().verified

    response = sign_in(client, "new.person@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"].is_authenticated

    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def sign_up(client, email):
    data = {"email": email, "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    return client.post("/accounts/signup/", data)


def test_sign_up_succeeds_when_the_mail_server_fails(client, settings, caplog):
    settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND

    response = sign_up(client, "new.person@example.com")

    assert response.status_code == 302
    assert get_user_model().objects.filter(email="new.person@example.com").exists()
    assert mail.outbox == []
    assert "not delivered" in caplog.text
    assert "new.person@example.com" not in caplog.text


# The worker reopens database connections, so the test commits (see test_email.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_account_email_is_queued_for_the_worker(client, settings):
    settings.TASKS = DATABASE_TASKS

    assert sign_up(client, "new.person@example.com").status_code == 302

    assert mail.outbox == []
    assert DBTaskResult.objects.filter(task_path="portal.email.email_deliver").exists()
    run_worker()
    assert [message.to for message in mail.outbox] == [["new.person@example.com"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_sign_up_with_bad_input_shows_an_error_summary(client):
    response = client.post(
        "/accounts/signup/", {"email": "not-an-email", "password1": "short", "password2": "other"}
    )

    assert response.status_code == 200
    html = response.text
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert "<title>Error: " in html
    assert not get_user_model().objects.filter(email="not-an-email").exists()


def test_wrong_password_is_rejected_with_a_clear_message(client):
    UserFactory(email="someone@example.com")

    response = sign_in(client, "someone@example.com", "wrong-password")

    assert response.status_code == 200
    assert "The email address or password you entered is not correct" in response.text


def test_repeated_failed_sign_ins_are_throttled(client):
    UserFactory(email="target@example.com")
    for _ in range(5):
        sign_in(client, "target@example.com", "guess")

    response = sign_in(client, "target@example.com", TEST_PASSWORD)  # even the right password

    assert response.status_code == 200
    assert "You have tried to sign in too many times" in response.text
    assert not response.context["user"].is_authenticated


def test_resident_is_not_asked_for_mfa(client):
    UserFactory(email="resident@example.com", roles=[roles.RESIDENTS])
    sign_in(client, "resident@example.com")

    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", roles.ADMIN_ACCESS_ROLES)
def test_staff_and_provider_roles_must_set_up_mfa_before_anything_else(client, role):
    UserFactory(email="staff@example.com", roles=[role])
    sign_in(client, "staff@example.com")

    for path in ["/", "/admin/", "/cookies/", "/accounts/email/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/", path


def test_provider_sets_up_totp_then_signs_in_with_a_code(client):
    user = UserFactory(email="provider@example.com", roles=[roles.PROVIDERS])
    sign_in(client, "provider@example.com")

    # allauth asks for the password again before a second factor can be added.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert response["Location"] == "/accounts/2fa/totp/activate/"

    activate = client.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200
    secret = activate.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/").status_code == 200

    client.post("/accounts/logout/")
    response = sign_in(client, "provider@example.com")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not client.get("/accounts/2fa/authenticate/").context["user"].is_authenticated

    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wagtail_admin_sign_in_goes_through_allauth(client):
    assert client.get("/admin/login/")["Location"].startswith("/accounts/login/")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


def test_resident_cannot_reach_the_wagtail_admin(client):
    UserFactory(email="resident@example.com", roles=[roles.RESIDENTS])
    sign_in(client, "resident@example.com")

    response = client.get("/admin/")

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/" not in response["Location"].split("?")[0]
