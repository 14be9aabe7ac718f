"""Extractive answers: the sentences of the best passages that carry the answer,
quoted verbatim with numbered citations. Shared by the chat UI and `rag ask`.

Nothing here paraphrases: every quote is `article.body[start:end]`, so a reader
can always check it against the article.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .byline import asks_where_published, dateline, printed
from .chunking import split_sentences
from .conversation import (
    content_words,
    contextual_query,
    is_meta_question,
    strip_follow_markers,
)
from .text import normalize, tokenize
from .types import Article, Hit

ABSTAIN_MESSAGE = "所收录的文章没有涉及这个问题。"
ABSTAIN_MESSAGE_EN = "(The articles in this collection do not cover this question.)"
LOW_RELEVANCE = "最接近的段落（相关度低，不是答案，仅供参考）"

MAX_QUOTES = 3
# A further sentence is quoted only if it scores close to the best one:
# the answer should be short, not a summary of every passage retrieved.
RELATIVE_FLOOR = 0.8

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")


@dataclass(frozen=True)
class Citation:
    n: int
    quote: str  # the selected sentence(s), verbatim
    text: str  # the full passage the quote comes from
    article_id: str
    title: str
    author: str
    section: str
    paragraph: int  # 0 for a quote of the article's byline/metadata
    start: int  # body offsets of the quote; -1 when it is metadata, not body text
    end: int

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Answer:
    question: str
    query: str  # what retrieval used, after follow-up context
    answer: str  # markdown, HTML-escaped
    abstained: bool
    citations: tuple[Citation, ...] = ()
    closest: tuple[Hit, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "query": self.query,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "closest": [h.to_dict(rank=i + 1) for i, h in enumerate(self.closest)],
        }


# -- sentence selection --------------------------------------------------------


@dataclass
class _Candidate:
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


def _keyword_score(query: str, focus: str, sentence: str) -> float:
    norm = normalize(sentence)
    words = content_words(query)
    grams = [t[1:] for t in tokenize(query) if t.startswith("~")]
    score = 0.6 * _coverage(words, norm) + 0.4 * _coverage(grams, norm) if grams else \
        _coverage(words, norm)
    if focus and focus != query:  # a follow-up's own words decide between passages
        score = 0.5 * score + 0.5 * _coverage(content_words(focus), norm)
    return score


def _near_duplicate(a: str, b: str) -> bool:
    if a in b or b in a:
        return True
    ga = {a[i : i + 2] for i in range(len(a) - 1)}
    gb = {b[i : i + 2] for i in range(len(b) - 1)}
    return bool(ga and gb) and len(ga & gb) / len(ga | gb) > 0.8


def select_sentences(retriever, query: str, hits: Sequence[Hit], *, focus: str = "",
                     limit: int = MAX_QUOTES) -> list[_Candidate]:
    """The best 1..limit sentences of `hits` for `query`, merged per passage, in
    reading order (by passage rank, then by position in the article)."""
    seen: dict[tuple[str, int, int], _Candidate] = {}
    for rank, hit in enumerate(hits):
        for a, b in split_sentences(hit.text, offset=hit.start):
            key = (hit.article_id, a, b)
            if key not in seen:  # overlapping chunks repeat sentences
                seen[key] = _Candidate(a, b, hit.text[a - hit.start : b - hit.start], hit, rank)
    candidates = list(seen.values())
    if not candidates:
        return []
    vectors = retriever.encoder.encode([normalize(query)] + [normalize(c.text) for c in candidates])
    dense = np.asarray(vectors[1:] @ vectors[0], dtype=float)
    for c, sim in zip(candidates, dense, strict=True):
        length = len(c.text.strip())
        c.score = 0.5 * float(sim) + 0.5 * _keyword_score(query, focus, c.text) + 0.1 / (1 + c.rank)
        if length < 8:  # headings and fragments ("●观 点") carry no answer
            c.score *= 0.5
    ranked = sorted(candidates, key=lambda c: -c.score)
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


def _place(c: _Candidate) -> tuple[str, int]:
    return c.hit.article_id, c.hit.paragraph


def _adjacent(body: str, a: _Candidate, b: _Candidate) -> bool:
    first, second = (a, b) if a.start < b.start else (b, a)
    return first.end <= second.start and not body[first.end : second.start].strip()


def _merge(retriever, chosen: list[_Candidate]) -> list[_Candidate]:
    """Reading order; adjacent sentences of one paragraph become one quote."""
    order: dict[tuple[str, int], int] = {}
    for c in sorted(chosen, key=lambda c: c.rank):
        order.setdefault(_place(c), len(order))
    chosen = sorted(chosen, key=lambda c: (order[_place(c)], c.start))
    merged: list[_Candidate] = []
    for c in chosen:
        last = merged[-1] if merged else None
        if last and _place(last) == _place(c):
            body = retriever.article(c.hit.article_id).body
            if _adjacent(body, last, c):
                # One paragraph is one contiguous slice, so the span is still an exact quote;
                # its passage is the union of the two (also a slice of the paragraph).
                lo, hi = min(last.hit.start, c.hit.start), max(last.hit.end, c.hit.end)
                hit = replace(last.hit, text=body[lo:hi], start=lo, end=hi)
                merged[-1] = _Candidate(last.start, c.end, body[last.start : c.end], hit,
                                        min(last.rank, c.rank), max(last.score, c.score))
                continue
        merged.append(c)
    return merged


# -- answers -------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Article or user text made inert in markdown that may render HTML."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) > len(letters) / 2


def _render(citations: Sequence[Citation]) -> str:
    return "\n\n".join(f"「{escape_markdown(c.quote)}」[{c.n}]" for c in citations)


def _meta_citation(article: Article, question: str) -> Citation:
    """The article's byline as printed (see byline.printed), or its title;
    its dateline for a question about where or when it appeared."""
    quote = (asks_where_published(question) and dateline(article)) or printed(article) \
        or f"《{article.title}》"
    start = article.body.find(quote)
    meta = [f"标题：{article.title}", f"作者：{article.author}", f"单位：{article.affiliation}",
            f"日期：{article.date}", f"来源：{article.source}", article.byline.strip()]
    return Citation(1, quote, "\n".join(m for m in meta if m and not m.endswith("：")),
                    article.id, article.title, article.author, "", 0, start,
                    start + len(quote) if start >= 0 else -1)


def answer_question(retriever, question: str, *, k: int = 5, mode: str = "hybrid",
                    history=()) -> Answer:
    """Answer `question` with quotes from the corpus, using `history` (earlier user
    questions, or (user, assistant) pairs, or Gradio messages) for follow-ups."""
    question = (question or "").strip()
    if not question:
        raise ValueError("the question is empty: ask a question")
    query = contextual_query(question, history)
    result = retriever.search(query, k=k, mode=mode)
    if result.abstained or not result.hits:
        message = ABSTAIN_MESSAGE + (f" {ABSTAIN_MESSAGE_EN}" if _mostly_latin(question) else "")
        return Answer(question, query, message, True, (), tuple(result.hits[:3]))
    top = retriever.article(result.hits[0].article_id)
    # The retriever puts the byline first (paragraph 0) for a question asking
    # for it; a follow-up such as "作者是谁？" asks of the previous turn's article.
    if is_meta_question(question) or result.hits[0].paragraph == 0:
        citation = _meta_citation(top, question)
        text = f"{escape_markdown(f'《{citation.title}》')}：{_render([citation])}"
        return Answer(question, query, text, False, (citation,))
    focus = strip_follow_markers(question) if query != question else ""
    chosen = select_sentences(retriever, query, result.hits, focus=focus)
    citations = tuple(
        Citation(i + 1, c.text, c.hit.text, c.hit.article_id, c.hit.title, c.hit.author,
                 c.hit.section, c.hit.paragraph, c.start, c.end)
        for i, c in enumerate(chosen)
    )
    return Answer(question, query, _render(citations), False, citations)


def citation_line(c: Citation, article: Article | None = None) -> str:
    """One plain-text line a reader can paste into notes."""
    parts = [f"[{c.n}] ", f"{c.author}：" if c.author else "", f"《{c.title}》"]
    if article is not None and article.source:
        parts.append(f"，{article.source}")
    if article is not None and article.date:
        parts.append(f"，{article.date}")
    if c.section:
        parts.append(f"，“{c.section}”")
    if c.paragraph:
        parts.append(f"，第{c.paragraph}段")
    return "".join(parts) + "。"


def answer_to_text(answer: Answer, retriever=None) -> str:
    """Plain text for a terminal: the quotes, then one line per source."""
    if answer.abstained:
        lines = [ABSTAIN_MESSAGE]
        if answer.closest:
            lines += ["", LOW_RELEVANCE + "："]
            lines += [f"  - {h.citation}：{h.text}" for h in answer.closest]
        return "\n".join(lines)
    lines = [f"「{c.quote}」[{c.n}]" for c in answer.citations]
    lines += ["", "来源："]
    for c in answer.citations:
        article = retriever.article(c.article_id) if retriever is not None else None
        lines.append(citation_line(c, article))
    return "\n".join(lines)
