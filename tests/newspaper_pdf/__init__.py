"""Newspaper pages rendered to PDF, with the articles a reader sees on them.

Used by the PDF loader's tests and by benchmarks/pdf_pages.py:

    maker = PageMaker(TextPool.load(cmrc_json), seed_articles)
    page = maker.random_page(folder / "page.pdf", seed=3)   # or maker.seed_page(...)
    page.articles  # the expected Articles, in reading order

Needs reportlab, fontTools and Debian's fonts-noto-cjk (see fonts.py).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from pathlib import Path

from rag.types import Article

from . import fonts
from .content import NEWSPAPERS, Story, TextPool, name, seed_stories
from .layout import ASCENT, Module, Run, Setter, Style
from .shapes import header_source, photo_image, running_head, with_shapes

__all__ = ["GeneratedPage", "PageMaker", "Story", "Style", "TextPool", "fonts"]

_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class GeneratedPage:
    path: Path
    articles: tuple[Article, ...]  # what the page prints, in reading order
    stories: tuple[Story, ...]  # in the same order
    set_aside: tuple[str, ...]  # printed text that belongs to no article body
    truncated: int = 0  # paragraphs left out because a module was full


class PageMaker:
    def __init__(self, pool: TextPool, seed_articles: list[Article] = ()):
        self.pool = pool
        self.seed_articles = list(seed_articles)
        extra = "".join(a.title + a.body + a.deck + a.byline + a.author for a in seed_articles)
        self.fonts = fonts.register(pool.chars() + extra + "G")

    # ---------------------------------------------------------------- pages

    def seed_page(self, path: Path) -> GeneratedPage:
        """The seed page's four articles, two rows of two, all printed whole."""
        style = Style(width=1100, height=1700, grid=7, body=8.5, leading=1.5, headline=2.8,
                      header=self._header(dt.date(2025, 6, 30), "工人日报", 7, "理论"),
                      footer="责任编辑：王伟　版式设计：李娜")
        stories = seed_stories(self.seed_articles)
        setter = Setter(style, self.fonts)
        layout = [(0, 4), (4, 3), (0, 3), (3, 4)]
        quotes = {1: (2, 0.45), 2: (0, 0.3)}
        for h1 in range(300, int(style.bottom() - style.top()), 10):
            top = [Module(c, n, style.top(), h1) for c, n in layout[:2]]
            rest = style.bottom() - style.top() - h1
            bottom = [Module(c, n, style.top() + h1, rest) for c, n in layout[2:]]
            placed = [self._place(setter, s, m, quotes.get(i), whole=True)
                      for i, (s, m) in enumerate(zip(stories, top + bottom, strict=True))]
            if all(p is not None for p in placed[:2]):
                if not all(p is not None for p in placed[2:]):
                    raise ValueError("the seed articles do not fit on the page")
                return self._render(path, style, stories, top + bottom, placed,
                                    date="2025-06-30", source=header_source(style.header))
        raise ValueError("the seed articles do not fit on the page")

    def random_page(self, path: Path, seed: int, shapes: bool = False,
                    size: tuple[float, float] | None = None) -> GeneratedPage:
        """A page of 2–5 stories in 2–4 columns each, its style drawn from `seed`.
        `shapes` adds, drawn from a second stream (so that the plain page of a
        seed stays as it was): one-column modules, a running head in another
        date form and often without a rule, indents set as ideographic spaces,
        photos with captions and jump lines. `size` (points) shrinks the sheet."""
        rng = random.Random(seed)
        extra = random.Random(seed * 7919 + 1) if shapes else None
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
        style = Style(grid=rng.choice((4, 5, 6)), body=rng.choice((8.5, 9.0, 9.5, 10.0)),
                      leading=rng.choice((1.45, 1.55, 1.65)), headline=rng.uniform(2.3, 3.2),
                      centred=rng.random() < 0.5)
        if size:  # a smaller sheet (a quick OCR test)
            style = replace(style, width=size[0], height=size[1])
        header = rng.random() < 0.7
        if header:
            style = replace(style, header=self._header(day, rng.choice(NEWSPAPERS),
                                                        rng.randint(2, 16), "要闻"))
        if rng.random() < 0.5:
            style = replace(style, footer=f"责任编辑：{name(rng)}")
        if extra:
            header = header or extra.random() < 0.7
            style = replace(style, header=running_head(extra, day) if header else "",
                            header_rule=extra.random() < 0.4,
                            indent_spaces=extra.random() < 0.5)
        modules = _split(rng, style, rng.randint(2, 5), min_cols=1 if extra else 2)
        setter = Setter(style, self.fonts)
        stories, placed = [], []
        for m in modules:
            capacity = m.cols * (m.h / style.pitch) * (style.colw / style.body)
            story = self.pool.story(rng, paragraphs=max(2, int(capacity / 110)),
                                    deck=rng.random() < 0.5, quote=rng.random() < 0.45,
                                    sections=rng.random() < 0.4)
            story = replace(story, extra={**story.extra, "cols": m.cols})
            if extra:
                story = with_shapes(extra, story, self.pool)
                # a narrow module's headline is short, never shrunk to body size
                fit = max(4, int((m.cols * (style.colw + style.gutter) - style.gutter)
                                 / (style.body * 1.9)))
                words = story.title.split(" ")[:1] if m.cols == 1 else story.title.split(" ")
                story = replace(story, title=" ".join(w[:fit] for w in words))
            quote = (rng.randrange(m.cols), rng.uniform(0.15, 0.6)) if story.quote else None
            stories.append(story)
            placed.append(self._place(setter, story, m, quote, whole=False))
        return self._render(path, style, stories, modules, placed,
                            date=day.isoformat() if header else "",
                            source=header_source(style.header))

    # ------------------------------------------------------------- helpers

    @staticmethod
    def _header(day: dt.date, paper: str, page: int, section: str) -> str:
        return (f"{paper}|{day.year}年{day.month}月{day.day}日 星期{_WEEKDAYS[day.weekday()]}"
                f"|第{page}版 · {section}")

    def _place(self, setter: Setter, story: Story, m: Module, quote, whole: bool):
        """(runs, shapes, printed blocks, set-aside texts) or None if it cannot fit."""
        s = setter.s
        runs, body_top = setter.head(story, m)
        aside = [r.text for r in runs if story.label and r.text == story.label]
        shapes, quote_at = [], None
        if story.quote and quote:
            col, frac = quote
            lines, qh = setter.quote(story, s.colw)
            room = m.y + m.h - s.pitch - body_top - qh
            if room < 2 * s.pitch:
                return None
            qy = body_top + s.pitch * round(frac * room / s.pitch)
            quote_at = (col, qy, qh)
            qx = setter.module_box(m)[0] + col * (s.colw + s.gutter)
            shapes.append(("box" if story.quote_box else "rules", qx, qy, s.colw, qh))
            y = qy + s.body * 0.8
            for text, role, size in lines:
                runs.append(Run(qx + s.body * 0.8, y, text, setter.f[role], size, 0.0,
                                s.colw - s.body * 1.6))
                y += size * 1.45
            aside += [story.quote_label, story.quote] if story.quote_label else [story.quote]
        blocks = list(story.blocks)
        while blocks:
            while blocks and blocks[-1][0]:
                blocks.pop()  # a heading never ends an article
            body = setter.body(story, m, body_top, blocks, quote_at) if blocks else None
            if body is not None:
                shown = [story.extra[k] for k in ("photo", "jump") if story.extra.get(k)]
                return runs + body, shapes + setter.shapes, blocks, aside + shown
            if whole:
                return None
            blocks.pop()
        return None

    def _render(self, path: Path, style: Style, stories, modules, placed, date: str,
                source: str | None = None) -> GeneratedPage:
        from reportlab.pdfgen import canvas

        if any(p is None for p in placed):
            raise ValueError("a module is too small for any of its story")
        c = canvas.Canvas(str(path), pagesize=(style.width, style.height))
        c.setLineWidth(0.6)
        aside: list[str] = []
        H = style.height
        if style.header:
            parts = style.header.split("|")
            sizes = (16.0, 10.0, 10.0)
            width = style.width - 2 * style.margin
            for i, (text, size) in enumerate(zip(parts, sizes, strict=True)):
                tw = Setter(style, self.fonts).width(text, "sans-bold", size)
                x = style.margin + (0, (width - tw) / 2, width - tw)[i]
                _draw(c, H, Run(x, style.margin, text, self.fonts["sans-bold"], size))
            if style.header_rule:
                c.line(style.margin, H - style.margin - 28, style.width - style.margin,
                       H - style.margin - 28)
            aside += parts
        if style.footer:
            y = style.height - style.margin - 10
            c.line(style.margin, H - y + 6, style.width - style.margin, H - y + 6)
            _draw(c, H, Run(style.margin, y, style.footer, self.fonts["sans"], 8.0))
            aside.append(style.footer)
        for runs, shapes, _, _ in placed:
            for run in runs:
                _draw(c, H, run)
            for kind, x, y, w, h in shapes:
                if kind == "photo":
                    c.drawImage(photo_image(int(w), int(h), hash((x, y)) % 1000), x, H - y - h,
                                w, h)
                elif kind == "box":
                    c.rect(x, H - y - h, w, h)
                else:
                    c.line(x, H - y, x + w, H - y)
                    c.line(x, H - y - h, x + w, H - y - h)
        c.showPage()
        c.save()
        order = sorted(range(len(modules)), key=lambda i: (modules[i].y, modules[i].col))
        articles, kept = [], []
        stem = Path(path).stem
        truncated = 0
        for n, i in enumerate(order, start=1):
            blocks = placed[i][2]
            truncated += len(stories[i].blocks) - len(blocks)
            art = stories[i].expected(blocks, date, f"{stem}#{n}")
            articles.append(art if source is None else replace(art, source=source))
            kept.append(stories[i])
            aside += placed[i][3]
        return GeneratedPage(Path(path), tuple(articles), tuple(kept), tuple(aside), truncated)


