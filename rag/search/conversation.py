"""Conversation context: which messages lean on the previous turn, and what
retrieval should search for then. Pure functions over a turn's text and its
content words, which the question's own analysis supplies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..text import tokens_of

# Follow-ups lean on the previous question: "那广东省呢？", "这个制度是什么时候建立的？".
_FOLLOW_START = re.compile(
    r"^(那么|那|这个|这些|这|那个|它们|它|他们|他|她|其|该|此|上述|还有"
    r"|and\b|what about|how about)", re.I
)
_FOLLOW_END = re.compile(r"(呢|吗呢)\s*[?？!！。.]*$")
# Messages that point into the previous answer: an item of the list it gave
# ("第二个理由是什么？", "最后一点呢", "先说第一点") or what it said ("为什么会这样？",
# "其中哪个最重要？"). They have topic words of their own, so the elliptical test misses them.
_POINTER = re.compile(  # over normalised text: simplified characters, lower case
    r"第\s*[一二三四五六七八九十两\d]+\s*(个|条|点|步|项|种|类|方面|部分|层|大)"
    r"|(最后|末)\s*一?\s*(个|条|点|步|项|种)"
    r"|这样|这么|这些|这种|那些|那样|上述|其中|前者|后者"
    r"|\bthe (first|second|third|fourth|fifth|last) (one|point|reason|step|item)\b"
    r"|\b(those|these|that one|why is that)\b"
)
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


def content_words(words: Iterable[str]) -> list[str]:
    """Topic words among a text's jieba words (stop words already gone):
    single CJK characters left are particles and pronouns, not topics."""
    return [t for t in words if len(t) > 1 or (t.isascii() and t.isalnum())]


@dataclass(frozen=True)
class Turn:
    """One user message: its text (stripped), normalised, and its content words."""

    text: str
    normalized: str
    content: tuple[str, ...]


def strip_follow_markers(text: str) -> str:
    text = _FOLLOW_START.sub("", text.strip()).strip()
    return _FOLLOW_END.sub("", text).strip(" ，,。？?！!")


def is_follow_up(turn: Turn) -> bool:
    q = turn.text
    return bool(_FOLLOW_START.search(q) or _FOLLOW_END.search(q) or not turn.content)


def points_back(turn: Turn) -> bool:
    """Refers to an item of, or to what was said in, the previous answer."""
    return bool(_POINTER.search(turn.normalized))


def is_meta(turn: Turn) -> bool:
    """Asks who wrote / where / when, with no topic of its own ("作者是谁？")."""
    if not _META.search(turn.text):
        return False
    rest = _META_FILLER.sub(" ", _META.sub(" ", turn.normalized))
    return not content_words(tokens_of(rest, bigrams=False))


def user_turns(history) -> list[str]:
    """Earlier user messages from `history`: strings, (user, assistant) pairs,
    or Gradio messages ({"role", "content"})."""
    if isinstance(history, (str, bytes)):
        raise ValueError("history must be a list of earlier questions, not a string")
    turns = []
    for item in history or ():
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict):  # a Gradio message; content may be a list of parts
            content = item.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content
                                   if isinstance(p, dict) and isinstance(p.get("text"), str))
            if item.get("role") == "user" and isinstance(content, str):
                turns.append(content)
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            turns.append(item[0])
        else:
            raise ValueError(f"history items must be questions (strings), (question, answer) "
                             f"pairs or chat messages, not {type(item).__name__}")
    return [t.strip() for t in turns if t and t.strip()]


def in_context(turns: list[Turn], *, follow_ups: bool = True, meta: bool = True,
               pointers: bool = True) -> str:
    """What retrieval should search for at the last of `turns`: that message
    itself, or, for an elliptical follow-up, its own words followed by the
    last standalone question; so is a message pointing into the previous
    answer ("第二个理由是什么？") when `pointers` (a chain of "那广东省呢？", "那浙江省呢？" does
    not pile up provinces). A question about the article ("作者是谁？")
    searches again for the previous turn's query."""
    base = last = ""
    for turn in turns:
        if not last:
            base = last = turn.text
        elif meta and is_meta(turn):
            pass  # same article as the previous turn
        elif (follow_ups and is_follow_up(turn)) or (pointers and points_back(turn)):
            core = strip_follow_markers(turn.text)
            last = f"{core} {base}".strip() if core else base
        else:
            base = last = turn.text
    return last
