"""Rebuilding articles from a newspaper page as extracted from PDF.

The extracted text has lost the layout: lines are cut at the column edge,
headings are split, pull quotes and labels sit between articles. What the
layout left behind is line *width*: a paragraph's first line is indented two
characters and its last line is usually short. The rules below read those
widths; a small per-page manifest (YAML next to the raw file) says what cannot
be inferred: which lines are which article, titles, authors, pull quotes.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .types import PARAGRAPH_BREAK, Article, Section

# A paragraph can only end at 。！？ (or …), possibly followed by closing marks.
_SENTENCE_END = re.compile(r"(?:[。！？!?]|…+)[”’」』）)》]*$")
_ANY_END_PUNCT = re.compile(r"[，、；：。！？!?,;:…”’」』）)》]$")
_BYLINE = re.compile(r"\s*(（作者(?:单位：|为)([^（）]+)）)$")
# 一是…／二是… enumerate paragraphs when they open a line after a full stop.
_LIST_ITEM = re.compile(r"[一二三四五六七八九十]+是")
_ASCII_WORD_EDGE = re.compile(r"[A-Za-z0-9]")
_NARROW_PUNCT = set("，、。；：？！“”‘’《》（）【】「」『』·—…")
_INDENT = 2.0  # characters a paragraph's first line is indented by
_SLACK = 1.25  # justification noise: full lines vary by about one character

MANIFEST_SUFFIX = ".page.yaml"


class PageError(ValueError):
    """The page manifest does not fit the raw page."""


@dataclass(frozen=True)
class SetAside:
    """Page text that belongs to no article body (pull quote, column label…)."""

    kind: str
    text: str
    line: int


@dataclass(frozen=True)
class Page:
    articles: tuple[Article, ...]
    set_aside: tuple[SetAside, ...] = ()


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


# ------------------------------------------------------------------ manifest


class _Lines:
    """The raw page's non-blank lines, with anchor lookup and claim tracking."""

    def __init__(self, raw_text: str):
        self.lines: list[Line] = []
        blank = False
        for number, text in enumerate(raw_text.splitlines(), start=1):
            if text.strip():
                self.lines.append(Line(number, text.strip(), blank))
                blank = False
            else:
                blank = True
        self.owner: dict[int, str] = {}  # index into self.lines -> who claimed it

    def find(self, anchor: str, what: str) -> int:
        anchor = str(anchor).strip()
        hits = [i for i, ln in enumerate(self.lines) if ln.text.startswith(anchor)]
        if not hits:
            raise PageError(f"{what}: no line starts with {anchor!r}")
        if len(hits) > 1:
            numbers = ", ".join(str(self.lines[i].number) for i in hits)
            raise PageError(f"{what}: {anchor!r} starts lines {numbers}; quote more of it")
        return hits[0]

    def find_text(self, text: str, what: str) -> tuple[int, int]:
        """Consecutive lines whose joined text is exactly `text`."""
        target = re.sub(r"\s+", "", str(text))
        found = []
        for i in range(len(self.lines)):
            joined = ""
            for j in range(i, len(self.lines)):
                joined += re.sub(r"\s+", "", self.lines[j].text)
                if not target.startswith(joined):
                    break
                if joined == target:
                    found.append((i, j + 1))
                    break
        if len(found) != 1:
            problem = "is not on the page" if not found else "appears more than once"
            raise PageError(f"{what}: {str(text)!r} {problem} as whole lines "
                            "(mark manifest-supplied text with `supplied`)")
        return found[0]

    def claim(self, lo: int, hi: int, who: str, around_set_aside: bool = False) -> list[Line]:
        """Lines lo..hi-1 for `who`. A body may run around a pull quote printed
        inside it (`around_set_aside`); any other overlap is a manifest error."""
        if hi <= lo:
            raise PageError(f"{who}: ends before it starts (line {self.lines[lo].number})")
        taken = []
        for i in range(lo, hi):
            owner = self.owner.get(i)
            if owner and around_set_aside and owner.startswith("set_aside"):
                continue
            if owner:
                raise PageError(f"{who} overlaps {owner} at line {self.lines[i].number}")
            self.owner[i] = who
            taken.append(self.lines[i])
        return taken

    def unclaimed(self) -> list[Line]:
        return [ln for i, ln in enumerate(self.lines) if i not in self.owner]


def _block(lines: _Lines, spec, who: str, around_set_aside: bool = False) -> list[Line]:
    if not isinstance(spec, dict) or "starts" not in spec:
        raise PageError(f"{who}: expected a mapping with `starts` (and optional `ends`)")
    lo = lines.find(spec["starts"], f"{who} starts")
    hi = lines.find(spec["ends"], f"{who} ends") + 1 if spec.get("ends") else lo + 1
    return lines.claim(lo, hi, who, around_set_aside)