def _draw(c, page_height: float, run: Run) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = c.beginText()
    text.setTextOrigin(run.x, page_height - run.top - ASCENT * run.size)
    text.setFont(run.font, run.size)
    # Tc persists in the graphics state: set it for every run. A line wider
    # than its measure (hanging punctuation) is squeezed to it.
    natural = stringWidth(run.text, run.font, run.size)
    width = run.width or (run.measure if natural > run.measure > 0 else 0.0)
    if width and natural < 0.8 * width:
        width = 0.0  # a loose line (a long word went to the next) is left ragged
    text.setCharSpace((width - natural) / (len(run.text) - 1) if width and len(run.text) > 1
                      else 0.0)
    text.textOut(run.text)
    c.drawText(text)


def _split(rng: random.Random, style: Style, n: int, min_cols: int = 2) -> list[Module]:
    """Cut the page into `n` modules of at least `min_cols` columns, along
    column edges and at heights on a 60-point grid."""
    min_h = 300.0
    top, bottom = style.top(), style.bottom()
    modules = [Module(0, style.grid, top, bottom - top)]
    while len(modules) < n:
        can = [m for m in modules if m.cols >= 2 * min_cols or m.h >= 2 * min_h + 60]
        if not can:
            break
        m = max(can, key=lambda m: m.cols * m.h)
        modules.remove(m)
        if m.cols >= 2 * min_cols and (m.h < 2 * min_h + 60 or rng.random() < 0.5):
            k = rng.randint(min_cols, m.cols - min_cols)
            modules += [Module(m.col, k, m.y, m.h), Module(m.col + k, m.cols - k, m.y, m.h)]
        else:
            cut = 60 * rng.randint(int(min_h // 60) + 1, int((m.h - min_h) // 60))
            modules += [Module(m.col, m.cols, m.y, cut), Module(m.col, m.cols, m.y + cut,
                                                               m.h - cut)]
    return modules
