"""胡玉玲是哪个单位的: the answer is the byline, which no passage holds. A
question for a byline field gets, as its first hit, the best passage's
article's headline, byline and dateline (a hit of kind "byline")."""

from __future__ import annotations

from ..bylines import byline_hit


class BylineHit:
    name = "byline_hit"

    def __call__(self, state) -> None:
        if state.abstained or not state.params.uses(self.name):
            return
        hits = state.ranked_hits()
        if not hits or not state.query.asks_byline_of(hits[0].author):
            return
        first = byline_hit(state.retriever.article(hits[0].article_id), hits[0].score)
        if first is not None:
            state.hits = [first, *hits[: state.k - 1]]
