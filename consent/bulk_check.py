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

from .pipeline import NumberLine, PipelineError, UsePolicy, numbers_scan

MAX_REPORTED_INVALID = 1000
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_RECORD = 11  # each spooled number is 10 ASCII digits and a newline
_BLOCK_RECORDS = 65536


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
        for block in self.allowed_blocks(policy):
            yield from block

    def allowed_blocks(self, policy: UsePolicy) -> Iterator[list[str]]:
        """The same numbers as `allowed`, a list at a time (up to 65,536): for writers that
        can take a block at once. Counts them in `allowed_count` as it goes."""
        spool = self._spool
        self.allowed_count = 0
        if spool is None:
            return
        spool.seek(0)
        read = spool.read
        size = _RECORD * _BLOCK_RECORDS
        if isinstance(policy, UsePolicy):
            excluded, included = policy.excluded, policy.included
            if policy.consent_required:

                def keep(numbers: list[str]) -> list[str]:
                    return [n for n in numbers if n in included and n not in excluded]

            else:

                def keep(numbers: list[str]) -> list[str]:
                    return [n for n in numbers if n not in excluded]

        else:  # any object with .allows(number)
            allows = policy.allows

            def keep(numbers: list[str]) -> list[str]:
                return [n for n in numbers if allows(n)]

        while block := read(size):
            numbers = block.decode("ascii").split("\n")
            numbers.pop()  # after the last newline
            kept = keep(numbers)
            self.allowed_count += len(kept)
            if kept:
                yield kept

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
    write = spool.write
    invalid_lines = prepared.invalid_lines
    try:
        for valid, invalid in numbers_scan(_limited(chunks, max_bytes), fmt):
            if valid:
                prepared.checked += len(valid)
                valid.append(b"")
                write(b"\n".join(valid))
            if invalid:
                prepared.invalid += len(invalid)
                room = MAX_REPORTED_INVALID - len(invalid_lines)
                if room > 0:
                    invalid_lines.extend(invalid[:room])
    except BaseException:
        prepared.close()
        raise
    if prepared.checked == 0 and prepared.invalid == 0:
        prepared.close()
        raise PipelineError(400, "bad_request", "The input has no NHS numbers in it.")
    return prepared
