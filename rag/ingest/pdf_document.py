"""A PDF that is not a newspaper page — a printed web article, a report, a
book chapter — as one article: its title from the document's metadata, its
first large line or the file name; headings (larger or bolder short lines)
as sections; the author from the metadata or a credit line under the title;
paragraphs from first-line indents, vertical gaps and short last lines,
never cut inside a sentence at a column or page break. Running heads and
feet and folios are left out; the rest of the text is all indexed, and the
loader warns when what it indexed falls short of what the PDF holds.
"""

from __future__ import annotations

import re
import statistics
import warnings
from collections import Counter
from pathlib import Path

from ..types import Article
from .furniture import repeated_lines
from .layout import CREDIT_ROLE, assemble_body, credit_names, ends_sentence, join_lines
from .pdf_text import PageText, TextLine

LOSS_WARNING = 0.02  # warn when more than this share of the PDF's characters is not indexed
_TITLE = 1.3  # a title line is at least this many times the body size
_BAD_TITLE = re.compile(r"^(?:untitled|microsoft word|wps|document|文档|无标题)|\.(?:docx?|"
                        r"pdf|html?|txt)$", re.I)


_BAD_AUTHOR = re.compile(r"^(?:anonymous|unknown|admin(?:istrator)?|user|owner|作者|佚名)$", re.I)


class IndexLossWarning(UserWarning):
    """Less of a document's text was indexed than it holds."""


def chars(text: str) -> int:
    return sum(not c.isspace() for c in text)


def document_article(path: Path, pages: list[PageText], article_id: str,
                     meta: dict[str, str] | None = None, date: str = "",
                     source: str = "") -> Article:
    meta = meta or {}
    weight = Counter()
    for p in pages:
        for ln in p.lines:
            weight[(round(ln.size * 4) / 4, ln.font)] += ln.chars
    (body_size, body_font), _ = weight.most_common(1)[0]
    furniture = repeated_lines(pages, body_size)
    lines = [(p, ln) for p in pages for ln in _reading_order(p)
             if (p.number, ln.top) not in furniture]
    if not lines:
        raise ValueError("no text left once running heads and page numbers are set aside")

    def is_body(ln: TextLine) -> bool:
        return abs(ln.size - body_size) <= 0.06 * body_size and ln.font == body_font

    title, author = (meta.get("title") or "").strip(), (meta.get("author") or "").strip()
    if _BAD_TITLE.search(title) or len(title) > 80 or title == Path(path).stem:
        title = ""
    if _BAD_AUTHOR.match(author) or len(author) > 40:  # what PDF makers fill in by default
        author = ""
    start = 0
    if lines[0][1].size >= _TITLE * body_size:  # the first large line(s): the title
        end = 1
        while end < len(lines) and abs(lines[end][1].size - lines[0][1].size) < 0.06 * body_size \
                and lines[end][0] is lines[0][0]:
            end += 1
        printed = join_lines([ln.text for _, ln in lines[:end]])
        title = title or printed
        if re.sub(r"\s+", "", printed) == re.sub(r"\s+", "", title):
            start = end  # printed as the title: not body text
    title = title or Path(path).stem
    credit = lines[start][1].text if start < len(lines) else ""
    if credit and (not is_body(lines[start][1]) or CREDIT_ROLE.search(credit)):
        names = credit_names(credit)
        if names:  # 文／张三, 作者：张三 right under the title
            author = author or names
            start += 1
    blocks, scores = _paragraphs(lines[start:], is_body, body_size)
    body, sections = assemble_body(blocks)
    ocr = tuple(s for (heading, _), s in zip(blocks, scores, strict=True) if not heading) \
        if any(p.ocr for p in pages) else ()
    article = Article(id=article_id, title=title, body=body, author=author, date=date,
                      source=source, sections=sections, ocr=ocr)
    _check_loss(path, pages, furniture, article)
    return article


