"""What the app accepts, and how many questions it answers at once.

Shared by the chat, its /ask, the JSON API, the OpenAI endpoint and MCP.
Every bad parameter is refused with a one-line reason (`BadRequest`: shown by
the chat, a gr.Error to /ask callers, a 400 from the JSON API); a request that
would wait too long for a free worker is refused as busy (`Busy`) instead of
hanging.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from ..search import MODES

MAX_QUESTION_CHARS = 500
MAX_HISTORY = 20  # earlier questions read for a follow-up; only the last few matter
K_RANGE = (1, 10)


class BadRequest(ValueError):
    """A parameter the app refuses, with the reason in words."""


class Busy(RuntimeError):
    """No worker came free within the wait limit."""


def _check_text(text: str, what: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = text[error.start]
        raise BadRequest(f"{what} holds a character that is not valid text "
                         f"(U+{ord(bad):04X}, a lone surrogate)") from None
    if "\x00" in text:
        raise BadRequest(f"{what} holds a NUL character")
    return text


def check_question(question) -> str:
    if not isinstance(question, str):
        raise BadRequest(f"question must be text, not {type(question).__name__}")
    question = _check_text(question, "the question").strip()
    if not question:
        raise BadRequest("the question is empty: ask a question")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadRequest(f"the question is {len(question):,} characters long; the limit is "
                         f"{MAX_QUESTION_CHARS}")
    return question


def check_k(k) -> int:
    low, high = K_RANGE
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if isinstance(k, bool) or not isinstance(k, int) or not low <= k <= high:
        raise BadRequest(f"k must be a whole number from {low} to {high}, not {k!r}")
    return k


def check_mode(mode) -> str:
    if mode not in MODES:
        raise BadRequest(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def check_history(history) -> list[str]:
    """Earlier user questions, oldest first: a list of strings (or null)."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise BadRequest("history must be a list of earlier questions (strings), "
                         f"not {type(history).__name__}")
    if len(history) > MAX_HISTORY:
        raise BadRequest(f"history holds {len(history)} questions; the limit is {MAX_HISTORY}")
    for i, item in enumerate(history):
        if not isinstance(item, str):
            raise BadRequest(f"history[{i}] must be a string, not {type(item).__name__}")
        if len(item) > MAX_QUESTION_CHARS:
            raise BadRequest(f"history[{i}] is {len(item):,} characters long; the limit is "
                             f"{MAX_QUESTION_CHARS}")
        _check_text(item, f"history[{i}]")
    return [h.strip() for h in history if h.strip()]


def default_workers() -> int:
    """Questions answered at once: the cores, at least 2 (while one waits on
    the model, another can tokenize and score), at most 8."""
    return min(max(os.cpu_count() or 1, 2), 8)


@dataclass
class Admission:
    """At most `workers` questions are answered at once and `queue` more wait,
    each at most `max_wait` seconds; beyond that a question is refused as busy."""

    workers: int = 0
    queue: int = 64
    max_wait: float = 20.0

    def __post_init__(self):
        self.workers = self.workers or default_workers()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._lock = threading.Lock()
        self.waiting = 0

    @contextmanager
    def slot(self):
        with self._lock:
            if self.waiting >= self.queue:
                raise Busy(f"{self.waiting} questions are already waiting")
            self.waiting += 1
        started = time.monotonic()
        try:
            got = self._slots.acquire(timeout=self.max_wait)
        finally:
            with self._lock:
                self.waiting -= 1
        if not got:
            raise Busy(f"no worker came free in {time.monotonic() - started:.0f} s")
        try:
            yield
        finally:
            self._slots.release()
