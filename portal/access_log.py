"""Gunicorn's access log without secrets in addresses.

The one-click "still correct" links (directory.freshness) carry a signed token in their path,
and gunicorn's access log (`--access-logfile`) records each request's path. This logger class
replaces the token with `[redacted]` in every atom (the request line, the path, the Referer and
any header or environment value a log format may name). Use it with
`--logger-class portal.access_log.RedactingLogger`.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRET_PATHS = re.compile(r"(/providers/still-correct/)[^/?#\s\"]+")
REDACTED = r"\1[redacted]"


def redact(value: str) -> str:
    return SECRET_PATHS.sub(REDACTED, value)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
