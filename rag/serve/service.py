"""The questions other programs ask, answered the way the chat answers them:
one place behind the JSON API, the OpenAI endpoint and the MCP tools.

Each question waits for a worker of the app's `Admission` (or is refused as
`limits.Busy`), searches the retriever the app searches now (after an upload,
the new one), and returns the CLI's JSON (`SearchResult.to_dict`,
`Answer.to_dict`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict

from ..answer import Answer, answer_question
from ..types import Article
from . import limits
from .models import Filters, SearchRequest


class NotFound(LookupError):
    """An article id the index does not hold."""


class Service:
    """`retriever_of()` gives the retriever to search now; `admission` bounds
    how many questions are answered at once (none: no bound, e.g. `rag mcp`)."""

    def __init__(self, retriever_of: Callable, *, admission: limits.Admission | None = None):
        self.retriever_of = retriever_of
        self.admission = admission

    def _slot(self):
        return self.admission.slot() if self.admission is not None else nullcontext()

    def _retriever(self, filters: Filters):
        """The retriever searching only what `filters` lets through (before ranking)."""
        retriever = self.retriever_of()
        unknown = [i for i in filters.article_ids or () if _find(retriever, i) is None]
        if unknown:
            raise limits.BadRequest(f"article_ids: no article {', '.join(map(repr, unknown))} "
                                    "in the index (GET /api/v1/articles lists them)")
        wanted = filters.to_filters()
        return retriever.with_filters(wanted) if wanted else retriever

    def search(self, request: SearchRequest) -> dict:
        retriever = self._retriever(request)
        with self._slot():
            query = retriever.analyze(request.question, history=request.history)
            result = retriever.search(query, request.k, mode=request.mode)
        return result.to_dict(debug=True)

    def answer(self, request: SearchRequest) -> tuple[object, Answer]:
        """The retriever that answered (for its articles) and the Answer."""
        retriever = self._retriever(request)
        with self._slot():
            return retriever, answer_question(retriever, request.question, k=request.k,
                                              mode=request.mode, history=request.history)

    def ask(self, request: SearchRequest) -> dict:
        return self.answer(request)[1].to_dict()

    def articles(self, *, offset: int = 0, limit: int = 100) -> dict:
        articles = self.retriever_of().articles
        chosen = articles[offset:offset + limit] if offset < len(articles) else []
        return {"total": len(articles), "offset": offset,
                "articles": [summary(a) for a in chosen]}

    def article(self, article_id: str) -> dict:
        article = _find(self.retriever_of(), article_id)
        if article is None:
            raise NotFound(f"no article {article_id!r} in the index "
                           "(GET /api/v1/articles lists them)")
        return {**summary(article), "deck": article.deck, "byline": article.byline,
                "body": article.body,
                "paragraphs": [asdict(p) for p in article.paragraphs()]}


def _find(retriever, article_id: str) -> Article | None:
    try:
        return retriever.articles.get(article_id)
    except KeyError:
        return None


def summary(article: Article) -> dict:
    return {"id": article.id, "title": article.title, "author": article.author,
            "affiliation": article.affiliation, "date": article.date,
            "source": article.source, "url": article.url}
