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
from ..search import MAX_K
from ..types import Article, SearchResult
from . import limits
from .models import Filters, SearchRequest


class NotFound(LookupError):
    """An article id the index does not hold."""


class Restricted:
    """A retriever whose searches return only passages of `article_ids`; the
    answer is composed from those alone. Searching MAX_K passages and keeping
    the articles' ones is exact while the articles hold fewer than MAX_K
    strong passages (a page of a newspaper does)."""

    def __init__(self, retriever, article_ids):
        self._retriever = retriever
        self._ids = frozenset(article_ids)

    def __getattr__(self, name):
        return getattr(self._retriever, name)

    def search(self, query, k: int = 5, *, mode: str = "hybrid") -> SearchResult:
        result = self._retriever.search(query, MAX_K, mode=mode)
        hits = tuple(h for h in result.hits if h.article_id in self._ids)[:k]
        if not hits:
            return SearchResult(result.query, (), True, "not_in_chosen_articles",
                                result.pipeline, None, result.truncated)
        if result.hits[0] == hits[0]:  # the first hit is the unrestricted search's
            return SearchResult(result.query, hits, result.abstained, result.abstain_reason,
                                result.pipeline, result.confidence, result.truncated)
        # Another first hit: the calibrated confidence was the other one's. If the
        # whole corpus has no answer, these articles have none either.
        return SearchResult(result.query, hits, result.abstained, result.abstain_reason,
                            result.pipeline, None, result.truncated)


class Service:
    """`retriever_of()` gives the retriever to search now; `admission` bounds
    how many questions are answered at once (none: no bound, e.g. `rag mcp`)."""

    def __init__(self, retriever_of: Callable, *, admission: limits.Admission | None = None):
        self.retriever_of = retriever_of
        self.admission = admission

    def _slot(self):
        return self.admission.slot() if self.admission is not None else nullcontext()

    def _retriever(self, filters: Filters):
        retriever = self.retriever_of()
        if not filters.article_ids:
            return retriever
        unknown = [i for i in filters.article_ids if _find(retriever, i) is None]
        if unknown:
            raise limits.BadRequest(f"article_ids: no article {', '.join(map(repr, unknown))} "
                                    "in the index (GET /api/v1/articles lists them)")
        return Restricted(retriever, filters.article_ids)

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
