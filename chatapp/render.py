"""The conversation as HTML: each turn is the question as typed, then the
answer first (quoted sentences with numbered chips), then its sources, each
article's title once. Every piece of article or user text is escaped here.

HTML is built as strings on one line each: it goes into a gr.HTML element,
never through a Markdown renderer, so a question such as `**x** [a](b)` is
shown exactly as typed.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from rag import Answer, Citation, citation_line, normalize, printed_byline

from .labels import labels, language_of


@dataclass(frozen=True)
class Turn:
    """One question and what the chat shows for it: `answer_html` is empty
    while it is being searched."""

    id: int
    question: str
    answer_html: str = ""
    language: str = "zh"

    @property
    def state(self) -> str:
        return "done" if self.answer_html else "pending"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def highlight(text: str, terms=(), quote: str = "") -> str:
    """Escaped `text` with `quote` in <mark> and the question's words (`terms`,
    normalised, longest first) in <strong>."""
    flags = [[False, False] for _ in text]
    at = text.find(quote) if quote else -1
    for i in range(max(at, 0), at + len(quote) if at >= 0 else 0):
        flags[i][0] = True
    norm = normalize(text)
    if terms and len(norm) == len(text):  # offsets only line up when lengths agree
        for term in terms:
            for m in re.finditer(re.escape(term), norm):
                for i in range(m.start(), m.end()):
                    flags[i][1] = True
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and flags[j] == flags[i]:
            j += 1
        piece = esc(text[i:j])
        if flags[i][1]:
            piece = f"<strong>{piece}</strong>"
        if flags[i][0]:
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
        i = j
    return "".join(out)


def byline_shown(article) -> str:
    """Who wrote it, as the page prints it: the author's name, or, for an
    article signed only with an office (（作者为…主席）), that line itself."""
    return article.author or printed_byline(article)


def _where(c: Citation, say: dict, section: bool = True) -> str:
    where = (say["paragraph"].format(n=c.paragraph) if c.paragraph
             else say["headline"] if c.kind == "headline" else say["byline"])
    return " · ".join(esc(x) for x in (where, c.section if section else "") if x)


def _context(retriever, c: Citation, terms, say: dict) -> str:
    """The cited paragraph between its neighbours, so the quote can be checked."""
    if c.kind in ("byline", "headline"):
        return "".join(f"<p>{esc(line)}</p>" for line in c.text.splitlines())
    rows = []
    for p in retriever.article(c.article_id).paragraphs()[max(c.paragraph - 2, 0):
                                                          c.paragraph + 1]:
        here = p.number == c.paragraph
        body = highlight(p.text, terms, c.quote) if here else esc(p.text)
        label = esc(say["paragraph"].format(n=p.number))
        rows.append(f'<p class="{"here" if here else ""}"><span class="pn">{label}</span> '
                    f"{body}</p>")
    return "".join(rows)


def _chip(ref: str, n: int, say: dict) -> str:
    return (f'<button type="button" class="chip" data-ref="{ref}" '
            f'aria-label="{esc(say["source_n"].format(n=n))}">{n}</button>')


def _preview(ref: str, c: Citation, by: str, terms, say: dict) -> str:
    """What hovering or tapping chip `ref` shows: where the quote is from and
    the quote highlighted in its passage."""
    head = f"《{esc(c.title)}》" + (f" · {esc(by)}" if by else "") + f" · {_where(c, say)}"
    return (f'<div class="pv" id="pv-{ref}" hidden><div class="pv-head">{head}</div>'
            f'<div class="pv-text">{highlight(c.text, terms, c.quote)}</div>'
            f'<button type="button" class="pv-open" data-ref="{ref}">'
            f'{esc(say["open_source"])} ↓</button></div>')


def answer_html(retriever, answer: Answer, turn: int) -> str:
    """The answer: a note when the search is unsure the quotes answer, a caveat
    when they do not mention what the question names, the quoted sentences
    with chips, then the sources grouped by article."""
    say = labels(answer.language)
    terms = answer.terms
    if answer.kind == "filtered":  # no article passes the filters: say so, not "not covered"
        return f'<p class="abstain filtered">{esc(answer.answer)}</p>'
    if answer.abstained:
        # The fact the articles lack, when that is why, in the reader's language.
        why = answer.missing.message(answer.language) if answer.missing else say["abstain"]
        out = [f'<p class="abstain">{esc(why)}</p>']
        if answer.closest:
            items = "".join(
                f'<li><span class="src-title">《{esc(h.title)}》</span> '
                f'<span class="src-where">{esc(say["paragraph"].format(n=h.paragraph))}</span>'
                f"<div>{highlight(h.text, terms)}</div></li>" for h in answer.closest)
            out.append(f'<details class="low"><summary>{esc(say["low"])}</summary>'
                       f"<ul>{items}</ul></details>")
        return "".join(out)
    out = []
    if answer.unsure:  # the search doubts the quotes answer
        out.append(f'<p class="caveat unsure" role="note">{esc(say["unsure"])}</p>')
    if answer.unmentioned:
        names = say["list_sep"].join(f'{say["quote_open"]}{n}{say["quote_close"]}'
                                     for n in answer.unmentioned)
        out.append(f'<p class="caveat" role="note">{esc(say["unmentioned"].format(names=names))}'
                   "</p>")
    bylines = {c.article_id: byline_shown(retriever.article(c.article_id))
               for c in answer.citations}
    quotes, items = [], []
    for c in answer.citations:
        ref = f"{turn}-{c.n}"
        line = f"「{highlight(c.quote, terms)}」{_chip(ref, c.n, say)}"
        if c.kind == "item":  # a list answer: its items as a numbered list
            items.append(f'<li class="quote">{line}</li>')
            continue
        if items:
            quotes.append(f'<ol class="quote-list">{"".join(items)}</ol>')
            items = []
        quotes.append(f'<p class="quote">{line}</p>')
    if items:
        quotes.append(f'<ol class="quote-list">{"".join(items)}</ol>')
    out.append(f'<div class="quotes">{"".join(quotes)}</div>')
    out.append(_sources(retriever, answer, turn, bylines, say))
    out += [_preview(f"{turn}-{c.n}", c, bylines[c.article_id], terms, say)
            for c in answer.citations]
    return "".join(out)


def _sources(retriever, answer: Answer, turn: int, bylines: dict, say: dict) -> str:
    groups: dict[str, list[Citation]] = {}
    for c in answer.citations:
        groups.setdefault(c.article_id, []).append(c)
    lines = [citation_line(c, retriever.article(c.article_id)) for c in answer.citations]
    parts = [f'<section class="sources" aria-label="{esc(say["sources"])}">'
             f'<div class="sources-head"><span>{esc(say["sources"])}</span>'
             f'<button type="button" class="copy" data-cites="{esc(json.dumps(lines))}" '
             f'data-done="{esc(say["copied"])}">{esc(say["copy"])}</button></div>']
    for article_id, cites in groups.items():
        by = bylines[article_id]
        parts.append(f'<div class="src-article"><div class="src-head">'
                     f'<span class="src-title">《{esc(cites[0].title)}》</span>'
                     + (f'<span class="src-by">{esc(by)}</span>' if by else "") + "</div>")
        for c in cites:
            ref = f"{turn}-{c.n}"
            parts.append(
                f'<details class="src" id="src-{ref}"><summary>'
                f'<span class="n">{c.n}</span>'
                f'<span class="src-where">{_where(c, say, False)}</span>'
                f'<span class="src-snip">{esc(c.quote)}</span></summary>'
                f'<blockquote class="passage">{highlight(c.text, answer.terms, c.quote)}'
                f"</blockquote>"
                f'<details class="ctx"><summary>{esc(say["context"])}</summary>'
                f"{_context(retriever, c, answer.terms, say)}</details>"
                f'<p class="cite"><span>{esc(say["cite"])}</span> '
                f"{esc(citation_line(c, retriever.article(c.article_id)))}</p></details>")
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def message_html(text: str, kind: str = "error") -> str:
    """A notice in place of an answer (the server is busy, the question too long)."""
    return f'<p class="{kind}" role="alert">{esc(text)}</p>'


def turn_html(turn: Turn) -> str:
    say = labels(turn.language)
    body = turn.answer_html or (f'<p class="searching" role="status"><span class="dots">'
                                f'</span>{esc(say["searching"])}</p>')
    return (f'<article class="turn" data-turn="{turn.id}" data-state="{turn.state}" '
            f'lang="{"en" if turn.language == "en" else "zh-CN"}">'
            f'<div class="q"><div class="bubble" aria-label="{esc(say["you"])}">'
            f"{esc(turn.question)}</div></div>"
            f'<div class="a" aria-label="{esc(say["answer"])}">{body}</div></article>')


def thread_html(turns, placeholder: str = "") -> str:
    inner = "".join(turn_html(t) for t in turns) or (
        f'<p class="empty">{esc(placeholder)}</p>' if placeholder else "")
    return f'<div class="thread" role="log" aria-live="polite">{inner}</div>'


def pending(turn_id: int, question: str) -> Turn:
    return Turn(turn_id, question, "", language_of(question))


def article_html(retriever, article_id: str | None, empty: str = "") -> str:
    if not article_id:
        return f'<p class="empty">{esc(empty)}</p>'
    a = retriever.article(article_id)
    scan = "扫描件（OCR识别）" if getattr(a, "ocr", ()) else ""
    meta = " · ".join(esc(x) for x in (byline_shown(a), a.date, a.source, scan) if x)
    rows = [f'<article class="doc"><h2>{esc(a.title)}</h2>']
    if a.deck:
        rows.append(f'<p class="deck">{esc(a.deck)}</p>')
    rows.append(f'<p class="meta">{meta}</p>')
    section = ""
    for p in a.paragraphs():
        if p.section and p.section != section:
            section = p.section
            rows.append(f"<h3>{esc(section)}</h3>")
        rows.append(f'<p><span class="pn">{p.number}</span>{esc(p.text)}</p>')
    rows.append("</article>")
    return "".join(rows)
