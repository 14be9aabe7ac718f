"""PDFs (`X.pdf`): newspaper pages as the articles on them, found from the
text's positions and type sizes (pdf_page.py); any other PDF — a printed web
article, a report, a book chapter — as one article (pdf_document.py). Pages
without a text layer (scans) are read by OCR (ocr.py), as are page images.

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
from .pdf_document import document_article
from .pdf_text import PageText, PdfReadError, read_pdf
from .registry import Loader

_COLUMN = 0.55  # body lines narrower than this share of the text's width: set in columns


def read_pages(path: Path) -> list[PageText]:
    try:
        if path.suffix.lower() == ".pdf":
            return read_pdf(path)
        from .ocr import read_image

        pages = read_image(path)
        if not any(p.lines for p in pages):
            raise PdfReadError("no text found in the image (OCR read nothing)")
        return pages
    except PdfReadError as exc:
        raise CorpusError([f"{path}: {exc}"]) from exc


def read_layouts(path: Path) -> list[PageLayout]:
    return [analyse(page) for page in read_pages(path)]


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


def is_newspaper(pages: list[PageText], layouts: list[PageLayout]) -> bool:
    """Several articles on a page, or headlined articles set in columns."""
    if any(len(layout.articles) >= 2 for layout in layouts):
        return True
    if not any(layout.articles for layout in layouts):
        return False
    widths, spans = [], []
    for p in pages:
        if p.lines:
            spans.append(max(ln.x1 for ln in p.lines) - min(ln.x0 for ln in p.lines))
            widths += [ln.x1 - ln.x0 for ln in p.lines if ln.chars >= 8]
    if not widths or not spans:
        return False
    return sorted(widths)[len(widths) // 2] < _COLUMN * max(spans)


def load(path: Path, default_id: str) -> list[Article]:
    return articles_from(path, read_pages(path), default_id)


def articles_from(path: Path, pages: list[PageText], default_id: str) -> list[Article]:
    """The articles of a PDF (or page image) whose pages were read already."""
    layouts = [analyse(page) for page in pages]
    manifest_path = manifest_path_for(path)
    if manifest_path.exists():
        try:
            return list(repair_page(page_lines(layouts), read_manifest(manifest_path)).articles)
        except PageError as exc:
            raise CorpusError([f"{path}: {manifest_path.name}: {exc}"]) from exc
    if not is_newspaper(pages, layouts):
        first = next((layout for layout in layouts if layout.date or layout.meta.source),
                     layouts[0])
        try:
            return [document_article(path, pages, default_id, _metadata(path),
                                     first.date, first.meta.source)]
        except ValueError as exc:
            raise CorpusError([f"{path}: {exc}"]) from exc
    return [_article(art, f"{default_id}#{n}", layout)
            for n, (art, layout) in enumerate(((a, layout) for layout in layouts
                                               for a in layout.articles), start=1)]


def _article(found: FoundArticle, article_id: str, layout: PageLayout) -> Article:
    body, sections = assemble_body(list(found.blocks))
    ocr = tuple(s for (heading, _), s in zip(found.blocks, found.scores, strict=True)
                if not heading) if layout.ocr else ()
    return Article(id=article_id, title=found.title, body=body, author=found.author,
                   affiliation=affiliation_from_byline(found.note), date=layout.date,
                   source=layout.meta.source, deck=found.deck,
                   byline=found.note or found.credit, sections=sections, ocr=ocr)


def _metadata(path: Path) -> dict[str, str]:
    """The PDF's own title and author (Info dictionary), where it has them."""
    if path.suffix.lower() != ".pdf":
        return {}
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
        try:
            info = pdf.get_metadata_dict(skip_empty=True)
        finally:
            pdf.close()
    except (pdfium.PdfiumError, OSError):
        return {}
    return {"title": info.get("Title", ""), "author": info.get("Author", "")}


LOADER = Loader("pdf-page", (".pdf",), load,
                describe="PDFs: newspaper pages as their articles, other documents as one "
                         "article; scans read by OCR; optional X.page.yaml override")
def _page_image(path: Path) -> bool:
    from .ocr import looks_like_a_page

    return looks_like_a_page(path)


IMAGE_LOADER = Loader("page-image", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), load,
                      claims=_page_image,
                      describe="scanned pages as images (mostly paper and print, not photos), "
                               "read by OCR like a scanned PDF")
