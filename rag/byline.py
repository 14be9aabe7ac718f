"""Questions that name an article by its byline: "罗荣波的文章讲了什么？".

Such a question matches every passage of the article equally well on words
(BM25 finds the author in each passage's search text), so which passage won
was arbitrary, and a passage of another article could win on the question's
scaffolding. What an article is about is what its headline says: the
retriever ranks the named article's passages against its title and deck.
"""

from __future__ import annotations

import unicodedata

from .types import Article


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def bylines(articles: list[Article]) -> list[tuple[Article, str, str]]:
    """(article, folded author, folded affiliation), for `named_articles`."""
    return [(a, fold(a.author), fold(a.affiliation)) for a in articles]


def named_articles(bylines, words: list[str]) -> tuple[list[Article], list[str]]:
    """Articles the question's words name by their whole author or most of
    their affiliation, with at most one short word left over (问题, 观点), and
    the leftover words: the question asks about the article, nothing more
    specific. A keyword that merely occurs in a byline (工会 in 总工会主席)
    names no article."""
    found, rest = [], []
    for article, author, affiliation in bylines:
        named = [w for w in words if w in author or w in affiliation]
        left = [w for w in words if w not in named]
        if named and sum(map(len, left)) <= 2 and (
            (author and covered(author, named) == len(author))
            or (affiliation and 2 * covered(affiliation, named) >= len(affiliation))
        ):
            found.append(article)
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
