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
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..text import fold
from ..types import Article, Hit

# Words that only point at the article or ask for its gist ("这篇文章", "那篇
# 评论", "什么话题", "核心主张"): like 文章 itself, they leave a question about
# the article, nothing more specific.
_ARTICLE_WORDS = frozenset(
    "这篇 那篇 该篇 篇文章 本文 该文 此文 全文 一文 评论 话题 主题 核心 主张 主旨 要点 论点 大意"
    " 中心 思想 中心思想 发表 刊登 刊发 刊载 见报 哪天 哪份 报纸 出处".split())


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

    @classmethod
    def of(cls, articles: Sequence[Article]) -> Bylines:
        return cls([a.author for a in articles], [a.affiliation for a in articles])

    def rows_with(self, word: str) -> set[int]:
        rows, start = set(), self._joined.find(word)
        while start >= 0:
            rows.add(bisect.bisect_right(self._starts, start) - 1)
            start = self._joined.find(word, start + 1)
        return rows

    def named(self, words, *, pointer_words: bool = True) -> tuple[list[int], list[str]]:
        """Rows of the articles the question's words name by their whole
        author or most of their affiliation, with at most one short word
        left over (问题, 观点), and the leftover words: the question asks
        about the article, nothing more specific. A keyword that merely
        occurs in a byline (工会 in 总工会主席) names no article. With
        `pointer_words`, words that only point at the article (这篇, 话题)
        are not left over."""
        ignored = _ARTICLE_WORDS if pointer_words else frozenset()
        found, rest = [], []
        words = [w for w in words if w.strip() and "\t" not in w and "\n" not in w]
        for row in sorted(set().union(*(self.rows_with(w) for w in words))):
            author, affiliation = self.authors[row], self.affiliations[row]
            named = [w for w in words if w in author or w in affiliation]
            # jieba's search mode also emits compounds of named parts (新疆自治区
            # from 新疆维吾尔自治区's 新疆 + 自治区): those name nothing more.
            left = [w for w in words if w not in named and w not in ignored
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


_ASKS_AUTHOR = re.compile(r"(作者是谁|谁写|是谁写|哪位作者|who wrote|author of)", re.I)
# A byline field, asked of an article ("那篇文章的题目", "作者的职务") or of its
# named author ("胡玉玲是哪个单位的"); 没单位的人 alone asks about no byline.
_BYLINE_FIELD = re.compile(r"单位|职务|职位|头衔|题目|标题|文章名|affiliation|position|title"
                           r"|organi[sz]ation|institution|employer", re.I)
_OF_ARTICLE = re.compile(r"作者|文章|这篇|那篇|该文|本文|article|author", re.I)


@dataclass(frozen=True)
class BylineAsk:
    """How a question asks for a byline field, read once from its text."""

    author: bool = False  # 作者是谁, who wrote
    field: bool = False  # 单位, 职务, 题目 ...
    of_article: bool = False  # 作者, 文章, 这篇 ...: asked of an article

    @classmethod
    def read(cls, text: str) -> BylineAsk:
        return cls(bool(_ASKS_AUTHOR.search(text)), bool(_BYLINE_FIELD.search(text)),
                   bool(_OF_ARTICLE.search(text)))

    def of(self, author: str, text: str) -> bool:
        """"讲…的文章作者是谁", "那篇文章的题目是什么", "胡玉玲是哪个单位的":
        whether the question (normalised `text`) wants the byline of the
        article whose author is `author`."""
        if self.author:
            return True
        return self.field and (self.of_article or (bool(author) and author in text))


def printed(article: Article) -> str:
    """The article's byline as printed, its author's name first when the
    byline lacks it; without a byline, its author or affiliation as recorded."""
    byline = article.byline.strip()
    if article.author and article.author not in byline:
        byline = f"{article.author}{byline}" if byline else f"作者：{article.author}"
    return byline or (f"单位：{article.affiliation}" if article.affiliation else "")


def dateline(article: Article) -> str:
    """Where and when the article appeared, as the page's header gives it."""
    return " ".join(x for x in (article.source, article.date) if x)


def byline_hit(article: Article, score: float) -> Hit | None:
    """The article's headline, byline and dateline as one hit, for a question
    that asks who wrote it, where they work, what it is called or where and
    when it appeared; None when the article records no author or
    affiliation. Its kind is "byline" (paragraph 0); start/end are the
    byline's offsets when the body prints it, else -1."""
    quote = printed(article)
    if not quote:
        return None
    start = article.body.find(quote)
    end = start + len(quote) if start >= 0 else -1
    text = "\n".join(x for x in (article.title, article.deck, quote, dateline(article)) if x)
    return Hit(text=text, score=score, article_id=article.id, title=article.title,
               author=article.author, section="", paragraph=0, start=start, end=end,
               chunk_id=f"{article.id}#byline", kind="byline")
