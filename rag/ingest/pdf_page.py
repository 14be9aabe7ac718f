"""A newspaper page as blocks of text with what is known about each: the
body type (the commonest size and font), the page furniture above and below
long rules (masthead, date, editor's line), what is boxed or set between
rules (pull quotes, labels), which blocks are set in headline type."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .furniture import JUMP, page_meta, running_lines
from .layout import MARKS
from .pdf_text import Block, PageText, Rect, blocks_of

HEADLINE = 1.5  # a headline is at least this many times the body size
SENTENCE_PUNCT = re.compile(r"[。！？；]")
_ANY_PUNCT = re.compile(r"[，。！？；：、,.!?;:]")


@dataclass(frozen=True)
class Aside:
    """Page text that is no article's body: a pull quote, a label, the page header…"""

    kind: str
    text: str
    lines: tuple[str, ...]


# ------------------------------------------------------------- text shapes


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def label_like(text: str) -> bool:
    """A column label: a few characters, no punctuation (●观 点, G 热点思考)."""
    core = compact(text).lstrip(MARKS)
    return 0 < len(core) <= 8 and not _ANY_PUNCT.search(text)


# ------------------------------------------------------------------ the page


class PageModel:
    """One page's blocks and what is known about each."""

    def __init__(self, page: PageText):
        self.page = page
        weights = Counter()
        for ln in page.lines:
            weights[(round(ln.size * 4) / 4, ln.font)] += ln.chars
        (self.body_size, self.body_font), _ = weights.most_common(1)[0]
        top, bottom = self._furniture_edges()
        kept, furniture = [], []
        for ln in page.lines:
            (kept if ln.top >= top and ln.bottom <= bottom else furniture).append(ln)
        running = set(running_lines(page, kept, self.body_size, self.body_font))
        furniture += [ln for ln in kept if ln in running]
        jumps = [ln for ln in kept if ln not in running and JUMP.match(ln.text.strip())]
        lines = [ln for ln in kept if ln not in running and ln not in jumps]
        self.furniture = [Aside("page_furniture", ln.text, (ln.text,)) for ln in furniture]
        self.furniture += [Aside("jump_line", ln.text, (ln.text,)) for ln in jumps]
        head = [ln for ln in furniture if ln.bottom <= page.height / 2]  # not the editors' line
        self.meta = page_meta([ln.text for ln in sorted(head, key=lambda ln: (ln.top, ln.x0))])
        self.date = self.meta.date
        self.blocks = blocks_of(lines)
        self.headline = {b for b in self.blocks if self._headline_candidate(b)}
        boxes = [r for r in list(page.boxes) + self._ruled_regions(lines)
                 if not any(inside(b.rect, r) for b in self.headline)]  # not article frames
        self.box_of = {}
        for b in self.blocks:
            for r in boxes:
                if inside(b.rect, r):
                    self.box_of[b] = r
        self.headline -= set(self.box_of)

    def is_body(self, b: Block) -> bool:
        return self._body_line(b.lines[0])

    def _headline_candidate(self, b: Block) -> bool:
        text = b.text.strip()
        return (b.size >= HEADLINE * self.body_size and len(compact(text)) >= 2
                and not text.endswith("。") and not (text[0] in MARKS and label_like(text)))

    def _furniture_edges(self) -> tuple[float, float]:
        """Text above a long rule at the page top (masthead, date, page number)
        or below one at its bottom (editor's line) belongs to no article."""
        p = self.page
        long_rules = [r for r in p.rules if r.width >= 0.6 * p.width]
        top = max((r.bottom for r in long_rules if r.bottom <= 0.15 * p.height), default=0.0)
        bottom = min((r.top for r in long_rules if r.top >= 0.85 * p.height), default=p.height)
        return top, bottom

    def _ruled_regions(self, lines) -> list[Rect]:
        """Text set between two rules of the same width with no body text
        between them (a pull quote's usual dress) is boxed in all but name."""
        rules = sorted(self.page.rules, key=lambda r: r.top)
        regions = []
        for i, upper in enumerate(rules):
            for lower in rules[i + 1:]:
                if lower.top - upper.bottom > 20 * self.body_size:
                    break
                if abs(lower.x0 - upper.x0) > 2 or abs(lower.x1 - upper.x1) > 2:
                    continue
                region = Rect(upper.x0, upper.top, upper.x1, lower.bottom)
                held = [ln for ln in lines if inside(Rect(ln.x0, ln.top, ln.x1, ln.bottom),
                                                      region)]
                # OCR sees no typeface: a few lines fenced by two rules are
                # fenced off even in the body's size
                if held and (not any(self._body_line(ln) for ln in held)
                             or (self.page.ocr and len(held) <= 8)):
                    regions.append(region)
                break
        return regions

    def _body_line(self, ln) -> bool:
        return abs(ln.size - self.body_size) <= 0.06 * self.body_size and ln.font == self.body_font


def inside(inner: Rect, outer: Rect, tol: float = 2.0) -> bool:
    return (inner.x0 >= outer.x0 - tol and inner.x1 <= outer.x1 + tol
            and inner.top >= outer.top - tol and inner.bottom <= outer.bottom + tol)


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def gap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, -overlap(a0, a1, b0, b1))
