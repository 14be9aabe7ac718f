"""What a search accepts: the question, k, the mode and the conversation so
far, checked at the API's edge so that bad input of any type is a ValueError
that says what is wrong, and no input is expensive.

Choices (see README, "Limits"):
- Text that cannot be encoded (lone surrogates) is repaired, not refused:
  each becomes U+FFFD and the rest of the question is searched. Control
  characters (NUL included) become spaces.
- A question is read up to MAX_QUESTION_CHARS characters; a longer one is
  cut there and the result says so (`truncated`), so a pasted page costs no
  more than a long question.
- Only the last MAX_HISTORY_TURNS earlier questions of a conversation are read.
"""

from __future__ import annotations

import numpy as np

from ..text import clean
from . import conversation

MODES = ("hybrid", "dense", "bm25")
MAX_QUESTION_CHARS = 2000
MAX_K = 100
MAX_HISTORY_TURNS = 20


def _shown(value) -> str:
    """A bad value as an error message quotes it: short."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def read_question(question) -> tuple[str, bool]:
    """(the question cleaned, stripped and capped, whether it was cut)."""
    if isinstance(question, (bytes, bytearray)):
        raise ValueError("the question must be text (str), not bytes: decode it first")
    if not isinstance(question, str):
        raise ValueError(f"the question must be text, not {type(question).__name__}")
    text = clean(question).strip()
    if not text:
        raise ValueError("the question is empty: ask a question")
    if len(text) <= MAX_QUESTION_CHARS:
        return text, False
    return text[:MAX_QUESTION_CHARS].rstrip(), True


def read_history(history) -> list[str]:
    """The last MAX_HISTORY_TURNS earlier user questions, cleaned and capped."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise ValueError(f"history must be a list of earlier questions, not "
                         f"{type(history).__name__}")
    turns = conversation.user_turns(history)[-MAX_HISTORY_TURNS:]
    cleaned = (clean(t).strip()[:MAX_QUESTION_CHARS] for t in turns)
    return [t for t in cleaned if t]


def check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be a whole number from 1 to {MAX_K}, not {_shown(k)}")
    return int(k)


def check_mode(mode) -> str:
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"unknown mode {_shown(mode)}; choose one of {', '.join(MODES)}")
    return mode
