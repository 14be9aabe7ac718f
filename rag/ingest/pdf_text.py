"""Positioned text from PDF pages: lines with their font size, font and box,
grouped into blocks, plus the page's ruled lines and boxes.

PDFium (pypdfium2, BSD/Apache) reads the characters: it is the PDF engine of
Chrome, tolerant of real-world files, and about fifteen times faster than
pdfminer on a dense newspaper page. Coordinates here run from the page's top
left corner down, in points.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_LATIN = re.compile(r"[A-Za-z0-9]")
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
_SPLIT_GAP = 0.9  # a gap wider than this many ems ends a line fragment (a column gutter)
_CJK_SPACE = 0.6  # a gap this wide between Chinese characters is a deliberate space
_LATIN_SPACE = 0.2  # word spacing between Latin words


class PdfReadError(ValueError):
    """The file cannot be read as a PDF with text (the message is for the user)."""


@dataclass(frozen=True)
class Rect:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class TextLine:
    """A run of characters on one baseline in one size: a line of a column."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # font size in points
    font: str  # font name without its subset tag
    score: float = 1.0  # OCR's confidence in the line (its least sure character); 1 for text

    @property
    def chars(self) -> int:
        return sum(not c.isspace() for c in self.text)


@dataclass(frozen=True)
class Block:
    """Consecutive lines of one style in one column: a headline, a deck, a
    column's stretch of body text, a pull quote…"""

    lines: tuple[TextLine, ...]

    @property
    def x0(self) -> float:
        return min(ln.x0 for ln in self.lines)

    @property
    def x1(self) -> float:
        return max(ln.x1 for ln in self.lines)

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom

    @property
    def size(self) -> float:
        return statistics.median(ln.size for ln in self.lines)

    @property
    def font(self) -> str:
        return self.lines[0].font

    @property
    def text(self) -> str:
        return "".join(ln.text for ln in self.lines)

    @property
    def chars(self) -> int:
        return sum(ln.chars for ln in self.lines)

    @property
    def rect(self) -> Rect:
        return Rect(self.x0, self.top, self.x1, self.bottom)


@dataclass(frozen=True)
class PageText:
    number: int  # 1-based
    width: float
    height: float
    lines: tuple[TextLine, ...]
    boxes: tuple[Rect, ...]  # drawn rectangles (frames of pull quotes, sidebars)
    rules: tuple[Rect, ...]  # thin horizontal lines
    ocr: bool = False  # read from the page's image by OCR (no text layer)


