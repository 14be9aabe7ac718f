"""Typesetting stories onto a newspaper page with reportlab.

A page is a grid of columns cut into rectangular modules, one story each:
label, kicker, headline, subtitle and credit across the module's top, the
body justified in the module's columns below (first lines indented two
characters, headings centred in bold), a pull quote boxed or between rules
in one column with the text flowing around it, the closing note after the
last paragraph. A story that does not fit loses its last paragraphs, so the
expected article is always exactly what is printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth

from .content import CLOSERS, Story

ASCENT = 0.88  # Noto CJK: a glyph's top is 0.88 em above its baseline
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.%+/-]*| |.", re.S)


@dataclass(frozen=True)
class Style:
    width: float = 1000.0
    height: float = 1400.0
    margin: float = 40.0
    grid: int = 6
    gutter: float = 12.0
    body: float = 9.0  # body font size
    leading: float = 1.5  # line pitch, in body sizes
    headline: float = 2.8  # largest headline size, in body sizes
    centred: bool = False  # headlines centred over their module, else flush left
    header: str = ""  # newspaper, date and page line at the top ("" for none)
    footer: str = ""  # editor line at the bottom ("" for none)
    header_rule: bool = True  # a rule under the header line
    indent_spaces: bool = False  # first lines indented by two ideographic spaces, not a shift

    @property
    def pitch(self) -> float:
        return self.body * self.leading

    @property
    def colw(self) -> float:
        return (self.width - 2 * self.margin - (self.grid - 1) * self.gutter) / self.grid

    def top(self) -> float:
        return self.margin + (40 if self.header else 0)

    def bottom(self) -> float:
        return self.height - self.margin - (24 if self.footer else 0)


@dataclass(frozen=True)
class Module:
    col: int  # first grid column
    cols: int
    y: float  # top, in points from the page top
    h: float


@dataclass(frozen=True)
class Run:
    """A line of text to draw: `top` is the glyphs' top edge; `width`, when
    set, is the width to justify it to."""

    x: float
    top: float
    text: str
    font: str
    size: float
    width: float = 0.0
    measure: float = 0.0  # the widest it may be


class Setter:
    """Line breaking and placement for one page style and set of fonts."""

    def __init__(self, style: Style, fonts: dict[str, str]):
        self.s = style
        self.f = fonts
        self.shapes: list[tuple] = []  # the photos of the last body() that fitted

    def width(self, text: str, role: str, size: float) -> float:
        return stringWidth(text, self.f[role], size)

    def lines(self, text: str, role: str, size: float, width: float,
              indent: float = 0.0) -> list[str]:
        """Greedy line breaks; Latin words and numbers are never cut and closing
        punctuation hangs rather than starting a line."""
        out, cur, used = [], "", indent
        for tok in _TOKEN.findall(text):
            w = self.width(tok, role, size)
            if tok == " " and not cur:
                continue
            if cur and used + w > width + 0.01 and tok not in CLOSERS:
                out.append(cur.rstrip(" "))
                cur, used = "", 0.0
                if tok == " ":
                    continue
            cur += tok
            used += w
        if cur.strip():
            out.append(cur.rstrip(" "))
        return out

    def module_box(self, m: Module) -> tuple[float, float]:
        x = self.s.margin + m.col * (self.s.colw + self.s.gutter)
        return x, m.cols * self.s.colw + (m.cols - 1) * self.s.gutter

    # ------------------------------------------------------------ the top

    def head(self, story: Story, m: Module) -> tuple[list[Run], float]:
        """Label, kicker, headline, subtitle and credit; returns the runs and
        where the body starts."""
        s, runs = self.s, []
        x, w = self.module_box(m)
        y = m.y

        def block(text: str, role: str, size: float, gap: float, centre: bool,
                  words: bool = False) -> None:
            nonlocal y
            lines = self.lines(text, role, size, w)
            if words:  # a credit breaks between names, never inside one
                lines = []
                for word in text.split(" "):
                    if lines and self.width(f"{lines[-1]} {word}", role, size) <= w:
                        lines[-1] += f" {word}"
                    else:
                        lines.append(word)
            for line in lines:
                lx = x + (w - self.width(line, role, size)) / 2 if centre else x
                runs.append(Run(lx, y, line, self.f[role], size, 0.0, w))
                y += size * 1.3
            y += gap

        if story.label:
            block(story.label, "sans-bold", s.body * 1.3, s.body * 0.6, False)
        deck = s.body * 1.35
        if story.deck and story.deck_above:
            block(story.deck, "sans", deck, s.body * 0.3, s.centred)
        size = s.body * s.headline * (0.8 + 0.2 * m.cols / 4)
        lines = [story.title]
        while self.width(lines[0], "sans-bold", size) > w:
            if len(lines) == 1 and " " in story.title:
                lines = story.title.split(" ")
                lines.sort(key=lambda t: -self.width(t, "sans-bold", size))
                continue
            size *= 0.95
        for line in (story.title.split(" ") if len(lines) > 1 else lines):
            lx = x + (w - self.width(line, "sans-bold", size)) / 2 if s.centred else x
            runs.append(Run(lx, y, line, self.f["sans-bold"], size))
            y += size * 1.25
        y += s.body * 0.4
        if story.deck and not story.deck_above:
            block(story.deck, "sans", deck, s.body * 0.3, s.centred)
        if story.credit:
            block(story.credit, "sans", s.body * 1.05, 0.0, s.centred, words=True)
        return runs, y + s.pitch * 0.8

    # ------------------------------------------------------------ the body

    def quote(self, story: Story, colw: float) -> tuple[list[tuple[str, str, float]], float]:
        """The pull quote's lines (text, role, size) and its height with padding."""
        size = self.s.body * 1.2
        pad = self.s.body * 0.8
        out = []
        if story.quote_label:
            out.append((story.quote_label, "sans-bold", size))
        out += [(ln, "sans", size) for ln in self.lines(story.quote, "sans", size, colw - 2 * pad)]
        return out, 2 * pad + len(out) * size * 1.45

    def body(self, story: Story, m: Module, body_top: float, blocks, quote_at: tuple | None
             ) -> list[Run] | None:
        """Runs for `blocks` (and the note) flowed into the module's columns,
        or None when they do not fit. `quote_at` = (column, top, height)."""
        s = self.s
        x0, _ = self.module_box(m)
        bottom = m.y + m.h - s.pitch  # a blank line before the next module
        col, y = 0, body_top
        runs: list[Run] = []

        def slot(height: float, keep: float = 0.0) -> tuple[float, float] | None:
            nonlocal col, y
            while col < m.cols:
                if quote_at and col == quote_at[0]:
                    q_top, q_bottom = quote_at[1] - s.pitch * 0.5, quote_at[1] + quote_at[2]
                    if y < q_bottom + s.pitch * 0.5 and y + height + keep > q_top:
                        y = max(y, q_bottom + s.pitch * 0.5)
                if y + height + keep <= bottom:
                    pos = (x0 + col * (s.colw + s.gutter), y)
                    y += height
                    return pos
                col, y = col + 1, body_top
            return None

        photo, photos = story.extra.get("photo"), []
        if photo:  # a photo across the first column, its caption under it in small type
            small = s.body * 0.85
            caption = self.lines(photo, "sans", small, s.colw)
            ph = 8 * s.pitch
            pos = slot(ph + len(caption) * small * 1.4 + s.pitch * 0.6)
            if pos is None:
                return None
            photos.append(("photo", pos[0], pos[1], s.colw, ph))
            for k, line in enumerate(caption):
                runs.append(Run(pos[0], pos[1] + ph + 4 + k * small * 1.4, line, self.f["sans"],
                                small))
        paras = [(h, t) for h, t in blocks]
        if story.note and story.note_inline and paras and not paras[-1][0]:
            paras[-1] = (False, f"{paras[-1][1]} {story.note}")
        indent = 2 * s.body
        for is_heading, text in paras:
            if is_heading:
                size = s.body * 1.1
                lines = self.lines(text, "sans-bold", size, s.colw - s.body)
                if y > body_top:
                    y += s.pitch * 0.5
                for i, line in enumerate(lines):
                    keep = (len(lines) - i - 1) * s.pitch + 2 * s.pitch
                    pos = slot(s.pitch, keep)
                    if pos is None:
                        return None
                    lx = pos[0] + (s.colw - self.width(line, "sans-bold", size)) / 2
                    runs.append(Run(lx, pos[1] + (s.pitch - size) / 2, line, self.f["sans-bold"],
                                    size, 0.0, s.colw - s.body))
                y += s.pitch * 0.2
                continue
            lines = self.lines(text, "serif", s.body, s.colw, indent)
            for i, line in enumerate(lines):
                pos = slot(s.pitch)
                if pos is None:
                    return None
                shift = indent if i == 0 else 0.0
                if i == 0 and s.indent_spaces:  # the indent printed as two ideographic spaces
                    line, shift = "\u3000\u3000" + line, 0.0
                last = i == len(lines) - 1
                runs.append(Run(pos[0] + shift, pos[1] + (s.pitch - s.body) / 2, line,
                                self.f["serif"], s.body, 0.0 if last else s.colw - shift,
                                s.colw - shift))
        if story.note and not (story.note_inline and blocks and not blocks[-1][0]):
            for line in self.lines(story.note, "serif", s.body, s.colw):
                pos = slot(s.pitch)
                if pos is None:
                    return None
                lx = pos[0] + max(0.0, s.colw - self.width(line, "serif", s.body))
                runs.append(Run(lx, pos[1] + (s.pitch - s.body) / 2, line, self.f["serif"],
                                s.body, 0.0, s.colw))
        jump = story.extra.get("jump")
        if jump:  # the jump line closes the module, flush right
            pos = slot(s.pitch)
            if pos is None:
                return None
            lx = pos[0] + s.colw - self.width(jump, "serif", s.body)
            runs.append(Run(lx, pos[1] + (s.pitch - s.body) / 2, jump, self.f["serif"], s.body))
        self.shapes = photos
        return runs
