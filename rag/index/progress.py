"""Build progress: a tqdm bar on a terminal, otherwise a line every few
seconds (done / total, rate, time left), so a build whose stderr goes to a
log file or a pipe is never silent for minutes. A program with its own
display (the chat's upload) passes a function instead, `report(what, done,
total)`, called as the work starts and after each step."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

ProgressReport = Callable[[str, int, int], None]  # (what, done, total)

LINE_INTERVAL = 5.0  # seconds between progress lines when stderr is not a terminal


def duration(seconds: float) -> str:
    """3 s, 4 min, 1.5 h: how long something takes, roughly."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Counts `total` items of work named `what` ("embedding passages")."""

    def __init__(self, total: int, what: str, *, enabled: bool | ProgressReport = True,
                 stream=None, bar_from: int = 0):
        self.total, self.what, self.done = total, what, 0
        self.report = enabled if callable(enabled) and total > 0 else None
        enabled = bool(enabled) and not callable(enabled)
        self.stream = stream if stream is not None else sys.stderr
        self.started = self.last = time.monotonic()
        self.lines = 0
        self.bar = None
        self.enabled = enabled and total > 0
        if self.enabled and _is_terminal(self.stream):
            from tqdm import tqdm

            self.enabled = False  # the bar reports instead of lines
            if total >= bar_from:
                self.bar = tqdm(total=total, desc=what, file=self.stream, unit="")
        if self.report is not None:
            self.report(what, 0, total)

    def update(self, n: int) -> None:
        self.done += n
        if self.report is not None:
            self.report(self.what, self.done, self.total)
        if self.bar is not None:
            self.bar.update(n)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last >= LINE_INTERVAL:
            self.last = now
            self._line(now)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.lines:  # it said how it was going: say that it finished
            self._line(time.monotonic(), final=True)

    def _line(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        share = f"{self.done:,}/{self.total:,} ({100 * self.done / self.total:.0f}%)"
        if final:
            tail = f"done in {duration(elapsed)}"
        elif rate > 0:
            tail = f"about {duration((self.total - self.done) / rate)} left"
        else:
            tail = "starting"
        print(f"rag: {self.what} {share}, {rate:,.1f}/s, {tail}", file=self.stream, flush=True)
        self.lines += 1

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
