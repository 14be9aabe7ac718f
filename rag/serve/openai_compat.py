"""An OpenAI-compatible chat endpoint: POST /v1/chat/completions (and GET
/v1/models), so that any OpenAI client or chat front end can ask the articles.

The last user message is the question and the earlier user messages are the
conversation (assistant and system messages are not read: the answer is
quoted from the articles, never generated). The reply's content is the
quoted answer in markdown with [n] markers and a list of sources; the
citations themselves come in a `references` field (as RAGFlow does), with
`abstained` and `confidence`. `stream: true` sends the same reply as
server-sent events in OpenAI's chunk format.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..answer import LOW_RELEVANCE, citation_line, escape_markdown
from . import limits
from .http import ERRORS, login_scheme
from .models import ArticleIds, K, Mode, SearchRequest
from .service import Service, summary

MODEL = "rag-news"


class Part(BaseModel):
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[Part] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's request; sampling settings (temperature, max_tokens, …) are
    accepted and not used: nothing is generated. `k`, `mode` and
    `article_ids` may be added (the openai client's extra_body)."""

    model_config = ConfigDict(extra="ignore")
    model: str = MODEL
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    k: K = 5
    mode: Mode = "hybrid"
    article_ids: ArticleIds = None


def question_of(request: ChatRequest) -> SearchRequest:
    """The last message as the question, the earlier user messages as history."""
    last = request.messages[-1]
    if last.role != "user":
        raise limits.BadRequest(f"messages: the last message must be the user's question, "
                                f"not a {last.role!r} message")
    question = limits.check_question(last.text)
    earlier = [m.text[:limits.MAX_QUESTION_CHARS] for m in request.messages[:-1]
               if m.role == "user" and m.text.strip()][-limits.MAX_HISTORY:]
    return SearchRequest.model_construct(
        question=question, k=request.k, mode=request.mode,
        history=limits.check_history(earlier), article_ids=request.article_ids)


def reply_markdown(answer, retriever) -> str:
    """The answer's markdown, then its sources (or, when the articles do not
    answer, the closest passages marked as such)."""
    if answer.abstained:
        lines = [answer.answer]
        if answer.closest:
            lines += ["", f"*{escape_markdown(LOW_RELEVANCE)}：*", ""]
            lines += [f"- {escape_markdown(h.citation)}：{escape_markdown(h.text)}"
                      for h in answer.closest]
        return "\n".join(lines)
    lines = []
    if answer.unmentioned:
        names = "、".join(f"“{n}”" for n in answer.unmentioned)
        lines += [f"*{escape_markdown(f'（以下段落未提及{names}）')}*", ""]
    lines += [answer.answer, "", "**来源：**", ""]
    lines += [escape_markdown(citation_line(c, retriever.article(c.article_id))) + "  "
              for c in answer.citations]
    return "\n".join(lines)


def references(answer, retriever) -> list[dict]:
    """Each citation with its article's date, source and url."""
    out = []
    for c in answer.citations:
        article = summary(retriever.article(c.article_id))
        out.append({**c.to_dict(), **{k: article[k] for k in ("date", "source", "url")}})
    return out


def openai_router(service: Service, *, login: bool = False) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], responses=ERRORS,
                       dependencies=login_scheme(login))
    started = int(time.time())

    @router.get("/models", summary="The one model: the articles")
    def models():
        return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": started,
                                            "owned_by": "rag-news"}]}

    @router.post("/chat/completions", summary="Ask as an OpenAI chat model")
    def chat(request: ChatRequest):
        retriever, answer = service.answer(question_of(request))
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()),
                "model": request.model}
        content = reply_markdown(answer, retriever)
        extra = {"references": references(answer, retriever), "abstained": answer.abstained,
                 "confidence": answer.confidence}
        if not request.stream:
            return {**head, "object": "chat.completion",
                    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                 "message": {"role": "assistant", "content": content}}],
                    **extra}
        return StreamingResponse(chunks(head, content, extra), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    return router


def chunks(head: dict, content: str, extra: dict):
    """The reply as OpenAI's chunks: the role, a chunk per paragraph, then
    the finish with the references, then [DONE]."""
    def event(delta: dict, finish=None, **more) -> str:
        data = {**head, "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                             "logprobs": None}], **more}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    parts = content.split("\n\n")
    for i, part in enumerate(parts):
        yield event({"content": part + ("\n\n" if i < len(parts) - 1 else "")})
    yield event({}, "stop", **extra)
    yield "data: [DONE]\n\n"
