"""Who may call the API, and how much they may send: one ASGI middleware in
front of the JSON API, the OpenAI endpoint and MCP (the chat's page keeps
Gradio's own login).

With logins or API keys set, a request needs `Authorization: Bearer KEY`
(an API key, or a login's `user:password`) or HTTP Basic with a login:
none is 401, a wrong one 403. A body over `max_body` bytes is 413, whether
it says its length or streams it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json

GUARDED = ("/api/", "/v1/", "/mcp")
MAX_BODY = 1_000_000  # a question, 20 earlier ones and a chat's replies fit many times over


def guarded(path: str) -> bool:
    return path.startswith(GUARDED)


def error_body(path: str, status: int, reason: str) -> dict:
    """An error as the endpoint's callers read it: OpenAI's shape under /v1/
    (its clients show error.message), {"status", "reason"} elsewhere."""
    if path.startswith("/v1/"):
        kind = {400: "invalid_request_error", 401: "authentication_error",
                403: "permission_error", 404: "not_found_error", 413: "invalid_request_error",
                429: "rate_limit_error", 503: "overloaded_error"}.get(status, "server_error")
        return {"error": {"message": reason, "type": kind, "param": None, "code": status}}
    return {"status": status, "reason": reason}


class Credentials:
    """The bearer tokens and Basic logins the API accepts; empty: all may call."""

    def __init__(self, logins=(), api_keys=()):
        self.logins = [(str(u), str(p)) for u, p in logins]
        self.tokens = [k for k in api_keys if k] + [f"{u}:{p}" for u, p in self.logins]

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def check(self, authorization: str | None) -> tuple[int, str] | None:
        """None when the header lets the caller in; else (status, reason)."""
        if not self.tokens:
            return None
        if not authorization:
            return 401, ("this server requires a login: send the header "
                         "`Authorization: Bearer <API key>`")
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "basic":
            try:
                value = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return 401, "the Basic credentials are not base64 of user:password"
        elif scheme.lower() != "bearer":
            return 401, f"unsupported authorization scheme {scheme!r}: use Bearer"
        # Compared with every token in constant time: how long a wrong key
        # takes says nothing about the right one.
        if any(hmac.compare_digest(value.encode(), t.encode()) for t in self.tokens):
            return None
        return 403, "the API key (or login) is wrong"


class Guard:
    """ASGI middleware: login and body size for the GUARDED paths."""

    def __init__(self, app, credentials: Credentials | None = None, max_body: int = MAX_BODY):
        self.app = app
        self.credentials = credentials or Credentials()
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not guarded(scope["path"]):
            return await self.app(scope, receive, send)
        path = scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", ())}
        refused = self.credentials.check(headers.get("authorization"))
        if refused is not None:
            extra = [(b"www-authenticate", b'Bearer realm="rag"')] if refused[0] == 401 else []
            return await respond(send, path, *refused, extra)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return await respond(send, path, 413, self.too_long(f"{int(length):,} bytes"))
        started = refused = False
        seen = 0

        async def counted():
            # Over the limit: answer 413 now and tell the app the client left.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    refused = True
                    if not started:
                        reason = self.too_long(f"over {self.max_body:,} bytes")
                        await respond(send, path, 413, reason)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message):
            nonlocal started
            if refused:
                return  # the 413 went out instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not refused:
                raise

    def too_long(self, size: str) -> str:
        return (f"the request body is {size}; the limit is {self.max_body:,} bytes "
                "(a question is at most 500 characters)")


async def respond(send, path: str, status: int, reason: str, headers=()):
    body = json.dumps(error_body(path, status, reason), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
