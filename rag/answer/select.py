"""Which sentences of the retrieved passages answer the question: the best
one, plus others scoring close to it, merged per passage and quoted in
reading order. Every quote stays an exact slice of its article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..index import split_sentences
from ..search import Query
from ..text import normalize
from ..types import Hit

MAX_QUOTES = 3
# A further sentence is quoted only if it scores close to the best one:
# the answer should be short, not a summary of every passage retrieved.
RELATIVE_FLOOR = 0.8


@dataclass
class Candidate:
    start: int
    end: int
    text: str
    hit: Hit
    rank: int
    score: float = 0.0


def _coverage(terms: list[str], text: str) -> float:
    if not terms:
        return 0.0
    return sum(t in text for t in terms) / len(terms)


def _keyword_score(query: Query, sentence: str) -> float:
    norm = normalize(sentence)
    words, grams = query.content_words, query.bigrams
    score = 0.6 * _coverage(words, norm) + 0.4 * _coverage(grams, norm) if grams else \
        _coverage(words, norm)
    if query.focus and query.focus != query.context:
        # A follow-up's own words decide between passages.
        score = 0.5 * score + 0.5 * _coverage(list(query.focus_words), norm)
    return score


def _near_duplicate(a: str, b: str) -> bool:
    if a in b or b in a:
        return True
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    return bool(ga and gb) and len(ga & gb) / len(ga | gb) > 0.8


def candidates(hits: Sequence[Hit]) -> list[Candidate]:
    """Every sentence of `hits` once (overlapping chunks repeat sentences)."""
    seen: dict[tuple[str, int, int], Candidate] = {}
    for rank, hit in enumerate(hits):
        for a, b in split_sentences(hit.text, offset=hit.start):
            key = (hit.article_id, a, b)
            if key not in seen:
                seen[key] = Candidate(a, b, hit.text[a - hit.start : b - hit.start], hit, rank)
    return list(seen.values())


SHORT = 8  # characters: headings and fragments ("●观 点") carry no answer


def signals(retriever, query: Query, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's (normalised `texts`) cosine to the question and share
    of the question's words it holds."""
    encoder = retriever.encoder
    question = query.vector(encoder, query.normalized)
    # Passage sentences recur from question to question: their vectors are kept.
    sentences = encoder.encode_cached(texts) if hasattr(encoder, "encode_cached") \
        else encoder.encode_passages(texts)
    cosines = np.asarray(sentences @ question, dtype=float)
    return cosines, np.array([_keyword_score(query, t) for t in texts], dtype=float)


def formula(cosines, keywords, passage_rank, short) -> np.ndarray:
    """Half cosine, half keywords, a nudge for the passage's rank (1 / (1 +
    rank)), and half marks for fragments (`short`)."""
    score = 0.5 * np.asarray(cosines) + 0.5 * np.asarray(keywords) + 0.1 * np.asarray(passage_rank)
    return np.where(np.asarray(short, dtype=bool), 0.5 * score, score)


def score(retriever, query: Query, found: list[Candidate]) -> None:
    """Each candidate's score (formula)."""
    texts = [normalize(c.text) for c in found]
    cosines, keywords = signals(retriever, query, texts)
    values = formula(cosines, keywords, [1.0 / (1 + c.rank) for c in found],
                     [len(t.strip()) < SHORT for t in texts])
    for c, value in zip(found, values, strict=True):
        c.score = float(value)


def select_sentences(retriever, query: Query, hits: Sequence[Hit], *,
                     limit: int = MAX_QUOTES) -> list[Candidate]:
    """The best 1..limit sentences of `hits` for `query`, merged per passage, in
    reading order (by passage rank, then by position in the article)."""
    found = candidates(hits)
    if not found:
        return []
    score(retriever, query, found)
    ranked = sorted(found, key=lambda c: -c.score)
    best = ranked[0]
    chosen = [best]
    for c in ranked[1:]:
        if len(chosen) >= limit or c.score < RELATIVE_FLOOR * best.score:
            break
        if any(_near_duplicate(c.text, o.text) for o in chosen):
            continue
        same = [o for o in chosen if _place(o) == _place(c)]
        # The same paragraph is quoted again only when the sentences are adjacent
        # (merged into one quote below); otherwise prefer other passages.
        body = retriever.article(c.hit.article_id).body
        if same and not any(_adjacent(body, c, o) for o in same):
            continue
        chosen.append(c)
    return _merge(retriever, chosen)


def _place(c: Candidate) -> tuple[str, int]:
    return c.hit.article_id, c.hit.paragraph


def _adjacent(body: str, a: Candidate, b: Candidate) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return first.end <= second.start and not body[first.end : second.start].strip()


def _merge(retriever, chosen: list[Candidate]) -> list[Candidate]:
    """Reading order; adjacent sentences of one paragraph become one quote."""
    order: dict[tuple[str, int], int] = {}
    for c in sorted(chosen, key=lambda c: c.rank):
        order.setdefault(_place(c), len(order))
    chosen = sorted(chosen, key=lambda c: (order[_place(c)], c.start))
    merged: list[Candidate] = []
    for c in chosen:
        last = merged[-1] if merged else None
        if last and _place(last) == _place(c):
            body = retriever.article(c.hit.article_id).body
            if _adjacent(body, last, c):
                # One paragraph is one contiguous slice, so the span is still an exact quote;
                # its passage is the union of the two (also a slice of the paragraph).
                lo, hi = min(last.hit.start, c.hit.start), max(last.hit.end, c.hit.end)
                hit = replace(last.hit, text=body[lo:hi], start=lo, end=hi)
                merged[-1] = Candidate(last.start, c.end, body[last.start : c.end], hit,
                                       min(last.rank, c.rank), max(last.score, c.score))
                continue
        merged.append(c)
    return merged