def _article(lines: _Lines, spec: dict, page: dict) -> Article:
    art_id = str(spec.get("id") or "").strip()
    if not art_id:
        raise PageError("every article needs an `id`")
    supplied = set(spec.get("supplied") or ())
    meta: dict[str, str] = {}
    for field in ("title", "deck", "author", "byline"):
        value = spec.get(field)
        if value is None:
            continue
        if field in supplied:
            meta[field] = str(value).strip()
        else:
            lo, hi = lines.find_text(value, f"article {art_id} {field}")
            meta[field] = join_lines([ln.text for ln in lines.claim(lo, hi, f"{art_id} {field}")])
    if not meta.get("title"):
        raise PageError(f"article {art_id}: `title` is required")
    body_lines = _block(lines, spec.get("body"), f"article {art_id} body", True)
    if "byline" not in meta:
        body_lines, meta["byline"] = _strip_byline(body_lines)
    body, sections = assemble_body(layout_blocks(body_lines))
    return Article(
        id=art_id,
        title=meta["title"],
        body=body,
        author=meta.get("author", ""),
        affiliation=str(spec.get("affiliation") or affiliation_from_byline(meta.get("byline", ""))),
        date=as_text(spec.get("date", page.get("date"))),
        source=as_text(spec.get("source", page.get("source"))),
        url=as_text(spec.get("url", page.get("url"))),
        deck=meta.get("deck", ""),
        byline=meta.get("byline", ""),
        sections=sections,
    )


def _strip_byline(body_lines: list[Line]) -> tuple[list[Line], str]:
    """Cut the byline note （作者…） off the last body lines: it may span two
    lines or share the last line with the closing sentence."""
    for k in range(1, min(3, len(body_lines)) + 1):
        # The smallest k whose lines hold the whole note; what precedes the
        # note is then part of line -k only.
        head, note = split_byline(join_lines([ln.text for ln in body_lines[-k:]]))
        if note:
            kept = body_lines[:-k]
            if head:
                kept.append(Line(body_lines[-k].number, head, body_lines[-k].blank_before))
            return kept, note
    return body_lines, ""


def as_text(value) -> str:
    """A metadata value as text; YAML reads 2025-06-30 as a date."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value).strip()


def repair_page(raw_text: str, manifest: dict) -> Page:
    """Articles and set-aside text of one page, as the manifest lays it out.

    Every non-blank line must be claimed by exactly one article field or
    set-aside block, so nothing on the page is silently lost."""
    if not isinstance(manifest, dict) or not manifest.get("articles"):
        raise PageError("the manifest needs an `articles` list")
    lines = _Lines(raw_text)
    set_aside = []
    for n, spec in enumerate(manifest.get("set_aside") or (), start=1):
        kind = str(spec.get("kind", "")).strip() if isinstance(spec, dict) else ""
        if not kind:
            raise PageError(f"set_aside entry {n} needs a `kind`")
        block = _block(lines, spec, f"set_aside {n} ({kind})")
        set_aside.append(SetAside(kind, join_lines([ln.text for ln in block]), block[0].number))
    articles = []
    for spec in manifest["articles"]:
        if not isinstance(spec, dict):
            raise PageError(f"article entries must be mappings, got {spec!r}")
        articles.append(_article(lines, spec, manifest))
    left = lines.unclaimed()
    if left:
        shown = "; ".join(f"{ln.number}: {ln.text[:20]}" for ln in left[:5])
        raise PageError(f"{len(left)} page line(s) belong to nothing in the manifest: {shown}")
    return Page(tuple(articles), tuple(sorted(set_aside, key=lambda s: s.line)))


def manifest_path_for(raw_path: str | Path) -> Path:
    raw_path = Path(raw_path)
    return raw_path.with_name(raw_path.stem + MANIFEST_SUFFIX)


def load_page(raw_path: str | Path, manifest_path: str | Path | None = None) -> Page:
    """Read a raw page and its manifest (default: `<stem>.page.yaml` beside it)."""
    manifest_path = Path(manifest_path or manifest_path_for(raw_path))
    try:
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PageError(f"cannot read manifest {manifest_path}: {exc}") from exc
    raw_text = Path(raw_path).read_text(encoding="utf-8-sig")
    try:
        return repair_page(raw_text, manifest)
    except PageError as exc:
        raise PageError(f"{manifest_path.name}: {exc}") from exc
