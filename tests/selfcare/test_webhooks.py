"""Sending submissions to the council's case system (selfcare.webhooks, docs/selfcare-webhook.md)
against a real local HTTP server: the signature, retries with backoff, giving up, network
failures, the retry command, and the read-only admin log for Administrators."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal import roles
from portal.factories import UserFactory
from portal.scheduling import jobs_registered
from selfcare.models import Submission, WebhookAttempt, WebhookDelivery
from selfcare.webhooks import (
    PAYLOAD_FIELDS,
    webhook_attempt,
    webhook_queue_for,
    webhook_retry_delay,
)

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret"
PERSONAL = ("Sam Carer", "sam@example.com", "07700 900123", "A break now and then")


class FakeCaseSystem:
    """A case system's endpoint on 127.0.0.1: records each request and answers with the next
    scripted status (200 once the script runs out), after `delay` seconds."""

    def __init__(self, statuses=(), delay: float = 0) -> None:
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"path": self.path, "headers": self.headers, "body": body})
                status = fake.statuses.pop(0) if fake.statuses else 200
                if fake.delay:
                    time.sleep(fake.delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/selfcare"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def case_system(settings):
    """Start a fake case system and point the settings at it: call with the answers to give."""
    started = []

    def start(statuses=(), delay: float = 0) -> FakeCaseSystem:
        fake = FakeCaseSystem(statuses, delay)
        started.append(fake)
        settings.SELFCARE_WEBHOOK_URL = fake.url
        settings.SELFCARE_WEBHOOK_SECRET = SECRET
        return fake

    yield start
    for fake in started:
        fake.close()


def make_submission(reference: str = "CSA-7K3M-9QXP") -> Submission:
    return Submission.objects.create(
        reference=reference,
        definition_slug="example-send",
        definition_title="Carer's self-assessment",
        definition_version=1,
        scoring_version=3,
        answers={"help": "A break now and then", "contact-name": "Sam Carer"},
        summary=[
            {"title": "About you", "rows": [{"key": "What would help?", "answer": "A break"}]}
        ],
        outcome={"scores": {"coping": 2}, "bands": {}, "flags": [], "eligibility": None},
        urgent=True,
        urgent_reasons=["Not coping"],
        contact_name="Sam Carer",
        contact_email="sam@example.com",
        contact_phone="07700 900123",
        completed_by_proxy=True,
        consent_to_share=["gp"],
        submitted_at=timezone.now(),
    )


def queue(submission: Submission, django_capture_on_commit_callbacks) -> WebhookDelivery | None:
    """Queue as submission_create does, inside its transaction; the first attempt runs after
    the commit (on the immediate backend, at once)."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        webhook_queue_for(submission=submission)
    return WebhookDelivery.objects.filter(submission=submission).first()


def make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def retry_command() -> str:
    out = io.StringIO()
    call_command("selfcare_webhook_retry", stdout=out)
    return out.getvalue()


def test_no_url_configured_sends_nothing_and_keeps_no_copy(
    settings, django_capture_on_commit_callbacks
):
    settings.SELFCARE_WEBHOOK_URL = ""
    assert queue(make_submission(), django_capture_on_commit_callbacks) is None
    assert not WebhookDelivery.objects.exists()


def test_sent_after_commit_with_a_signature_over_the_exact_bytes(
    case_system, django_capture_on_commit_callbacks
):
    fake = case_system([200])
    submission = make_submission()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            webhook_queue_for(submission=submission)
        assert fake.requests == []  # nothing leaves before the case is committed

    delivery = WebhookDelivery.objects.get(submission=submission)
    assert delivery.status == WebhookDelivery.DELIVERED
    assert delivery.delivered_at is not None
    assert delivery.attempts == 1
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [200]

    [request] = fake.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/selfcare"
    assert body == delivery.body.encode()
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"]
    assert headers["X-Selfcare-Delivery"] == str(delivery.pk)
    timestamp = headers["X-Selfcare-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Selfcare-Signature"] == f"sha256={expected.hexdigest()}"
    wrong = hmac.new(b"another-secret", timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Selfcare-Signature"] != f"sha256={wrong.hexdigest()}"

    payload = json.loads(body)
    assert payload["event"] == "submission.created"
    assert payload["id"] == str(delivery.pk)
    assert payload["reference"] == "CSA-7K3M-9QXP"
    assert payload["definition"] == {
        "slug": "example-send",
        "title": "Carer's self-assessment",
        "version": 1,
        "scoring_version": 3,
    }
    assert payload["contact"] == {
        "name": "Sam Carer",
        "email": "sam@example.com",
        "phone": "07700 900123",
    }
    assert payload["urgent"] is True
    assert payload["urgent_reasons"] == ["Not coping"]
    assert payload["answers"]["help"] == "A break now and then"
    # Compact, sorted JSON: what the receiver hashes is exactly what was stored.
    assert body.decode() == json.dumps(payload, sort_keys=True, separators=(",", ":"))


def test_body_holds_only_the_documented_fields(case_system, django_capture_on_commit_callbacks):
    case_system([200])
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    payload = json.loads(delivery.body)
    assert set(payload) == set(PAYLOAD_FIELDS)
    assert set(payload["definition"]) == {"slug", "title", "version", "scoring_version"}
    assert set(payload["contact"]) == {"name", "email", "phone"}
    for internal in ("user", "assigned_to", "status", "notes", "activity"):
        assert internal not in payload


def test_a_failure_is_retried_by_the_command_once_due(
    case_system, django_capture_on_commit_callbacks
):
    fake = case_system([500, 200])
    before = timezone.now()
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)

    assert delivery.status == WebhookDelivery.PENDING
    assert delivery.attempts == 1
    # First retry one minute later (SELFCARE_WEBHOOK_RETRY_DELAY = 60 seconds).
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=59) < wait < timedelta(seconds=70)

    assert "0 due deliveries attempted" in retry_command()  # not due yet
    assert len(fake.requests) == 1

    later = timezone.now() + timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        output = retry_command()
    assert "1 due deliveries attempted: 1 delivered" in output

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.DELIVERED
    assert delivery.attempts == 2
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [500, 200]
    assert len(fake.requests) == 2
    # Every retry sends the same bytes.
    assert fake.requests[0]["body"] == fake.requests[1]["body"]


