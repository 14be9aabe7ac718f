"""Reading a newspaper column's layout back from extracted text lines.

The extracted text has lost the layout: lines are cut at the column edge and
headings are split. What the layout left behind is line *width*: a paragraph's
first line is indented two characters and its last line is usually short.
These general rules read those widths; `page.py` applies them to the blocks a
page manifest names.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from ..types import PARAGRAPH_BREAK, Section

# A paragraph can only end at 。！？ (or …), possibly followed by closing marks.
_SENTENCE_END = re.compile(r"(?:[。！？!?]|…+)[”’」』）)》]*$")
_ANY_END_PUNCT = re.compile(r"[，、；：。！？!?,;:…”’」』）)》]$")
# The note may hold one level of brackets: （作者单位：中央党校（国家行政学院）…）
_BYLINE = re.compile(r"\s*(（作者(?:单位：|为)([^（）]+(?:（[^（）]*）[^（）]*)*)）)$")
# 一是…／二是… enumerate paragraphs when they open a line after a full stop.
_LIST_ITEM = re.compile(r"[一二三四五六七八九十]+是")
_ASCII_WORD_EDGE = re.compile(r"[A-Za-z0-9]")
MARKS = "■●◆▲□★◇○◎▶►"  # bullets set before labels and credit lines
CREDIT_ROLE = re.compile(r"(本报(?:特约)?记者|本报通讯员|本报实习生|特约记者|新华社记者|"
                         r"记者|通讯员|实习生|撰文|作者[：:]|文[／/|｜])")
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,4}·[\u4e00-\u9fff·]{1,8}")
_NARROW_PUNCT = set("，、。；：？！“”‘’《》（）【】「」『』·—…")
_INDENT = 2.0  # characters a paragraph's first line is indented by
_SLACK = 1.25  # justification noise: full lines vary by about one character


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the raw page
    text: str  # stripped
    blank_before: bool = False


# ---------------------------------------------------------------- text rules


def line_width(text: str) -> float:
    """Printed width in ideograph units. Digits and Latin letters are half
    width, and justified punctuation is squeezed to about half as well."""
    width = 0.0
    for ch in text:
        if ch in _NARROW_PUNCT or unicodedata.east_asian_width(ch) not in "WF":
            width += 0.5
        else:
            width += 1.0
    return width


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space only
    where a Latin word or number was cut at the line end."""
    out = ""
    for line in (s.strip() for s in lines):
        if not line:
            continue
        if out and _ASCII_WORD_EDGE.match(out[-1]) and _ASCII_WORD_EDGE.match(line[0]):
            out += " "
        out += line
    return out


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def split_byline(text: str) -> tuple[str, str]:
    """`text` without a trailing （作者单位：X） / （作者为X） note, and the note."""
    match = _BYLINE.search(text)
    if not match:
        return text, ""
    return text[: match.start()].rstrip(), match.group(1)


def credit_names(text: str) -> str | None:
    """The names a credit line gives ("本报记者 张三 李四" -> "张三、李四"), or
    None when the line is not a credit."""
    line = text.strip().lstrip(MARKS).strip()
    if not line or re.search("[。！？；]", line) or len(re.sub(r"\s+", "", line)) > 30:
        return None
    has_role = bool(CREDIT_ROLE.search(line))
    tokens = [t for t in re.split(r"[\s、，,]+", CREDIT_ROLE.sub(" ", line)) if t]
    if not tokens or not all(_NAME.fullmatch(t) for t in tokens):
        return None
    if not has_role and len(tokens) > 3:
        return None
    return "、".join(tokens)


def affiliation_from_byline(byline: str) -> str:
    match = _BYLINE.search(byline)
    return match.group(2).strip() if match else ""


def assemble_body(blocks: list[tuple[bool, str]]) -> tuple[str, tuple[Section, ...]]:
    """Body text and sections from (is_heading, text) blocks in reading order."""
    parts: list[str] = []
    sections: list[Section] = []
    pos = 0
    for is_heading, text in blocks:
        text = text.strip()
        if not text:
            continue
        if is_heading:
            sections.append(Section(text, pos))
        parts.append(text)
        pos += len(text) + len(PARAGRAPH_BREAK)
    return PARAGRAPH_BREAK.join(parts), tuple(sections)


# ------------------------------------------------------------ layout reading


def layout_blocks(lines: list[Line]) -> list[tuple[bool, str]]:
    """Paragraphs and headings, as (is_heading, text), of one article's lines."""
    if not lines:
        return []
    full = statistics.median(line_width(ln.text) for ln in lines)
    # Pages that put a blank line after every printed line carry no
    # information in blank lines; elsewhere a blank line is a paragraph hint.
    gaps = [ln.blank_before for ln in lines[1:]]
    blanks_mean_breaks = bool(gaps) and sum(gaps) < 0.8 * len(gaps)

    def start_like(i: int) -> bool:
        # A paragraph's indented first line: shorter than a full line, but not by much.
        w = line_width(lines[i].text) if i < len(lines) else 0.0
        return full - _INDENT - 2 * _SLACK <= w <= full - _SLACK

    def heading_at(i: int) -> int:
        """How many lines (0, 1 or 2) starting at `i` form a section heading."""
        def bare(j: int) -> bool:
            t = lines[j].text if j < len(lines) else ""
            return bool(t) and not _ANY_END_PUNCT.search(t) and not re.search("[。！？]", t)

        if not bare(i) or i + 1 >= len(lines):
            return 0
        if (bare(i + 1) and line_width(lines[i + 1].text) <= full / 2 and start_like(i + 2)
                and len(lines[i].text) + len(lines[i + 1].text) <= 30):
            return 2
        return 1 if start_like(i + 1) and len(lines[i].text) <= 24 else 0

    blocks: list[tuple[bool, str]] = []
    current: list[str] = []
    para_start = True  # is lines[i] the first line of a paragraph?
    i = 0
    while i < len(lines):
        if para_start and not current:
            n = heading_at(i)
            if n:
                blocks.append((True, join_lines([ln.text for ln in lines[i : i + n]])))
                i += n
                continue
        current.append(lines[i].text)
        para_start = _paragraph_ends(lines, i, full, para_start, blanks_mean_breaks)
        if para_start:
            blocks.append((False, join_lines(current)))
            current = []
        i += 1
    if current:
        blocks.append((False, join_lines(current)))
    return blocks


def _paragraph_ends(lines: list[Line], i: int, full: float, first: bool,
                    blanks_mean_breaks: bool) -> bool:
    """Does the paragraph end after lines[i]? (`first`: lines[i] is its first line)"""
    if i + 1 >= len(lines):
        return True
    text, nxt = lines[i].text, lines[i + 1]
    if not ends_sentence(text):
        return False  # a paragraph never ends mid-sentence
    if (blanks_mean_breaks and nxt.blank_before) or _LIST_ITEM.match(nxt.text):
        return True
    # Justification makes full lines vary by about a character, so a short
    # last line or an indented next line alone is only trusted when clear;
    # otherwise both together must add up to more than that noise.
    short = full - (_INDENT if first else 0.0) - line_width(text)
    indent = full - line_width(nxt.text)
    return short >= 1.75 or indent >= _SLACK or short + indent >= 2.25
