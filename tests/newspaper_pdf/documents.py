"""PDFs that are not newspaper pages (issue 25): a web article printed from a
browser (block paragraphs, the site's running head and the URL and page
count at the foot of every page) and a report (centred title, numbered
headings, paragraphs indented by two ideographic spaces, a folio on every
page). Paragraphs run on across page breaks. Each is one article."""

from __future__ import annotations

import random
from pathlib import Path

from rag.types import Article

from .content import name

A4 = (595.0, 842.0)


def document_pdf(maker, path: Path, kind: str, seed: int):
    """Render a `kind` ("web" or "report") document; returns a GeneratedPage."""
    from reportlab.pdfgen import canvas

    from rag.ingest.layout import assemble_body

    from . import GeneratedPage
    from .layout import Setter, Style

    rng = random.Random(seed)
    story = maker.pool.story(rng, paragraphs=rng.randint(14, 24), deck=False, quote=False,
                             sections=True)
    title = story.title.replace(" ", "，")
    author = name(rng)
    web = kind == "web"
    body, lead = (10.5, 1.7) if web else (11.0, 1.8)
    setter = Setter(Style(width=A4[0], height=A4[1], body=body), maker.fonts)
    margin, width = 56.0, A4[0] - 112.0
    text_font = "sans" if web else "serif"
    items: list[tuple[str, str, float, float, float]] = []  # text, role, size, x, space above
    for line in setter.lines(title, "sans-bold", 18.0, width):
        dx = 0.0 if web else (width - setter.width(line, "sans-bold", 18.0)) / 2
        items.append((line, "sans-bold", 18.0, dx, 4.0))
    if web:
        items.append((f"文／{author}", "sans", body, 0.0, body))
    for is_heading, text in story.blocks:
        if is_heading:
            items.append((text, "sans-bold", 13.0, 0.0, body * 0.6))
            continue
        lines = setter.lines(("" if web else "\u3000\u3000") + text, text_font, body, width)
        for k, line in enumerate(lines):
            items.append((line, text_font, body, 0.0, body * 0.8 if web and k == 0 else 0.0))
    site = f"{title} - 知乎" if web else "课题组研究报告"
    pages = _paginate(items, body * lead, A4[1] - 2 * margin - 30)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("" if web else title)  # a printed web page's metadata names no title
    c.setAuthor("" if web else author)
    aside: list[str] = []
    for n, page in enumerate(pages, start=1):
        c.setFont(maker.fonts["sans"], 8)
        if web or n > 1:
            c.drawString(margin, A4[1] - 30, site)
            aside.append(site)
        foot = (f"https://zhuanlan.zhihu.com/p/{seed}", f"{n}/{len(pages)}") if web \
            else ("", f"- {n} -")
        c.drawString(margin, 26, foot[0])
        c.drawRightString(A4[0] - margin if web else A4[0] / 2 + 10, 26, foot[1])
        aside += [x for x in foot if x]
        y = margin + 20
        for text, role, size, dx, above in page:
            y += above
            c.setFont(maker.fonts[role], size)
            c.drawString(margin + dx, A4[1] - y - size * 0.88, text)
            y += max(size * 1.3, body * lead) if size > body else body * lead
        c.showPage()
    c.save()
    text, sections = assemble_body(list(story.blocks))
    article = Article(id=Path(path).stem, title=title, body=text, author=author,
                      sections=sections)
    return GeneratedPage(Path(path), (article,), (story,), tuple(aside))


def _paginate(items, pitch: float, room: float):
    pages, page, used = [], [], 0.0
    for item in items:
        need = item[4] + max(item[2] * 1.3, pitch)
        if page and used + need > room:
            pages.append(page)
            page, used = [], 0.0
            item = (*item[:4], 0.0)  # no space above a page's first line
        page.append(item)
        used += need
    return pages + [page] if page else pages
