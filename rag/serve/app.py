"""Everything the chat's server adds for other programs, as the keyword
arguments of the FastAPI app Gradio creates (`launch(app_kwargs=...)`): the
JSON API's and the OpenAI endpoint's routes, MCP at /mcp, the error
handlers, the Guard (login, body size) and the OpenAPI docs at /docs.
One process, one port, one set of limits for the chat and its API.
"""

from __future__ import annotations

import contextlib

from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from .guard import MAX_BODY, Credentials, Guard
from .http import EXCEPTION_HANDLERS, api_router
from .openai_compat import openai_router
from .service import Service

TITLE = "rag-news API"
DESCRIPTION = (
    "Quoted answers and passages from the newspaper articles, with citations. "
    "JSON API under /api/v1, an OpenAI-compatible chat under /v1, MCP (Streamable HTTP) at "
    "/mcp. With a login set, send `Authorization: Bearer <API key>` (or a login's "
    "user:password).")


def app_kwargs(service: Service, *, credentials: Credentials | None = None,
               host: str = "127.0.0.1", mcp: bool = True, max_body: int = MAX_BODY) -> dict:
    credentials = credentials or Credentials()
    login = bool(credentials)
    routes = [*api_router(service, login=login).routes,
              *openai_router(service, login=login).routes]
    routes += docs_routes(list(routes))
    lifespan = None
    if mcp:
        mcp_routes, lifespan = mcp_endpoint(service, host)
        routes += mcp_routes
    return {"routes": routes, "lifespan": lifespan,
            "exception_handlers": dict(EXCEPTION_HANDLERS),
            "middleware": [Middleware(Guard, credentials=credentials, max_body=max_body)]}


def docs_routes(api_routes: list) -> list[Route]:
    """/openapi.json and /docs of the API alone (not of Gradio's own routes)."""
    schema = {}

    def openapi(request):
        if not schema:
            schema.update(get_openapi(title=TITLE, version="1", description=DESCRIPTION,
                                      routes=api_routes))
        return JSONResponse(schema)

    def docs(request):
        return get_swagger_ui_html(openapi_url="/openapi.json", title=TITLE)

    return [Route("/openapi.json", openapi, include_in_schema=False),
            Route("/docs", docs, include_in_schema=False)]


def mcp_endpoint(service: Service, host: str):
    """The MCP server's route at /mcp and the lifespan that runs its sessions.
    Stateless, JSON replies: each call stands alone, as the API's do. On a
    loopback address the SDK also refuses requests whose Host or Origin is
    another site's (DNS rebinding)."""
    from .mcp_tools import build_mcp

    server = build_mcp(service)
    http = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True,
                                      json_response=True, host=host, max_request_body_size=MAX_BODY)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        async with server.session_manager.run():
            yield

    return list(http.routes), lifespan
