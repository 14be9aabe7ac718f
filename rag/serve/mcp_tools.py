"""The articles as an MCP server: tools search_articles, ask_articles,
list_articles and get_article, with the same fields, limits and JSON as the
HTTP API (their schemas come from the same annotations, models.py).

The chat app serves it over Streamable HTTP at /mcp (app.py); `rag mcp`
serves it over stdio for desktop MCP clients. Built on the `mcp` package's
MCPServer (its FastMCP), which derives each tool's input and output schema
from the function's annotations.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from . import limits
from .models import (
    AnswerOut,
    ArticleIds,
    ArticleList,
    ArticleOut,
    History,
    K,
    Mode,
    Question,
    SearchOut,
    SearchRequest,
)
from .service import NotFound, Service

INSTRUCTIONS = (
    "Newspaper articles (Chinese). search_articles gives ranked passages with citations; "
    "ask_articles an answer made only of quoted sentences, each with a numbered citation. "
    "When `abstained` is true the articles do not answer the question: say so rather than "
    "guess. Cite the title, author and paragraph given with each quote.")


def build_mcp(service: Service):
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    # WARNING: the SDK would otherwise log every HTTP request of the app.
    server = MCPServer("rag-news", instructions=INSTRUCTIONS, log_level="WARNING")

    def call(fn, *args):
        """The service's refusals as tool errors that say why."""
        try:
            return fn(*args)
        except limits.Busy as error:
            raise ToolError(f"busy: too many questions are waiting ({error}); try again in a "
                            "few seconds") from None
        except (limits.BadRequest, NotFound) as error:
            raise ToolError(str(error.args[0])) from None

    def request(question, k, mode, history, article_ids) -> SearchRequest:
        return SearchRequest.model_construct(question=question, k=k, mode=mode,
                                             history=history or [], article_ids=article_ids)

    def search_articles(question: Question, k: K = 5, mode: Mode = "hybrid",
                        history: History | None = None,
                        article_ids: ArticleIds = None) -> SearchOut:
        """Ranked passages of the articles for a question, each with its citation
        (title, author, section, paragraph) and score. `abstained` true: the
        articles do not answer; the hits are then only the closest passages."""
        return SearchOut.model_validate(call(service.search, request(
            question, k, mode, history, article_ids)))

    def ask_articles(question: Question, k: K = 5, mode: Mode = "hybrid",
                     history: History | None = None,
                     article_ids: ArticleIds = None) -> AnswerOut:
        """An answer made only of sentences quoted from the articles: `answer`
        (markdown, each quote followed by [n]) and `citations` (n, quote,
        title, author, paragraph). `abstained` true: the articles do not
        answer, and `closest` holds the nearest passages (not an answer)."""
        return AnswerOut.model_validate(call(service.ask, request(
            question, k, mode, history, article_ids)))

    def list_articles(offset: Annotated[int, Field(ge=0)] = 0,
                      limit: Annotated[int, Field(ge=1, le=500)] = 100) -> ArticleList:
        """The articles searched: id, title, author, date, source."""
        return ArticleList.model_validate(service.articles(offset=offset, limit=limit))

    def get_article(article_id: Annotated[str, Field(min_length=1)]) -> ArticleOut:
        """One article in full: metadata, body and numbered paragraphs (the
        paragraph numbers citations give)."""
        return ArticleOut.model_validate(call(service.article, article_id))

    for tool in (search_articles, ask_articles, list_articles, get_article):
        # The docstring as one line: clients show it as the tool's description.
        server.add_tool(tool, description=" ".join(tool.__doc__.split()))
    return server
