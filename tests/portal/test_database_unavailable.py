"""When the database cannot be reached: a 503 page with Retry-After and no internals, and a
failing /healthz so a load balancer takes the instance out.

The outage is real: the "default" connection is swapped for one whose database cannot be
opened (on SQLite a file in a folder that does not exist; on PostgreSQL a loopback port that
nothing listens on). Nothing in the failing call is patched.
"""

import logging
import socket

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9434765919"
EMAIL = "private.person@example.com"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket closes: nothing listens there


class Outage:
    """Swap the "default" connection for one to a database that cannot be reached."""

    def __init__(self, tmp_path):
        self.original = connections["default"]
        settings_dict = {**self.original.settings_dict}
        if self.original.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "portal.sqlite3")
        else:
            settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
            settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
        backend = load_backend(settings_dict["ENGINE"])
        self.broken = backend.DatabaseWrapper(settings_dict, alias="default")
        connections["default"] = self.broken

    def end(self):
        self.broken.close()
        connections["default"] = self.original


@pytest.fixture
def database_down(tmp_path):
    outage = Outage(tmp_path)
    yield outage
    outage.end()


@pytest.fixture
def client_seeing_responses():
    # The default test client re-raises a view's exception; a browser gets the response.
    return Client(raise_request_exception=False)


def test_the_outage_is_real(database_down):
    from django.db import OperationalError

    with pytest.raises(OperationalError):
        database_down.broken.ensure_connection()


@pytest.mark.parametrize("path", ["/", "/services/", "/accounts/login/"])
def test_pages_answer_503_with_the_unavailable_page(database_down, client_seeing_responses, path):
    response = client_seeing_responses.get(path)

    assert response.status_code == 503
    text = response.content.decode()
    assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in text
    assert "Try again in a few minutes" in text
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    for internal in ("Traceback", "OperationalError", "sqlite", "psycopg", "connection"):
        assert internal not in text


def test_a_post_with_personal_data_is_logged_without_it(
    database_down, client_seeing_responses, caplog
):
    caplog.set_level(logging.INFO)

    response = client_seeing_responses.post(
        f"/services/?email={EMAIL}",
        {"nhs_number": NHS_NUMBER, "email": EMAIL, "name": "Jo Bloggs"},
    )

    assert response.status_code == 503
    outage = [r for r in caplog.records if r.name == "portal.unavailable"]
    assert len(outage) == 1
    assert outage[0].levelno == logging.ERROR
    assert outage[0].getMessage() == (
        "Database unavailable (OperationalError) while answering POST /services/: sent the 503 page"
    )
    for personal in (NHS_NUMBER, EMAIL, "Jo Bloggs"):
        assert personal not in caplog.text


def test_healthz_fails_while_the_database_is_down(database_down, client_seeing_responses, caplog):
    response = client_seeing_responses.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["database"] == {"status": "error"}
    assert "Health check: database unavailable: OperationalError" in caplog.text


def test_pages_and_healthz_recover_when_the_database_is_back(database_down, client):
    assert Client(raise_request_exception=False).get("/healthz").status_code == 503

    database_down.end()

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200
