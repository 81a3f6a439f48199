"""The task queue in tests: the database backend, its worker run in-process, a failing mailer."""

import logging
import signal
import smtplib
from io import StringIO

from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FAILING_EMAIL_BACKEND = "tests.portal.tasks.FailingEmailBackend"
_WORKER_LOGGERS = ("django_tasks", "django_tasks_db")
_WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, quoting the address as real servers do."""

    def send_messages(self, email_messages):
        recipients = [address for message in email_messages for address in message.to]
        raise smtplib.SMTPRecipientsRefused(dict.fromkeys(recipients, (550, b"No such user")))


def run_worker() -> str:
    """Run `manage.py db_worker` until no task is ready, as the worker service would; its output.

    The command sets signal handlers and logger levels for a long-lived process: put them back.
    """
    handlers = {signum: signal.getsignal(signum) for signum in _WORKER_SIGNALS}
    loggers = {
        name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers))
        for name in _WORKER_LOGGERS
    }
    output = StringIO()
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0",
            stdout=output,
        )
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        for name, (level, logger_handlers) in loggers.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).handlers[:] = logger_handlers
    return output.getvalue()
