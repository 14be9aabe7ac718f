"""Questions that name an article by its byline: "罗荣波的文章讲了什么？".

Such a question matches every passage of the article equally well on words
(BM25 finds the author in each passage's search text), so which passage won
was arbitrary, and a passage of another article could win on the question's
scaffolding. What an article is about is what its headline says: the
retriever ranks the named article's passages against its title and deck.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from collections.abc import Sequence
from functools import cached_property

from .types import Article


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


# Words that only point at the article or ask for its gist ("这篇文章", "那篇
# 评论", "什么话题", "核心主张"): like 文章 itself, they leave a question about
# the article, nothing more specific.
_ARTICLE_WORDS = frozenset(
    "这篇 那篇 该篇 篇文章 本文 该文 此文 全文 一文 评论 话题 主题 核心 主张 主旨 要点 论点 大意"
    " 中心 思想 中心思想".split())


class Bylines:
    """Every article's folded author and affiliation, by article row.

    A question's words are looked up in one joined string (a C substring
    search), so only articles whose byline holds one of them are examined:
    a question costs microseconds whether the corpus has four articles or
    a hundred thousand.
    """

    def __init__(self, authors: Sequence[str], affiliations: Sequence[str]):
        self.authors = [fold(a) for a in authors]
        self.affiliations = [fold(a) for a in affiliations]
        lines = [f"{a}\t{b}" for a, b in zip(self.authors, self.affiliations, strict=True)]
        self._joined = "\n".join(lines)
        self._starts = list(itertools.accumulate((len(x) + 1 for x in lines), initial=0))

    @cached_property
    def _names(self) -> tuple[frozenset[str], int]:
        """The authors' names worth setting apart, and the longest one's length."""
        names = frozenset(a for a in self.authors if len(a) >= 2)
        return names, max(map(len, names), default=0)

    def set_apart(self, text: str) -> str:
        """`text` with spaces around the authors' names in it, so that jieba
        cannot glue a short name to the next character (张三是 -> 张三 是) and
        miss it. Looks up the text's own substrings: a question costs the
        same whatever the number of authors."""
        names, longest = self._names
        out, i = [], 0
        while i < len(text):
            size = next((n for n in range(min(longest, len(text) - i), 1, -1)
                         if text[i : i + n] in names), 0)
            out.append(f" {text[i : i + size]} " if size else text[i])
            i += size or 1
        return "".join(out)

    @classmethod
    def of(cls, articles: Sequence[Article]) -> Bylines:
        return cls([a.author for a in articles], [a.affiliation for a in articles])

    def rows_with(self, word: str) -> set[int]:
        rows, start = set(), self._joined.find(word)
        while start >= 0:
            rows.add(bisect.bisect_right(self._starts, start) - 1)
            start = self._joined.find(word, start + 1)
        return rows

    def named(self, words: list[str]) -> tuple[list[int], list[str]]:
        """Rows of the articles the question's words name by their whole
        author or most of their affiliation, with at most one short word
        left over (问题, 观点), and the leftover words: the question asks
        about the article, nothing more specific. A keyword that merely
        occurs in a byline (工会 in 总工会主席) names no article."""
        found, rest = [], []
        words = [w for w in words if w.strip() and "\t" not in w and "\n" not in w]
        for row in sorted(set().union(*(self.rows_with(w) for w in words))):
            author, affiliation = self.authors[row], self.affiliations[row]
            named = [w for w in words if w in author or w in affiliation]
            # jieba's search mode also emits compounds of named parts (新疆自治区
            # from 新疆维吾尔自治区's 新疆 + 自治区): those name nothing more.
            left = [w for w in words if w not in named and w not in _ARTICLE_WORDS
                    and covered(w, named) < len(w)]
            if named and sum(map(len, left)) <= 2 and (
                (author and covered(author, named) == len(author))
                or (affiliation and 2 * covered(affiliation, named) >= len(affiliation))
            ):
                found.append(row)
                rest = left
        return found, rest


def headline(articles: list[Article], rest: list[str]) -> str:
    """The query that stands for "what is this article about"."""
    return " ".join([*(f"{a.title} {a.deck}" for a in articles), *rest])


def covered(field: str, words: list[str]) -> int:
    """How many characters of `field` the words cover."""
    hit = [False] * len(field)
    for w in words:
        start = field.find(w)
        while start >= 0:
            hit[start : start + len(w)] = [True] * len(w)
            start = field.find(w, start + 1)
    return sum(hit)
