"""The bulk check (issue 5, "Bulk check"), shared by `POST /api/ig/v1/check` and
`manage.py consent_filter`.

Two passes with bounded memory however long the input:

1. `check_prepare` reads the input once, validates every item and spools the normalised valid
   numbers to a temporary file (in memory while small), counting and keeping the first
   `MAX_REPORTED_INVALID` invalid items by line. Too much input stops it (413).
2. `PreparedCheck.allowed(policy)` streams the numbers the use policy allows, in input order.

So a caller knows before it answers whether the input had invalid numbers, and can refuse
(422, with lines) or go on; the allowed numbers are never all held at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .pipeline import NumberLine, PipelineError, UsePolicy, numbers_read

MAX_REPORTED_INVALID = 1000
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


def _limited(chunks: Iterable[bytes], max_bytes: int | None) -> Iterator[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if max_bytes is not None and seen > max_bytes:
            raise PipelineError(
                413,
                "too_large",
                f"The input is larger than {max_bytes:,} bytes. Split it into smaller requests.",
            )
        yield chunk


@dataclass
class PreparedCheck:
    """Validated input, spooled: counts, the first invalid items, and the valid numbers."""

    checked: int = 0
    invalid: int = 0
    invalid_lines: list[NumberLine] = field(default_factory=list)
    allowed_count: int = 0
    _spool: tempfile.SpooledTemporaryFile | None = None

    def allowed(self, policy: UsePolicy) -> Iterator[str]:
        """The valid numbers `policy` allows, in input order; counts them in `allowed_count`."""
        spool = self._spool
        if spool is None:
            return
        spool.seek(0)
        allows = policy.allows
        count = 0
        try:
            for raw in spool:
                number = raw[:10].decode()
                if allows(number):
                    count += 1
                    yield number
        finally:
            self.allowed_count = count

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def __enter__(self) -> PreparedCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_prepare(
    chunks: Iterable[bytes], fmt: str, *, max_bytes: int | None = None
) -> PreparedCheck:
    """Pass 1: validate and spool. Raises PipelineError for malformed input (400), an unknown
    format (415) or input over `max_bytes` (413). An input with no items at all is a 400."""
    # Closed by PreparedCheck.close (the caller streams from it after this returns).
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    prepared = PreparedCheck(_spool=spool)
    write = prepared._spool.write
    try:
        for item in numbers_read(_limited(chunks, max_bytes), fmt):
            if item.nhs_number is None:
                prepared.invalid += 1
                if len(prepared.invalid_lines) < MAX_REPORTED_INVALID:
                    prepared.invalid_lines.append(item)
            else:
                prepared.checked += 1
                write(item.nhs_number.encode() + b"\n")
    except BaseException:
        prepared.close()
        raise
    if prepared.checked == 0 and prepared.invalid == 0:
        prepared.close()
        raise PipelineError(400, "bad_request", "The input has no NHS numbers in it.")
    return prepared
