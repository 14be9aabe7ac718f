"""Text normalisation shared by questions and passages.

Queries and passages go through the same `normalize`, so a question typed in
traditional characters or full-width forms matches simplified, half-width
text. `fold` is the cheap passage-side version used by word-coverage checks.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # imported lazily: nothing happens at import time

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _tw2s():
    from opencc import OpenCC

    return OpenCC("tw2s")


@lru_cache(maxsize=1)
def _traditional_triggers() -> frozenset[str]:
    """Characters without which OpenCC's t2s cannot change a text: every
    character it converts, plus, for each phrase holding none of those, its
    rarest character (a phrase only matches when all its characters are
    there). Most simplified text contains none, and skipping OpenCC (about
    1 ms a passage) makes indexing and queries several times cheaper."""
    import jieba
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"

    def keys(name: str) -> list[str]:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        return [line.split("\t", 1)[0] for line in lines if "\t" in line]

    chars = {k for k in keys("TSCharacters.txt") if len(k) == 1}
    phrases = [p for p in keys("TSPhrases.txt") if p and not chars.intersection(p)]
    # Character frequencies from jieba's word list, to pick a rare trigger.
    freq: dict[str, int] = {}
    dict_path = Path(jieba.__file__).parent / "dict.txt"
    for line in dict_path.read_text(encoding="utf-8").splitlines():
        word, count = line.split(" ", 2)[:2]
        for ch in word:
            freq[ch] = freq.get(ch, 0) + int(count)
    return frozenset(chars | {min(p, key=lambda ch: freq.get(ch, 0)) for p in phrases})


# Lone surrogates come from text decoded with errors="surrogateescape" (a
# command line in the wrong encoding) or a JSON "\\ud800" escape: no codec can
# write them, so the encoder, OpenCC and every output would fail on them.
SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters and DEL, NUL included: never part of a question.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text a user typed made safe to analyse: a surrogate pair split into
    two code points is joined, a lone surrogate becomes U+FFFD (the usual
    replacement character), and control characters become spaces."""
    if SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub(" ", text)


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width), traditional -> simplified, lower case."""
    text = unicodedata.normalize("NFKC", text)
    if _traditional_triggers().isdisjoint(text):
        return text.lower()
    simplified = _t2s().convert(text)
    if "著" in simplified:
        simplified = _taiwan_zhe(text, simplified)
    return simplified.lower()


def _taiwan_zhe(text: str, simplified: str) -> str:
    """Taiwan writes the particle 着 as 著 (隨著, 意味著, 著力). t2s keeps 著,
    which simplified text also uses (著名, 显著), so 隨著 never matched 随着;
    tw2s tells the two apart by phrase. Only this character is taken from
    tw2s: its other variant rules would turn 么 into 幺 and 抬 into 擡."""
    taiwan = _tw2s().convert(text)
    if len(taiwan) != len(simplified):
        return simplified
    pairs = zip(simplified, taiwan, strict=True)
    return "".join(t if s == "著" and t == "着" else s for s, t in pairs)


def warm_up() -> None:
    """Load the traditional-character tables ahead of need."""
    normalize("這")


# NFKC's own mapping of full-width ASCII and the ideographic space.
_HALF_WIDTH = {chr(0x3000): " ", **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}
_FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")


def fold(text: str) -> str:
    """Cheap passage-side normalisation for word-coverage checks: NFKC and
    lower case. Chinese text is NFKC-stable once its full-width punctuation is
    mapped, so the full NFKC pass (~30 µs a passage, most of a cold query's
    time) runs only on the rare text that still needs it; the mapping itself
    is a regex substitution, 3x faster than str.translate on Chinese text.
    Unlike `normalize` it skips traditional -> simplified, which costs ~1 ms
    a passage; BM25 itself still matches traditional-character corpora."""
    text = _FULL_WIDTH.sub(lambda m: _HALF_WIDTH[m.group()], text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()