def _reading_order(page: PageText) -> list[TextLine]:
    """Top to bottom; a page set in two columns, left column first."""
    lines = sorted(page.lines, key=lambda ln: (ln.top, ln.x0))
    if not lines:
        return []
    mid = (min(ln.x0 for ln in lines) + max(ln.x1 for ln in lines)) / 2
    left = [ln for ln in lines if ln.x1 <= mid]
    right = [ln for ln in lines if ln.x0 >= mid]
    if min(len(left), len(right)) < 0.3 * len(lines):
        return lines
    across = [ln for ln in lines if ln not in left and ln not in right]
    top = max((ln.bottom for ln in across if ln.top < min(x.top for x in left + right)),
              default=-1.0)
    head = [ln for ln in across if ln.bottom <= top]
    rest = [ln for ln in across if ln.bottom > top]
    return head + left + right + rest


def _paragraphs(lines: list[tuple[PageText, TextLine]], is_body, size: float
                ) -> tuple[list[tuple[bool, str]], list[float]]:
    """(is_heading, text) blocks and each block's least OCR score."""
    body = [ln for _, ln in lines if is_body(ln)]
    if not body:
        return [(False, join_lines([ln.text for _, ln in lines]))], [1.0]
    left = Counter(round(ln.x0) for ln in body).most_common(1)[0][0]
    right = statistics.median(ln.x1 for ln in body if ln.chars >= 10) \
        if any(ln.chars >= 10 for ln in body) else max(ln.x1 for ln in body)
    pitch = [b.top - a.bottom for (p, a), (q, b) in zip(lines, lines[1:], strict=False)
             if p is q and is_body(a) and is_body(b) and 0 <= b.top - a.bottom < 3 * size]
    usual = statistics.median(pitch) if pitch else 0.5 * size
    # Where paragraphs open with an indent, only an indent opens one (ragged
    # or short lines and page breaks say nothing); else gaps and short lines do.
    indented = sum(_indented(ln, left) for ln in body) >= 0.05 * len(body)
    blocks: list[tuple[bool, list[str]]] = []
    scores: list[float] = []
    prev_page, prev = None, None
    for page, ln in lines:
        heading = not is_body(ln) and len(ln.text) <= 60 and not ends_sentence(ln.text) \
            and ln.size >= 0.95 * size  # smaller type (notes, captions) stays text
        if heading:
            if blocks and blocks[-1][0] and prev is not None and not is_body(prev) \
                    and ln.top - prev.bottom < size:
                blocks[-1][1].append(ln.text)  # a heading wrapped onto a second line
            else:
                blocks.append((True, [ln.text]))
                scores.append(1.0)
            scores[-1] = min(scores[-1], ln.score)
            prev_page, prev = page, ln
            continue
        broke = prev is None or page is not prev_page or ln.top < prev.top  # page or column
        starts = prev is None or not is_body(prev) or not blocks or blocks[-1][0]
        if not starts and _indented(ln, left):
            starts = True
        elif not starts and not indented and ends_sentence(prev.text):
            short = prev.x1 < right - 1.5 * ln.size
            gap = not broke and ln.top - prev.bottom > usual + 0.5 * size
            starts = gap or short
        if starts:
            blocks.append((False, []))
            scores.append(1.0)
        blocks[-1][1].append(ln.text)
        scores[-1] = min(scores[-1], ln.score)
        prev_page, prev = page, ln
    return [(h, join_lines(t)) for h, t in blocks], scores


def _indented(ln: TextLine, left: float) -> bool:
    return ln.x0 - left >= 1.2 * ln.size


def _check_loss(path: Path, pages: list[PageText], furniture, article: Article) -> None:
    held = sum(ln.chars for p in pages for ln in p.lines if (p.number, ln.top) not in furniture)
    indexed = chars(article.title) + chars(article.body) + chars(article.author)
    if held and indexed < (1 - LOSS_WARNING) * held:
        warnings.warn(IndexLossWarning(
            f"{Path(path).name}: only {indexed / held:.0%} of the PDF's {held} characters "
            "were indexed"), stacklevel=3)
