"""The JSON API: POST /api/v1/search and /api/v1/ask, GET /api/v1/articles
and /api/v1/articles/{id}; and the errors of every served endpoint as JSON
with a status and a readable reason.

Routes are plain (synchronous) FastAPI routes, run on the server's thread
pool beside Gradio's queue, never in it; the app's `Admission` decides who
waits and who is told busy, as for the chat.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException

from . import limits
from .guard import error_body, guarded
from .models import (
    AnswerOut,
    ArticleList,
    ArticleOut,
    AskRequest,
    ErrorOut,
    SearchOut,
    SearchRequest,
)
from .service import NotFound, Service

RETRY_AFTER_S = 5
ERRORS = {400: {"model": ErrorOut, "description": "A bad parameter, and why"},
          401: {"model": ErrorOut, "description": "No login (when the server has one)"},
          403: {"model": ErrorOut, "description": "A wrong API key or login"},
          413: {"model": ErrorOut, "description": "A body over 1 MB"},
          503: {"model": ErrorOut, "description": "Busy: try again in a few seconds"}}


def login_scheme(required: bool) -> list:
    """For /docs: its Authorize button sends the key (the Guard checks it)."""
    return [Depends(HTTPBearer(auto_error=False))] if required else []


def api_router(service: Service, *, login: bool = False) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["articles"], responses=ERRORS,
                       dependencies=login_scheme(login))

    # unset: no_article_matches_filters appears only when true, as in rag search --json
    @router.post("/search", response_model=SearchOut, response_model_exclude_unset=True,
                 summary="Ranked passages with citations")
    def search(request: SearchRequest):
        """The k best passages for the question, each with its citation and
        offsets; `abstained` says the articles do not answer (the hits are
        then only the closest passages), `abstain_reason` which rule said so."""
        return service.search(request)

    @router.post("/ask", response_model=AnswerOut, summary="An answer quoted from the articles")
    def ask(request: AskRequest):
        """An answer made only of sentences quoted from the articles, each with
        its numbered citation; when the articles do not answer, `abstained`
        and the closest passages."""
        return service.ask(request)

    @router.get("/articles", response_model=ArticleList, summary="The articles searched")
    def articles(offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=500)):
        return service.articles(offset=offset, limit=limit)

    @router.get("/articles/{article_id:path}", response_model=ArticleOut,
                responses={404: {"model": ErrorOut, "description": "No such article"}},
                summary="One article: metadata, body and paragraphs")
    def article(article_id: str):
        return service.article(article_id)

    return router


# -- errors -----------------------------------------------------------------------


def reason_of(error: RequestValidationError) -> str:
    """Pydantic's errors as one line a caller can act on: where, then why."""
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        if e.get("type") == "json_invalid":
            parts.append(f"the body is not valid JSON ({e.get('ctx', {}).get('error', '')})")
            continue
        if not where:  # no body, or not an object
            parts.append('the body must be a JSON object, e.g. {"question": "…"}')
            continue
        got = e.get("input")
        shown = "" if e.get("type") in ("missing", "value_error") or isinstance(got, dict) \
            else f" (got {got!r:.40})"
        parts.append(f"{where}: {message[0].lower()}{message[1:]}{shown}" if where else message)
    return "; ".join(parts) or "bad request"


def _json(request: Request, status: int, reason: str, headers=None) -> JSONResponse:
    return JSONResponse(error_body(request.url.path, status, reason), status, headers=headers)


async def _validation(request: Request, error: RequestValidationError):
    if not guarded(request.url.path):  # Gradio's routes answer as Gradio does
        return await request_validation_exception_handler(request, error)
    return _json(request, 400, reason_of(error))


async def _http(request: Request, error: HTTPException):
    if not guarded(request.url.path):
        return await http_exception_handler(request, error)
    reason = error.detail if isinstance(error.detail, str) else str(error.detail)
    if error.status_code == 404 and reason == "Not Found":
        reason = f"no such endpoint: {request.method} {request.url.path}"
    if error.status_code == 405:
        reason = f"{request.method} is not allowed on {request.url.path}"
    return _json(request, error.status_code, reason, getattr(error, "headers", None))


async def _bad(request: Request, error: limits.BadRequest):
    return _json(request, 400, str(error))


async def _busy(request: Request, error: limits.Busy):
    return _json(request, 503, f"busy: too many questions are waiting ({error}); try again in "
                 "a few seconds", {"Retry-After": str(RETRY_AFTER_S)})


async def _missing(request: Request, error: NotFound):
    return _json(request, 404, str(error.args[0]))


EXCEPTION_HANDLERS = {RequestValidationError: _validation, HTTPException: _http,
                      limits.BadRequest: _bad, limits.Busy: _busy, NotFound: _missing}
