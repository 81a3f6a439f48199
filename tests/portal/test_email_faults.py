"""A failing mail server never undoes what a person did: the action is saved and the email
waits in the task queue for its retry (portal.email). test_email.py covers the retry rules;
test_shortlist.py and test_accounts.py the shortlist email and sign-up. These cover the
other actions that send email, with the production task backend (django_tasks_db).

The mail server here is real SMTP to a loopback port that nothing listens on (connection
refused), or a backend that refuses every recipient as a real server does.
"""

import logging
import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from directory.factories import OrganisationPageFactory, ServicePageFactory
from directory.models import ListingFeedback, Review
from directory.providers import membership_add
from directory.reviews import review_approve
from portal import roles
from portal.email import RETRY_SCHEDULED
from portal.factories import UserFactory
from tests.directory.review_helpers import make_review, moderator

from .tasks import DATABASE_TASKS, FAILING_EMAIL_BACKEND, run_worker

# The worker reopens database connections, so these tests commit (see test_email.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPORTER = "resident@example.com"
EDITOR = "alex@carers.example"
AUTHOR = "reviewer@example.com"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_smtp(settings):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def email_tasks(**filters):
    return DBTaskResult.objects.filter(task_path="portal.email.email_deliver", **filters)


def assert_retry_waits_after_failure(started, logs, reason: str, *, count: int) -> None:
    retries = list(email_tasks(status="READY"))
    assert len(retries) == count
    for retry in retries:
        assert retry.args_kwargs["kwargs"]["attempt"] == 2
        assert retry.run_after > started + timedelta(seconds=59)
    failed_first = email_tasks(status="SUCCESSFUL", return_value=RETRY_SCHEDULED)
    assert failed_first.count() == count
    assert f"attempt 1 of 5 failed ({reason}); trying again in 60 seconds" in logs.text


def test_a_problem_report_is_saved_while_the_mail_server_is_down(
    client, unreachable_smtp, settings, mailoutbox, logs
):
    organisation = OrganisationPageFactory(title="Seaborough Carers Trust")
    service = ServicePageFactory(parent=organisation, title="Carers’ café")
    editor = UserFactory(email=EDITOR)
    membership_add(organisation=organisation, user=editor)
    UserFactory(email="mo@council.example", roles=[roles.MODERATORS])

    response = client.post(
        f"{service.url}report-a-problem/",
        {"reason": "wrong-contact", "details": "The phone is out of use.", "email": REPORTER},
    )

    assert response.status_code == 302
    assert "Thank you for reporting a problem" in client.get(response["Location"]).text
    feedback = ListingFeedback.objects.get()
    assert (feedback.service_id, feedback.email) == (service.pk, REPORTER)
    assert email_tasks(status="READY").count() == 2  # editors, moderators

    started = timezone.now()
    run_worker()  # the SMTP connection is refused

    assert mailoutbox == []
    assert_retry_waits_after_failure(started, logs, "ConnectionRefusedError", count=2)
    assert ListingFeedback.objects.filter(pk=feedback.pk).exists()
    for private in (REPORTER, EDITOR, "The phone is out of use."):
        assert private not in logs.text

    # The mail server is back: the retries deliver.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email_tasks(status="READY").update(run_after=timezone.now())
    run_worker()
    assert sorted(message.to for message in mailoutbox) == [[EDITOR], ["mo@council.example"]]


def test_an_approved_review_is_published_while_mail_is_refused(settings, mailoutbox, logs):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND
    organisation = OrganisationPageFactory(title="Seaborough Carers Trust")
    service = ServicePageFactory(parent=organisation, title="Carers’ café")
    author = UserFactory(email=AUTHOR, roles=[roles.RESIDENTS])
    review = make_review(service, author=author, text="Warm welcome every week.")

    review_approve(review=review, moderator=moderator())

    review.refresh_from_db()
    assert review.status == Review.PUBLISHED
    assert email_tasks(status="READY").count() == 1

    started = timezone.now()
    run_worker()

    assert mailoutbox == []
    assert Review.objects.get(pk=review.pk).status == Review.PUBLISHED
    assert_retry_waits_after_failure(started, logs, "SMTPRecipientsRefused", count=1)
    assert AUTHOR not in logs.text
