"""The 文章 tab's list: each article's title and author, and the choices of
the picker that shows one in full. Built from whichever retriever the app
searches now, so that after an upload the new articles are listed at once."""

from __future__ import annotations

from dataclasses import dataclass

from .labels import labels
from .render import byline_shown

MAX_LISTED = 500  # a big archive is searched, not browsed


@dataclass(frozen=True)
class Listing:
    summary: str  # 共 N 篇。
    rows: list[list[str]]  # [title, author] a row
    choices: list[tuple[str, str]]  # (title, id) for the picker
    ids: list[str]  # the article of each row, for a click on the table

    @property
    def first(self) -> str | None:
        return self.ids[0] if self.ids else None


def listing(retriever, *, also=(), language: str = "zh") -> Listing:
    """The first MAX_LISTED articles, then those of `also` (just added) that
    are not among them."""
    say = labels(language)
    listed = list(retriever.articles[:MAX_LISTED])
    shown = {a.id for a in listed}
    listed += [retriever.article(i) for i in dict.fromkeys(also) if i not in shown]
    total = len(retriever.articles)
    summary = (say["count_some"].format(total=total, n=MAX_LISTED) if total > MAX_LISTED
               else say["count"].format(total=total))
    return Listing(summary, [[a.title, byline_shown(a)] for a in listed],
                   [(a.title, a.id) for a in listed], [a.id for a in listed])
