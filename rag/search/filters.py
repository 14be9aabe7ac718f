"""Which articles a search may quote: a date range, sources, authors, ids.

    Filters(since=date(2025, 7, 1), sources=("工人日报",))
    Filters.from_mapping({"since": "2025/7/1", "source": "工人日报"})  # CLI, chat, HTTP API

Filters are applied before ranking: the retriever works out the passages of
the articles that pass (`Subset`), and the dense and keyword sides only ever
see those (FAISS: an exact search over them or an id selector; BM25: scores
of the others zeroed; Milvus: a scalar filter on the passages' article id).
A source or author matches when the article's field contains it (工人日报
matches 工人日报社; 张伟 matches 张伟、李娜); an article id matches exactly. An
article without a date is left out by a date filter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?\s*$"
                   r"|^\s*(\d{4})(\d{2})(\d{2})\s*$")
DATE_FORMS = "2025-07-01, 2025/7/1 or 2025年7月1日"
KEYS = ("since", "until", "source", "author", "article")
NO_MATCH = "no_article_matches_filters"  # the abstain reason when filters leave nothing


def parse_date(value, what: str = "date") -> date | None:
    """A date from 2025-07-01, 2025/7/1, 2025.7.1, 2025年7月1日 or 20250701
    (None for empty); anything else is a ValueError saying what was wrong."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"{what}: {text!r} is not a date; write {DATE_FORMS}")
    y, m, d = (int(g) for g in (match.group(1, 2, 3) if match.group(1) else match.group(4, 5, 6)))
    try:
        return date(y, m, d)
    except ValueError as err:
        raise ValueError(f"{what}: {text!r} is not a date ({err}); write {DATE_FORMS}") from None


def _words(value) -> tuple[str, ...]:
    """One or more values: a string (comma-separated) or a list of strings."""
    if value is None:
        return ()
    items = re.split(r"[,，、]", value) if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) for v in items):
        raise ValueError(f"expected text or a list of text, not {value!r}")
    return tuple(dict.fromkeys(v.strip() for v in items if v.strip()))


def article_date(text: str) -> date | None:
    """An article's date field (2025-06-30, or a timestamp starting so)."""
    try:
        return parse_date((text or "")[:10]) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    since: date | None = None  # on or after
    until: date | None = None  # on or before
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()  # article ids

    def __post_init__(self):
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"the date range is empty: since {self.since} is after until "
                             f"{self.until}")

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> Filters:
        """Filters from a dict with the keys since, until, source(s), author(s),
        article(s); each value text or a list of text, dates as DATE_FORMS.
        An unknown key or a bad value is a ValueError naming it."""
        data = dict(data or {})
        aliases = {"sources": "source", "authors": "author", "articles": "article"}
        given = {aliases.get(k, k): v for k, v in data.items() if v not in (None, "", [], ())}
        unknown = sorted(set(given) - set(KEYS))
        if unknown:
            raise ValueError(f"unknown filter(s) {', '.join(unknown)}; the filters are "
                             f"{', '.join(KEYS)}")
        return cls(since=parse_date(given.get("since"), "since"),
                   until=parse_date(given.get("until"), "until"),
                   sources=_words(given.get("source")), authors=_words(given.get("author")),
                   articles=_words(given.get("article")))

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.sources, self.authors, self.articles))

    def to_dict(self) -> dict:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "source": list(self.sources), "author": list(self.authors),
                "article": list(self.articles)}

    def describe(self) -> str:
        """The filters in words, for a message (Chinese, as the chat speaks)."""
        parts = []
        if self.since or self.until:
            parts.append(f"日期 {self.since or '…'} 至 {self.until or '…'}")
        for label, values in (("来源", self.sources), ("作者", self.authors),
                              ("文章", self.articles)):
            if values:
                parts.append(f"{label} {'、'.join(values)}")
        return "；".join(parts)

    def passes(self, *, id: str, author: str, date_text: str, source: str) -> bool:
        if self.articles and id not in self.articles:
            return False
        if self.sources and not any(s.lower() in source.lower() for s in self.sources):
            return False
        if self.authors and not any(a.lower() in author.lower() for a in self.authors):
            return False
        if self.since or self.until:
            day = article_date(date_text)
            if day is None or (self.since and day < self.since) or \
                    (self.until and day > self.until):
                return False
        return True

    def article_rows(self, columns: Mapping[str, list[str]]) -> np.ndarray:
        """Rows (in the index's article order) of the articles that pass, from
        the listing columns id, author, date and source."""
        keep = [i for i, (a, au, d, s) in enumerate(zip(
            columns["id"], columns["author"], columns["date"], columns["source"], strict=True))
            if self.passes(id=a, author=au, date_text=d, source=s)]
        return np.asarray(keep, dtype=np.int64)


@dataclass(frozen=True)
class Subset:
    """The passages a filtered search may rank: `rows` (folder index) and
    the ids of their articles (Milvus filters on them)."""

    article_ids: tuple[str, ...]
    rows: np.ndarray | None = None  # None where the store filters by article id itself
    left_out: tuple[str, ...] = ()  # the other articles' ids (a shorter filter when fewer)

    @property
    def empty(self) -> bool:
        return not self.article_ids or (self.rows is not None and not len(self.rows))
