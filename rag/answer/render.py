"""Answers as text: markdown made inert, citation lines, and the terminal view."""

from __future__ import annotations

import html
import re

ABSTAIN_MESSAGE = "所收录的文章没有涉及这个问题。"
ABSTAIN_MESSAGE_EN = "(The articles in this collection do not cover this question.)"
LOW_RELEVANCE = "最接近的段落（相关度低，不是答案，仅供参考）"
# Shown above the quotes when the search is unsure they answer (see Answer.confidence).
UNSURE_MESSAGE = "以下摘录不一定直接回答了这个问题，请对照原文判断。"
UNSURE_MESSAGE_EN = "(These quotes may not answer the question directly: check them.)"
# Below this probability an answer is presented as uncertain: on the seed page's
# development sets 29% of such first hits answered, against 69-89% above it
# (m3e-small's model; e5-small's: 31% against 66-89%, results/abstention-*.md).
UNSURE_BELOW = 0.2

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")


def escape_markdown(text: str) -> str:
    """Article or user text made inert in markdown that may render HTML."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def render_quotes(citations) -> str:
    """Quotes as markdown; the items of a list as a numbered list."""
    parts, items = [], []
    for c in citations:
        line = f"「{escape_markdown(c.quote)}」[{c.n}]"
        if c.kind == "item":
            items.append(f"{len(items) + 1}. {line}")
            continue
        if items:
            parts.append("\n".join(items))
            items = []
        parts.append(line)
    if items:
        parts.append("\n".join(items))
    return "\n\n".join(parts)


def citation_line(c, article=None) -> str:
    """One plain-text line a reader can paste into notes."""
    parts = [f"[{c.n}] ", f"{c.author}：" if c.author else "", f"《{c.title}》"]
    if article is not None and article.source:
        parts.append(f"，{article.source}")
    if article is not None and article.date:
        parts.append(f"，{article.date}")
    if c.section:
        parts.append(f"，“{c.section}”")
    if c.paragraph:
        parts.append(f"，第{c.paragraph}段")
    elif getattr(c, "kind", "") == "headline":
        parts.append("，标题")
    ocr = getattr(article, "ocr", ()) if article is not None else ()
    if ocr:  # read from a scan: say so, with how sure OCR was of this paragraph
        sure = ocr[c.paragraph - 1] if 0 < (c.paragraph or 0) <= len(ocr) else min(ocr)
        parts.append(f"，扫描件（OCR识别，置信度{sure:.2f}）")
    return "".join(parts) + "。"


def answer_to_text(answer, retriever=None) -> str:
    """Plain text for a terminal: the quotes, then one line per source."""
    if answer.abstained:
        lines = [ABSTAIN_MESSAGE]
        if answer.closest:
            lines += ["", LOW_RELEVANCE + "："]
            lines += [f"  - {h.citation}：{h.text}" for h in answer.closest]
        return "\n".join(lines)
    lines = [UNSURE_MESSAGE, ""] if answer.unsure else []
    if answer.unmentioned:
        lines += [f"（以下段落未提及{'、'.join(f'“{n}”' for n in answer.unmentioned)}）"]
    number = 0
    for c in answer.citations:
        number = number + 1 if c.kind == "item" else 0
        lines.append(f"  {number}. 「{c.quote}」[{c.n}]" if number else f"「{c.quote}」[{c.n}]")
    lines += ["", "来源："]
    for c in answer.citations:
        article = retriever.article(c.article_id) if retriever is not None else None
        lines.append(citation_line(c, article))
    return "\n".join(lines)