def test_the_retry_command_is_scheduled_every_five_minutes():
    jobs = {job.name: job for job in jobs_registered()}
    assert jobs["selfcare-webhook-retry"].command == "selfcare_webhook_retry"
    assert jobs["selfcare-webhook-retry"].every == timedelta(minutes=5)
    assert jobs["selfcare-expire-drafts"].command == "selfcare_expire_drafts"
    assert jobs["selfcare-expire-drafts"].at == timedelta(hours=6)


def test_backoff_multiplies_by_four_up_to_six_hours(settings):
    settings.SELFCARE_WEBHOOK_RETRY_DELAY = 60
    minutes = [webhook_retry_delay(attempt=n).total_seconds() / 60 for n in range(1, 9)]
    assert minutes == [1, 4, 16, 64, 256, 360, 360, 360]
    assert webhook_retry_delay(attempt=500) == timedelta(hours=6)


def test_gives_up_after_max_attempts_and_logs_no_personal_data(
    case_system, settings, caplog, django_capture_on_commit_callbacks
):
    settings.SELFCARE_WEBHOOK_MAX_ATTEMPTS = 3
    fake = case_system([503, 503, 503, 200])
    caplog.set_level(logging.INFO, logger="selfcare.webhooks")
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    for _ in range(2):
        make_due(delivery)
        retry_command()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.FAILED
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 3

    make_due(delivery)  # even if it looked due, a delivery that gave up is not sent again
    retry_command()
    assert len(fake.requests) == 3

    [gave_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert str(delivery.pk) in gave_up.getMessage()
    assert "CSA-7K3M-9QXP" in gave_up.getMessage()
    for record in caplog.records:
        for text in PERSONAL:
            assert text not in record.getMessage()


def test_a_refused_connection_is_recorded_and_retried(settings, django_capture_on_commit_callbacks):
    settings.SELFCARE_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/hooks"
    settings.SELFCARE_WEBHOOK_SECRET = SECRET
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)

    assert delivery.status == WebhookDelivery.PENDING
    assert delivery.next_attempt_at > timezone.now()
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "ConnectionRefused" in attempt.error


def test_a_timeout_is_recorded_and_retried(
    case_system, settings, django_capture_on_commit_callbacks
):
    fake = case_system([200], delay=2.5)
    settings.SELFCARE_WEBHOOK_TIMEOUT = 1
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)

    assert delivery.status == WebhookDelivery.PENDING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "Timeout" in attempt.error
    assert 900 <= attempt.duration_ms < 2400
    # The attempt log never keeps what was sent.
    for text in PERSONAL:
        assert text not in attempt.error

    fake.delay = 0
    make_due(delivery)
    retry_command()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.DELIVERED


def test_a_redirect_is_not_an_acknowledgement_and_is_not_followed(
    case_system, django_capture_on_commit_callbacks
):
    fake = case_system([302])
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    assert delivery.status == WebhookDelivery.PENDING
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [302]
    assert len(fake.requests) == 1


