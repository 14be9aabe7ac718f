"""Page furniture: what a page prints around its articles — running heads and
feet (paper, date, page number and name), folios, editors' lines, jump lines
(转第X版) — and what it says about the page.

Furniture is never body text. A running head is found by what it says
(a date, 第N版, a weekday) in the band above the page's text, whether or not
a rule sets it off; what it says becomes the articles' date and source
(paper · page · page name), which citations show.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .pdf_text import PageText, TextLine

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
_NUM = r"(?:\d{1,4}|[〇○零一二三四五六七八九十]{1,4})"
_DATES = (
    re.compile(rf"(\d{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*({_NUM})\s*月\s*({_NUM})\s*日"),
    re.compile(r"(?<!\d)(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)"),
)
_WEEKDAY = re.compile(r"(?:星期|礼拜)[一二三四五六日天]|(?<![\u4e00-\u9fff])周[一二三四五六日]"
                      r"(?![\u4e00-\u9fff])")
_PAGE = re.compile(r"第\s*([A-Za-z]?\d{1,3})\s*版|(?<![\dA-Za-z])([A-Z]\d{1,2})\s*版|"
                   r"第\s*([一二三四五六七八九十]{1,3})\s*版")
_EDITOR = re.compile(r"(?:责任编辑|责编|编辑|版式(?:设计)?|美编|校对|制图|值班主任)\s*[：:]")
_FOLIO = re.compile(r"^(?:[-—–·\s]*\d{1,4}[-—–·\s]*|第\s*\d{1,4}\s*页(?:\s*/?\s*共\s*\d+\s*页)?|"
                    r"\d{1,4}\s*/\s*\d{1,4}|Page\s*\d+(?:\s*of\s*\d+)?)$", re.I)
JUMP = re.compile(r"^[（(]?\s*(?:下转|上接|转|接|续)\s*(?:第\s*)?[A-Za-z]?\d{1,3}\s*版"
                  r"(?:[^）)]{0,12})[）)]?$")
CAPTION = re.compile(r"^(?:图为|图：|图/|上图|下图|左图|右图|资料图片)|"
                     r"(?:摄|供图|资料图片|图片来源[^）)]*)[）)]?$")
_PAPER = re.compile(r"[\u4e00-\u9fff]{1,8}(?:日报|晚报|早报|时报|商报|青年报|法治报|报)")
_SEPARATORS = re.compile(r"[|｜·•/、\s]+")
_BAND = 0.1  # running heads and feet sit in this share of the page's height


@dataclass(frozen=True)
class PageMeta:
    date: str = ""  # ISO
    page: str = ""  # the page's number as printed ("7", "A3")
    page_name: str = ""  # 理论, 要闻…
    paper: str = ""

    @property
    def source(self) -> str:
        """Paper · 第N版 · page name: how citations name the page."""
        page = f"第{self.page}版" if self.page else ""
        return " · ".join(x for x in (self.paper, page, self.page_name) if x)


def cn_number(text: str) -> int:
    """A number written in digits or Chinese numerals (二〇二五, 三十, 十二)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0)
                                                                 if ones else 0)
    return int("".join(str(_CN_DIGIT.get(c, 0)) for c in text) or 0)


def find_date(text: str) -> str:
    """The first valid date in `text`, in any form a Chinese page prints, as ISO."""
    import datetime as dt

    for pattern in _DATES:
        for m in pattern.finditer(text):
            try:
                day = dt.date(cn_number(m.group(1)), cn_number(m.group(2)),
                              cn_number(m.group(3)))
            except ValueError:
                continue
            return day.isoformat()
    return ""


def says_furniture(text: str) -> bool:
    """Text only furniture prints: a date line, a page number, an editor's line."""
    t = text.strip()
    return bool(find_date(t) or _WEEKDAY.search(t) or _PAGE.search(t) or _EDITOR.search(t)
                or _FOLIO.match(t) or JUMP.match(t))


