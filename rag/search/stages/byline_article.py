"""A question naming an article only by its byline ("罗荣波的文章讲了什么？")
matches every passage of it equally well on words, so which passage won was
arbitrary, and a passage of another article could win on the question's
scaffolding. What an article is about is what its headline says and its
opening paragraphs argue: the candidates are those paragraphs, ranked
against the headline and deck."""

from __future__ import annotations

from ...text import is_bigram, normalize, tokens_of
from ..bylines import headline


class BylineArticle:
    name = "byline_article"

    def __call__(self, state) -> None:
        query = state.query
        if state.mode == "dense" or not query.about or not state.params.uses(self.name):
            return
        about = query.about
        if state.within is not None:  # only the named articles the filters let through
            allowed = set(state.within.article_ids)
            about = tuple(r for r in about if state.retriever.articles[r].id in allowed)
            if not about:
                return
        articles = [state.retriever.articles[row] for row in about]
        text = normalize(headline(articles, list(query.about_rest)))
        state.about = about
        state.text = text
        state.tokens = tokens_of(text)
        state.words = [t for t in state.tokens if not is_bigram(t)]
        state.fixed_rows = state.retriever.stored.chunks.opening(
            about, state.params.opening_paragraphs)