def read_pdf(path: Path) -> list[PageText]:
    """Every page's text lines and drawn lines, pages without a text layer
    read by OCR (ocr.py); PdfReadError for a file that is not a PDF, is
    damaged or encrypted, or holds no text that either can read."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if exc.err_code in (4, 6):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
            raise PdfReadError("the PDF is encrypted (password-protected); "
                               "save an unprotected copy to index it") from exc
        raise PdfReadError("not a readable PDF (damaged, or not a PDF at all)") from exc
    except OSError as exc:
        raise PdfReadError(f"cannot read file: {exc.strerror or exc}") from exc
    try:
        pages = [_read_page(pdf, i) for i in range(len(pdf))]
        if not pages:
            raise PdfReadError("the PDF has no pages")
        blank = [p.number for p in pages if not p.lines]
        if blank:  # scanned pages: their text is in the image
            from .ocr import ocr_pdf_pages

            read = dict(zip(blank, ocr_pdf_pages(pdf, [n - 1 for n in blank]), strict=True))
            pages = [read.get(p.number, p) for p in pages]
    except pdfium.PdfiumError as exc:
        raise PdfReadError(f"not a readable PDF (damaged: {exc})") from exc
    finally:
        pdf.close()
    if not any(p.lines for p in pages):
        raise PdfReadError("no text found: the PDF has no text layer and OCR read "
                           "nothing on its pages (blank, or only pictures)")
    return pages


def _read_page(pdf, index: int) -> PageText:
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        tp = textpage.raw  # the bare handle: the wrapper costs a lookup a call
        glyphs, unmapped = [], 0
        box = raw.FS_RECTF()
        matrix = raw.FS_MATRIX()
        font_buf = ctypes.create_string_buffer(256)
        x, y = ctypes.c_double(), ctypes.c_double()
        style_of: tuple = (None, 0.0, "")
        for i in range(raw.FPDFText_CountChars(tp)):
            if raw.FPDFText_IsGenerated(tp, i) == 1:
                continue  # spaces and line ends PDFium made up; gaps are measured below
            code = raw.FPDFText_GetUnicode(tp, i)
            # PDFium reports a hyphen ending a line as 0x02 (a possible soft
            # hyphen); in Chinese text it is printed text, so keep it.
            ch = "-" if raw.FPDFText_IsHyphen(tp, i) == 1 else chr(code) if code else ""
            if not ch or ch in "\r\n\ufffe\uffff" or (ord(ch) < 32 and ch != "\t"):
                unmapped += ch != "\r" and ch != "\n"
                continue
            raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(box))
            raw.FPDFText_GetCharOrigin(tp, i, ctypes.byref(x), ctypes.byref(y))
            obj = ctypes.cast(raw.FPDFText_GetTextObject(tp, i), ctypes.c_void_p).value
            if obj != style_of[0] or obj is None:  # size and font are the text object's
                raw.FPDFText_GetMatrix(tp, i, ctypes.byref(matrix))
                scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
                raw.FPDFText_GetFontInfo(tp, i, font_buf, len(font_buf), None)
                style_of = (obj, raw.FPDFText_GetFontSize(tp, i) * scale,
                            _SUBSET_TAG.sub("", font_buf.value.decode("latin-1", "replace")))
            _, size, font = style_of
            glyphs.append((height - y.value, box.left, box.right, height - box.top,
                           height - box.bottom, size, font, " " if ch == "\t" else ch))
        textpage.close()
        if glyphs and unmapped > 0.2 * (len(glyphs) + unmapped):
            raise PdfReadError(f"page {index + 1}: its fonts have no Unicode map, so the "
                               "text cannot be read back (it would come out as garbage)")
        boxes, rules = _shapes(page, width, height)
    finally:
        page.close()
    return PageText(index + 1, width, height, tuple(glyph_lines(glyphs)), boxes, rules)


def _shapes(page, width: float, height: float) -> tuple[tuple[Rect, ...], tuple[Rect, ...]]:
    import pypdfium2.raw as raw

    boxes, rules = [], []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        rect = Rect(left, height - top, right, height - bottom)
        if rect.height <= 3 and rect.width >= 10:
            rules.append(rect)
        elif rect.height > 10 and rect.width > 10 and rect.width < 0.95 * width:
            boxes.append(rect)
    return tuple(boxes), tuple(rules)


def glyph_lines(glyphs: list[tuple], split_gap=None) -> list[TextLine]:
    """Glyphs (baseline, x0, x1, top, bottom, size, font, char[, score]) into
    line fragments: same baseline and size, split at gaps wider than a
    gutter (`split_gap(size)`, points)."""
    split_gap = split_gap or _split_gap
    glyphs.sort(key=lambda g: (round(g[0], 1), g[1]))
    rows: list[list[tuple]] = []
    for g in glyphs:
        row = rows[-1] if rows else None
        if row and abs(g[0] - row[0][0]) <= 0.2 * g[5]:
            row.append(g)
        else:
            rows.append([g])
    lines = []
    for row in rows:
        row.sort(key=lambda g: g[1])
        current = [row[0]]
        for g in row[1:]:
            prev = current[-1]
            same_size = abs(g[5] - prev[5]) <= 0.1 * max(g[5], prev[5])
            if same_size and g[1] - prev[2] <= split_gap(max(g[5], prev[5])):
                current.append(g)
            else:
                lines.append(_line(current))
                current = [g]
        lines.append(_line(current))
    return [ln for ln in lines if ln.text]


def _split_gap(size: float) -> float:
    """The widest gap inside a line: most of an em in body type, where column
    gutters are about an em; display type sits closer to the next module's
    headline than that, so there a third of an em (at least 8 points)."""
    return min(_SPLIT_GAP * size, max(0.35 * size, 8.0))


def _line(glyphs: list[tuple]) -> TextLine:
    # An indent set as ideographic spaces starts the line at its first printed glyph.
    while len(glyphs) > 1 and glyphs[0][7].isspace():
        glyphs = glyphs[1:]
    # Justified lines spread their characters evenly: a space is a gap wider
    # than the line's usual one by a word space (Latin) or half an em (Chinese).
    gaps = [(g[1] - p[2]) / max(g[5], 1e-6) for p, g in zip(glyphs, glyphs[1:], strict=False)]
    usual = max(0.0, statistics.median(gaps)) if gaps else 0.0
    text = glyphs[0][7]
    for prev, g, gap in zip(glyphs[:-1], glyphs[1:], gaps, strict=True):
        if g[7] != " " and prev[7] != " ":
            latin = _LATIN.match(g[7]) and _LATIN.match(prev[7])
            if gap - usual >= (_LATIN_SPACE if latin else _CJK_SPACE):
                text += " "
        text += g[7]
    text = re.sub(r"\s+", " ", text).strip()
    size = statistics.median(g[5] for g in glyphs)
    font = Counter(g[6] for g in glyphs).most_common(1)[0][0]
    score = min((g[8] for g in glyphs if len(g) > 8), default=1.0)  # OCR's, per glyph
    return TextLine(text, min(g[1] for g in glyphs), min(g[3] for g in glyphs),
                    max(g[2] for g in glyphs), max(g[4] for g in glyphs), round(size, 2), font,
                    round(score, 4))


# ------------------------------------------------------------------- blocks


def same_style(a: TextLine, b: TextLine) -> bool:
    return abs(a.size - b.size) <= 0.06 * max(a.size, b.size) and a.font == b.font


def blocks_of(lines: list[TextLine]) -> list[Block]:
    """Group lines into blocks: each line joins the block whose last line
    sits just above it in the same column and style."""
    open_blocks: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        best = None
        for lines_ in open_blocks:
            last = lines_[-1]
            gap = line.top - last.bottom
            if not same_style(last, line) or not -0.3 * line.size <= gap <= 1.2 * line.size:
                continue
            overlap = min(line.x1, last.x1) - max(line.x0, last.x0)
            narrower = min(line.x1 - line.x0, last.x1 - last.x0)
            block_x0 = min(ln.x0 for ln in lines_)
            if overlap >= 0.5 * narrower or (overlap > 0 and abs(line.x0 - block_x0) < line.size):
                if best is None or last.bottom > best[-1].bottom:
                    best = lines_
        if best is None:
            open_blocks.append([line])
        else:
            best.append(line)
    return [Block(tuple(b)) for b in open_blocks]
