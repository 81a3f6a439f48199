"""A progress reporter for long management commands, without a dependency.

    with Progress(total=os.path.getsize(path), label="Importing", stream=self.stderr,
                  unit="bytes") as progress:
        for chunk in ...:
            progress.advance(len(chunk))

On a terminal it redraws one line (bar, percentage, count, rate). Anywhere else (CI, log
files) it writes a line each time another 5% is done, or after 10 seconds without one, and a
summary line at the end, so logs stay short but show the job is alive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal, Protocol

from django.core.management.base import OutputWrapper

Unit = Literal["items", "bytes"]

BAR_WIDTH = 30
LOG_STEP_PERCENT = 5
LOG_EVERY_SECONDS = 10.0
REDRAW_EVERY_SECONDS = 0.1  # a terminal redraw per row would cost more than the work


class TextStream(Protocol):
    def write(self, text: str, /) -> object: ...


class Progress:
    """Report progress towards `total` (None when unknown) in items or bytes."""

    def __init__(
        self,
        *,
        total: int | None,
        label: str,
        stream: TextStream,
        unit: Unit = "items",
        clock: Callable[[], float] = time.monotonic,
        tty: bool | None = None,
    ) -> None:
        self.total = total if total and total > 0 else None
        self.label = label
        self.unit = unit
        self.done = 0
        self._stream = stream
        self._clock = clock
        self._tty = _isatty(stream) if tty is None else tty
        self._started = self._last_output = clock()
        self._next_step = LOG_STEP_PERCENT
        self._line_width = 0
        self._closed = False

    def advance(self, n: int = 1) -> None:
        """Count `n` more items (or bytes) done; writes only when it is time to."""
        self.done += n
        now = self._clock()
        if self._tty:
            if now - self._last_output >= REDRAW_EVERY_SECONDS:
                self._redraw(now)
        elif self._due_log_line(now):
            self._write(f"{self._status(now)}\n")
            self._last_output = now

    def note(self, message: str) -> None:
        """Write a message on its own line without garbling the bar."""
        if self._tty and self._line_width:
            self._write("\r" + " " * self._line_width + "\r")
            self._line_width = 0
        self._write(f"{message}\n")
        if self._tty and not self._closed:
            self._redraw(self._clock())

    def close(self, *, failed: bool = False) -> None:
        """Finish the line on a terminal, or write the summary line. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        now = self._clock()
        if self._tty:
            self._redraw(now)
            self._write("\n")
            return
        elapsed = now - self._started
        verb = "stopped after" if failed else "done,"
        self._write(
            f"{self.label}: {verb} {self._amount(self.done)} in {_duration(elapsed)} "
            f"({self._rate(elapsed)})\n"
        )

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(failed=exc_type is not None)

    def _due_log_line(self, now: float) -> bool:
        if now - self._last_output >= LOG_EVERY_SECONDS:
            self._catch_up_step()
            return True
        if self.total is not None and self._percent() >= self._next_step:
            self._catch_up_step()
            return True
        return False

    def _catch_up_step(self) -> None:
        # A big advance can jump several steps: the next line is due at the next unreached one.
        if self.total is None:
            return
        percent = self._percent()
        while self._next_step <= percent:
            self._next_step += LOG_STEP_PERCENT

    def _redraw(self, now: float) -> None:
        line = self._status(now, bar=True)
        padding = " " * max(0, self._line_width - len(line))
        self._write(f"\r{line}{padding}")
        self._line_width = len(line)
        self._last_output = now

    def _status(self, now: float, *, bar: bool = False) -> str:
        elapsed = now - self._started
        parts = [self.label]
        if self.total is not None:
            percent = self._percent()
            if bar:
                filled = int(BAR_WIDTH * min(percent, 100) / 100)
                parts.append(f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}]")
            parts.append(f"{percent:3.0f}%")
            parts.append(f"{self._amount(self.done)} of {self._amount(self.total)}")
        else:
            parts.append(self._amount(self.done))
        parts.append(self._rate(elapsed))
        return "  ".join(parts)

    def _percent(self) -> float:
        assert self.total is not None
        return 100 * self.done / self.total

    def _amount(self, n: float) -> str:
        if self.unit == "bytes":
            return _bytes(n)
        return f"{n:,.0f}"

    def _rate(self, elapsed: float) -> str:
        if elapsed <= 0:
            return "-/s"
        rate = self.done / elapsed
        if self.unit == "items" and rate < 10:
            return f"{rate:.1f}/s"  # a slow job would otherwise show 0/s
        return f"{self._amount(rate)}/s"

    def _write(self, text: str) -> None:
        if isinstance(self._stream, OutputWrapper):
            # Django's wrapper would add a newline to every write and colour stderr red.
            self._stream.write(text, style_func=_plain, ending="")
        else:
            self._stream.write(text)
        if flush := getattr(self._stream, "flush", None):
            flush()


def _plain(text: str) -> str:
    return text


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _bytes(n: float) -> str:
    if n < 1000:
        return f"{n:,.0f} B"
    for unit in ("KB", "MB"):
        n /= 1000
        if n < 1000:
            return f"{n:,.1f} {unit}"
    return f"{n / 1000:,.1f} GB"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
