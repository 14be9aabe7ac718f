"""Newspaper pages as PDF (`X.pdf`): the articles on each page, found
automatically from the text layer's positions and type sizes (pdf_page.py).

When the automatic split gets a page wrong, a page manifest `X.page.yaml`
beside the PDF overrides it: it is the same manifest as for extracted page
text (`newspaper.py`), its anchors quoting the lines that
`python -m rag.ingest.pdf_cli X.pdf --lines` prints. Articles found
automatically are numbered in reading order: `<file id>#1`, `#2`…
"""

from __future__ import annotations

from pathlib import Path

from ..types import Article
from .common import CorpusError
from .layout import affiliation_from_byline, assemble_body
from .newspaper import PageError, manifest_path_for, read_manifest, repair_page
from .pdf_articles import FoundArticle, PageLayout, analyse
from .pdf_text import PdfReadError, read_pdf
from .registry import Loader


def read_layouts(path: Path) -> list[PageLayout]:
    try:
        return [analyse(page) for page in read_pdf(path)]
    except PdfReadError as exc:
        raise CorpusError([f"{path}: {exc}"]) from exc


def page_lines(layouts: list[PageLayout]) -> str:
    """The PDF's text as lines, article by article in reading order, a blank
    line before each block and paragraph: what a page manifest anchors on."""
    out: list[str] = []
    for layout in layouts:
        for art in layout.articles:
            for text, starts in art.lines:
                out += ["", text] if starts else [text]
            for aside in art.asides:
                out += ["", *aside.lines]
        for aside in layout.asides:
            out += ["", *aside.lines]
    return "\n".join(out).strip("\n") + "\n"


def load(path: Path, default_id: str) -> list[Article]:
    layouts = read_layouts(path)
    manifest_path = manifest_path_for(path)
    if manifest_path.exists():
        try:
            return list(repair_page(page_lines(layouts), read_manifest(manifest_path)).articles)
        except PageError as exc:
            raise CorpusError([f"{path}: {manifest_path.name}: {exc}"]) from exc
    found = [art for layout in layouts for art in layout.articles]
    if not found:
        raise CorpusError([f"{path}: no article found: the PDF has text but no headline "
                           f"(write a page manifest {manifest_path.name} to say what is what)"])
    dates = [layout.date for layout in layouts for _ in layout.articles]
    return [_article(art, f"{default_id}#{n}", date)
            for n, (art, date) in enumerate(zip(found, dates, strict=True), start=1)]


def _article(found: FoundArticle, article_id: str, date: str) -> Article:
    body, sections = assemble_body(list(found.blocks))
    return Article(id=article_id, title=found.title, body=body, author=found.author,
                   affiliation=affiliation_from_byline(found.note), date=date,
                   deck=found.deck, byline=found.note or found.credit, sections=sections)


LOADER = Loader("pdf-page", (".pdf",), load,
                describe="newspaper pages as PDF (text layer), optional X.page.yaml override")
