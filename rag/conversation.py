"""Conversation context: which messages lean on the previous turn, and what
retrieval should search for then. Pure functions over text, shared by the
chat UI and `rag ask` through `answer_question`."""

from __future__ import annotations

import re

from .text import normalize, tokenize

# Follow-ups lean on the previous question: "那广东省呢？", "这个制度是什么时候建立的？".
_FOLLOW_START = re.compile(
    r"^(那么|那|这个|这些|这|那个|它们|它|他们|他|她|其|该|此|上述|还有"
    r"|and\b|what about|how about)", re.I
)
_FOLLOW_END = re.compile(r"(呢|吗呢)\s*[?？!！。.]*$")
# Questions about the article itself rather than its content.
_META = re.compile(
    r"(作者|谁写|撰写|撰稿|执笔|出处|哪篇|哪一篇|标题|题目|哪家报|什么报|哪份报|单位|发表|刊登|刊发|"
    r"日期|哪天|来源|author|who wrote|written by|title|source|published|affiliation)",
    re.IGNORECASE,
)
_META_FILLER = re.compile(
    r"这篇|那篇|该篇|文章|本文|原文|上文|上面|刚才|那么|那|这|是|谁|哪|的|呢|吗|什么"
    r"|\b(what|is|the|of|this|article|who|it|was|in|which)\b", re.I
)


def content_words(text: str) -> list[str]:
    # Single CJK characters left after stopwords are particles and pronouns, not topics.
    words = tokenize(text, bigrams=False)
    return [t for t in words if len(t) > 1 or (t.isascii() and t.isalnum())]


def strip_follow_markers(text: str) -> str:
    text = _FOLLOW_START.sub("", text.strip()).strip()
    return _FOLLOW_END.sub("", text).strip(" ，,。？?！!")


def is_follow_up(question: str) -> bool:
    q = question.strip()
    return bool(_FOLLOW_START.search(q) or _FOLLOW_END.search(q) or not content_words(q))


def is_meta_question(question: str) -> bool:
    """Asks who wrote / where / when, with no topic of its own ("作者是谁？")."""
    if not _META.search(question):
        return False
    rest = _META_FILLER.sub(" ", _META.sub(" ", normalize(question)))
    return not content_words(rest)


def _user_turns(history) -> list[str]:
    turns = []
    for item in history or ():
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict):  # a Gradio message; content may be a list of parts
            content = item.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            if item.get("role") == "user" and isinstance(content, str):
                turns.append(content)
        elif item and isinstance(item[0], str):
            turns.append(item[0])
    return [t.strip() for t in turns if t and t.strip()]


def contextual_query(question: str, history=()) -> str:
    """The query retrieval should use: the question itself, or, for an elliptical
    follow-up, its own words followed by the last standalone question (so a chain
    of "那广东省呢？", "那浙江省呢？" does not pile up provinces). A question about
    the article ("作者是谁？") reuses the previous turn's query."""
    base = last = ""
    for turn in [*_user_turns(history), question.strip()]:
        if not last:
            base = last = turn
        elif is_meta_question(turn):
            pass  # same article as the previous turn
        elif is_follow_up(turn):
            core = strip_follow_markers(turn)
            last = f"{core} {base}".strip() if core else base
        else:
            base = last = turn
    return last
