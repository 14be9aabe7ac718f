"""Answers as text: markdown made inert, citation lines, and the terminal view."""

from __future__ import annotations

import html
import re

ABSTAIN_MESSAGE = "所收录的文章没有涉及这个问题。"
FILTERED_MESSAGE = "没有符合筛选条件的文章：{filters}。请放宽日期、来源、作者或文章的筛选。"
FILTERED_MESSAGE_EN = ("No article matches the filters; widen the date range, source, author "
                       "or article.")
ABSTAIN_MESSAGE_EN = "(The articles in this collection do not cover this question.)"
LOW_RELEVANCE = "最接近的段落（相关度低，不是答案，仅供参考）"
# Shown above the quotes when the search is unsure they answer (see Answer.confidence).
UNSURE_MESSAGE = "以下摘录不一定直接回答了这个问题，请对照原文判断。"
UNSURE_MESSAGE_EN = "(These quotes may not answer the question directly: check them.)"
# Below this probability an answer is presented as uncertain. e5-small's model is
# calibrated on news since 2026-12-06: on the seed page's development sets 34% of
# the first hits kept with a probability of 0.2-0.4 answered, against 57-86% above
# (results/abstention-e5-small.md). Its threshold (0.216) withdraws the answers
# below 0.2, so the old bar, 0.2, would no longer mark any.
UNSURE_BELOW = 0.4



def abstain_message(missing=None, *, english: bool = False) -> str:
    """Why there is no answer: the fact the articles lack when that is the reason
    (search.answer_types.MissingFact), else that they do not cover the question;
    an English question gets the English in brackets after it."""
    if missing is None:
        return ABSTAIN_MESSAGE + (f" {ABSTAIN_MESSAGE_EN}" if english else "")
    return missing.message("zh") + (f" ({missing.message('en')})" if english else "")


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
    if answer.kind == "filtered":  # no article passes the filters: nothing was searched
        return answer.answer
    if answer.abstained:
        lines = [abstain_message(getattr(answer, "missing", None))]
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