def page_meta(texts: list[str]) -> PageMeta:
    """Date, page number, page name and paper from a page's running head."""
    joined = " ".join(texts)
    page = ""
    m = _PAGE.search(joined)
    if m:
        raw = next(g for g in m.groups() if g)
        page = str(int(raw)) if raw.isdigit() else raw.upper() if raw.isascii() \
            else str(cn_number(raw))
    paper = ""
    name = ""
    for text in texts:
        rest = text
        for pattern in (*_DATES, _WEEKDAY, _PAGE, _EDITOR):
            rest = pattern.sub(" ", rest)
        for token in (t for t in _SEPARATORS.split(rest) if t):
            if not re.search(r"[\u4e00-\u9fff]", token) or _FOLIO.match(token):
                continue
            if not paper and _PAPER.fullmatch(token):
                paper = token
            elif not name and len(token) <= 8 and token not in ("出版", "今日", "本版"):
                name = token
    return PageMeta(find_date(joined), page, name, paper)


def running_lines(page: PageText, lines: list[TextLine], body_size: float,
                  body_font: str) -> list[TextLine]:
    """The lines of a running head or foot that no rule sets off: rows in
    the top or bottom band of the page, outside the body text, at least one
    of which says what furniture says (a date, 第N版, an editor's line, a folio)."""
    body = [ln for ln in lines if abs(ln.size - body_size) <= 0.06 * body_size
            and ln.font == body_font and ln.chars >= 8]
    if not body:
        return []
    text_top = min(ln.top for ln in body)
    text_bottom = max(ln.bottom for ln in body)
    out: list[TextLine] = []
    head = [ln for ln in lines if ln.bottom <= text_top + 1 and ln.top <= _BAND * page.height]
    foot = [ln for ln in lines if ln.top >= text_bottom - 1
            and ln.bottom >= (1 - _BAND) * page.height]
    for band, from_edge in ((head, lambda r: r[0].top), (foot, lambda r: -r[0].bottom)):
        rows = _rows(band)
        rows.sort(key=from_edge)
        # rows from the page edge inwards, as long as they say furniture
        for row in rows:
            if not any(says_furniture(ln.text) for ln in row) or not all(
                    _head_like(ln, body_size) for ln in row):
                break
            out += row
    return out


def _head_like(ln: TextLine, body_size: float) -> bool:
    """What a running head's line can be: furniture's words, the paper's
    name, a short page name, or anything in small type (not a headline)."""
    text = ln.text.strip()
    return (says_furniture(text) or bool(_PAPER.fullmatch(text)) or len(text) <= 6
            or ln.size <= 1.2 * body_size) and not text.endswith("。")


def _rows(lines: list[TextLine]) -> list[list[TextLine]]:
    rows: list[list[TextLine]] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        if rows and ln.top < max(x.bottom for x in rows[-1]) - 0.3 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows


def repeated_lines(pages: list[PageText], body_size: float) -> set[tuple[int, float]]:
    """(page number, top) of the running heads and feet of a document:
    lines in a page's top or bottom band whose text, digits aside, recurs on
    at least half the pages (two at least); bare folios; and a page's
    outermost line when it is short and in smaller type than the body."""
    def key(ln: TextLine) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text))

    def banded(p: PageText) -> list[TextLine]:
        return [ln for ln in p.lines if ln.bottom <= _BAND * p.height
                or ln.top >= (1 - _BAND) * p.height]

    seen = Counter(k for p in pages for k in {key(ln) for ln in banded(p)})
    out = set()
    for p in pages:
        band = banded(p)
        edges = [row for row in _rows(band) if row]
        outer = set()
        if edges:
            first, last = edges[0], edges[-1]
            for row in {id(first): first, id(last): last}.values():
                if all(ln.size < 0.9 * body_size and ln.chars <= 40 for ln in row) and (
                        row is first and row[0].bottom <= _BAND * p.height
                        or row is last and row[0].top >= (1 - _BAND) * p.height):
                    outer.update((p.number, ln.top) for ln in row)
        for ln in band:
            recurs = len(pages) >= 2 and seen[key(ln)] >= max(2, len(pages) / 2)
            if recurs or _FOLIO.match(ln.text.strip()):
                out.add((p.number, ln.top))
        out |= outer
    return out
