import re

import pytest
from allauth.mfa.models import Authenticator

pytestmark = pytest.mark.django_db


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)

    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "object-src 'none'" in policy


def test_only_the_wagtail_admin_may_run_inline_scripts(client, admin_user):
    # Wagtail's admin has inline scripts of its own; without this its editor breaks.
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={})
    client.force_login(admin_user)
    admin = client.get("/admin/")
    assert admin.status_code == 200
    admin_policy = admin["Content-Security-Policy"]
    public_policy = client.get("/privacy/")["Content-Security-Policy"]

    admin_scripts = re.search(r"script-src ([^;]+)", admin_policy).group(1)
    assert "'unsafe-inline'" in admin_scripts
    assert "nonce-" not in admin_scripts
    assert "'unsafe-inline'" not in re.search(r"script-src ([^;]+)", public_policy).group(1)
    assert "object-src 'none'" in admin_policy


def test_the_only_inline_script_carries_this_responses_nonce(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.text)

    assert inline_scripts, "the js-enabled snippet is expected"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)


def test_security_headers_on_every_response(client):
    response = client.get("/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_only_essential_cookies_on_a_first_visit(client):
    response = client.get("/")

    assert list(response.cookies) == []  # no tracking; session/csrf appear only when needed


@pytest.mark.parametrize(
    "path",
    ["/", "/services/", "/api/oruk/services", "/healthz", "/no-such-page/", "/accounts/login/"],
)
def test_every_kind_of_response_carries_the_security_headers(client, path):
    """Pages, the JSON API, the health check and error pages alike."""
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    script_src = re.search(r"script-src ([^;]+)", response["Content-Security-Policy"]).group(1)
    assert "'unsafe-inline'" not in script_src


def test_session_and_csrf_cookies_are_http_only_and_same_site(client, django_user_model):
    django_user_model.objects.create_user("resident", "resident@example.org", "a-long-passphrase")
    form = client.get("/accounts/login/")
    csrf = form.cookies["csrftoken"]
    signed_in = client.post(
        "/accounts/login/",
        {"login": "resident@example.org", "password": "a-long-passphrase"},
    )

    session = signed_in.cookies["sessionid"]
    assert signed_in.status_code == 302
    assert session["httponly"]
    assert csrf["httponly"]
    assert session["samesite"] == "Lax"
    assert csrf["samesite"] == "Lax"
