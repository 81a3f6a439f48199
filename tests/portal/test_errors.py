import pytest
from django.test import Client, RequestFactory

from portal import views

pytestmark = pytest.mark.django_db


def test_unknown_url_gives_the_styled_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "govuk-footer" in response.text  # styled, in the site shell


def test_forged_post_gives_the_csrf_page_not_a_stack_trace():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})

    assert response.status_code == 403
    assert "Sorry, your form could not be sent" in response.text
    assert "Traceback" not in response.text


def test_server_error_page_is_styled_and_reveals_nothing(rf: RequestFactory):
    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_server_error_page_survives_a_broken_template_context(rf, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(views, "_render_error", broken)

    response = views.server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_bad_request_and_permission_denied_pages_are_styled(rf):
    for view, status, text in [
        (views.bad_request, 400, "problem with your request"),
        (views.permission_denied, 403, "You do not have permission"),
    ]:
        response = view(rf.get("/"))
        assert response.status_code == status
        assert text in response.content.decode()