def test_retry_command_skips_deliveries_not_due_and_delivered(
    case_system, django_capture_on_commit_callbacks
):
    fake = case_system([500, 500, 500])
    due, not_due, done = (
        queue(make_submission(f"CSA-AAAA-000{n}"), django_capture_on_commit_callbacks)
        for n in range(3)
    )
    WebhookDelivery.objects.filter(pk=done.pk).update(
        status=WebhookDelivery.DELIVERED, next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    make_due(due)
    fake.requests.clear()

    assert "1 due deliveries attempted: 1 delivered" in retry_command()
    assert [r["headers"]["X-Selfcare-Delivery"] for r in fake.requests] == [str(due.pk)]
    not_due.refresh_from_db()
    assert not_due.status == WebhookDelivery.PENDING
    assert not_due.attempts == 1


def test_an_attempt_claims_the_delivery_so_it_is_not_sent_twice(
    case_system, django_capture_on_commit_callbacks
):
    fake = case_system([500, 500])
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    make_due(delivery)
    stale = WebhookDelivery.objects.get(pk=delivery.pk)  # what a second process had read
    assert webhook_attempt(delivery=delivery) is False  # sent, failed again
    assert webhook_attempt(delivery=stale) is False  # no longer due: not sent
    assert len(fake.requests) == 2


def test_the_case_is_recorded_even_when_the_delivery_cannot_be(
    settings, django_capture_on_commit_callbacks
):
    settings.SELFCARE_WEBHOOK_URL = "http://127.0.0.1:1/hooks"
    submission = make_submission()
    with (
        mock.patch.object(WebhookDelivery.objects, "create", side_effect=RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        webhook_queue_for(submission=submission)  # does not raise
    assert Submission.objects.filter(pk=submission.pk).exists()


# --- The admin's delivery log --------------------------------------------------------------

DELIVERIES = "/admin/case-system-deliveries/"


def signed_in(client, role):
    user = UserFactory(roles=[role])
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    return client


def test_administrators_see_the_log_but_not_the_body(
    client, case_system, django_capture_on_commit_callbacks
):
    case_system([500])
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    signed_in(client, roles.ADMINISTRATORS)

    listing = client.get(DELIVERIES).content.decode()
    assert "CSA-7K3M-9QXP" in listing
    assert "Waiting to be sent" in listing
    detail = client.get(f"{DELIVERIES}inspect/{delivery.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Attempt log" in html
    assert '<table class="listing">' in html  # rendered, not escaped
    assert "500" in html
    assert "Retry now" in html
    for text in PERSONAL:
        assert text not in html
    # Read-only: there is no add or edit form.
    assert client.get(f"{DELIVERIES}new/").status_code == 404
    assert client.get(f"{DELIVERIES}edit/{delivery.pk}/").status_code == 404


@pytest.mark.parametrize("role", [roles.EDITORS, roles.PRACTITIONERS])
def test_other_staff_cannot_see_the_log(
    client, role, case_system, django_capture_on_commit_callbacks
):
    case_system([500])
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    signed_in(client, role)
    assert client.get(DELIVERIES).status_code in (302, 403)
    assert client.get(f"{DELIVERIES}inspect/{delivery.pk}/").status_code in (302, 403)
    assert client.post(f"{DELIVERIES}{delivery.pk}/retry/").status_code in (302, 403)
    assert delivery.attempt_log.count() == 1


def test_retry_now_sends_a_delivery_that_gave_up(
    client, case_system, settings, django_capture_on_commit_callbacks
):
    settings.SELFCARE_WEBHOOK_MAX_ATTEMPTS = 1
    fake = case_system([500, 200])
    delivery = queue(make_submission(), django_capture_on_commit_callbacks)
    assert delivery.status == WebhookDelivery.FAILED
    signed_in(client, roles.ADMINISTRATORS)

    response = client.post(f"{DELIVERIES}{delivery.pk}/retry/", follow=True)
    assert "was delivered" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.DELIVERED
    assert len(fake.requests) == 2


# --- Production refuses an unsafe configuration ------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"SELFCARE_WEBHOOK_URL": "http://cases.council.example/hooks"},
            "SELFCARE_WEBHOOK_URL must be an https:// address",
        ),
        (
            {"SELFCARE_WEBHOOK_URL": "https://cases.council.example/hooks"},
            "SELFCARE_WEBHOOK_SECRET must be set",
        ),
    ],
)
def test_production_refuses_an_unsafe_webhook(overrides, message):
    from tests.portal.test_production_settings import manage

    result = manage("check", **overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_accepts_an_https_webhook_with_a_secret():
    from tests.portal.test_production_settings import manage

    result = manage(
        "check",
        SELFCARE_WEBHOOK_URL="https://cases.council.example/hooks",
        SELFCARE_WEBHOOK_SECRET="a-long-random-shared-secret-0123456789",
    )
    assert result.returncode == 0, result.stderr


def test_sending_a_self_assessment_delivers_it_to_the_case_system(
    client, case_system, django_capture_on_commit_callbacks
):
    from tests.selfcare.test_submissions import _answer_all, _send

    fake = case_system([200])
    _answer_all(client)
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)

    submission = Submission.objects.get()
    [request] = fake.requests
    payload = json.loads(request["body"])
    assert payload["reference"] == submission.reference
    assert payload["contact"]["email"] == "sam@example.com"
    assert payload["consent_to_share"] == ["gp", "social-care"]
    assert WebhookDelivery.objects.get().status == WebhookDelivery.DELIVERED
