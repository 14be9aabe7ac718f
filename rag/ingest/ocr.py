"""Scanned pages: their text read by OCR into the same positioned lines as a
PDF's text layer (pdf_text.py), so that one layout analysis serves both.

RapidOCR (Apache-2.0) ships PP-OCR's detection and recognition models inside
its wheel and runs them on ONNX Runtime, offline. It returns each text line
with a box and a score, and each character with its own box: the characters
become the glyphs that pdf_text groups into lines, so a line detected across
a column gutter is cut there as on a text page. Type size comes from the
characters' width (an ideograph is one em wide) and weight from the ink in
the line's box (bold headings and headlines print darker than body text);
the long thin rules that fence off page furniture and pull quotes are found
in the image with OpenCV (it comes with RapidOCR).
"""

from __future__ import annotations

import functools
import statistics
import unicodedata

from .pdf_text import PageText, PdfReadError, Rect, glyph_lines

DPI = 200  # scans are read at this resolution: small body type stays legible
_BOLD = 1.35  # a line this much darker than the body's usual ink is set in bold
_SNAP = 1.07  # sizes this near the next are one type size


@functools.cache
def _engine():
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise PdfReadError("the page is a scan (no text layer) and reading it needs OCR: "
                           "install the rapidocr package") from exc
    # The default shrinks a page to 2000 pixels: at 200 dpi that merges lines
    # across narrow column gutters, so the page is read at full size.
    return RapidOCR(params={"Global.log_level": "error", "Global.return_word_box": True,
                            "Global.return_single_char_box": True,
                            "Global.max_side_len": 4800,
                            # unsure lines are kept, with their score, not dropped
                            "Global.text_score": 0.2})


def ocr_pdf_pages(pdf, indices: list[int], dpi: int = DPI) -> list[PageText]:
    """Pages `indices` (0-based) of an open pypdfium2 document, rasterised
    at `dpi` and read by OCR."""
    out = []
    for i in indices:
        page = pdf[i]
        try:
            image = page.render(scale=dpi / 72).to_pil()
        finally:
            page.close()
        out.append(ocr_image(image, i + 1, dpi))
    return out


def ocr_image(image, number: int = 1, dpi: float = DPI) -> PageText:
    """One page image (PIL) as positioned text lines, in points at `dpi`."""
    import numpy as np

    gray = np.asarray(image.convert("L"))
    result = _engine()(np.asarray(image.convert("RGB")))
    scale = 72.0 / dpi
    height, width = gray.shape
    found = []
    for box, text, score, chars in zip(result.boxes if result.boxes is not None else (),
                                       result.txts or (), result.scores or (),
                                       result.word_results or (), strict=False):
        glyphs = _chinese_punctuation(_glyphs(chars, text, float(score), box))
        # a picture's edge or a dark block read as a mark or two is no text
        if sum(c[0].isalnum() for c in glyphs) >= 1 and (len(glyphs) >= 2 or score >= 0.9):
            found += [_even(seg) for seg in _segments(gray, glyphs)]
    sizes = _snap([_size(g) for g in found])
    ink = [_ink(gray, g, s) for g, s in zip(found, sizes, strict=True)]
    usual = _usual_ink(found, sizes, ink)
    glyphs = []
    for chars, size, dark in zip(found, sizes, ink, strict=True):
        font = "ocr-bold" if usual and dark >= _BOLD * usual else "ocr"
        y0 = min(c[2][1] for c in chars)
        y1 = max(c[2][3] for c in chars)
        mid = (y0 + y1) / 2
        top, bottom = mid - 0.55 * size, mid + 0.55 * size
        for ch, sc, (x0, _, x1, _) in chars:
            glyphs.append((bottom * scale, x0 * scale, x1 * scale, top * scale,
                           bottom * scale, size * scale, font, ch, sc))
    return PageText(number, width * scale, height * scale,
                    tuple(glyph_lines(glyphs, _split_gap)), (),
                    _rules(gray, scale), ocr=True)


def read_image(path) -> list[PageText]:
    """Every frame of an image file (a multi-page TIFF has several) by OCR."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            dpi = float((img.info.get("dpi") or (DPI, DPI))[0]) or DPI
            frames = [f.copy() for f in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError) as exc:
        raise PdfReadError("not a readable image (damaged, or not an image at all)") from exc
    dpi = dpi if 100 <= dpi <= 600 else DPI  # a missing or odd resolution: assume a scan's
    return [ocr_image(frame, n, dpi) for n, frame in enumerate(frames, start=1)]


def looks_like_a_page(path) -> bool:
    """An image that is mostly paper (light) with dark print and few middle
    tones: a scanned page, not a photo. Images in a corpus folder are read
    by OCR only then, so that photos beside the articles stay photos."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.thumbnail((400, 400))
            gray = np.asarray(img.convert("L"), dtype=float)
    except (UnidentifiedImageError, OSError, ValueError):
        return False
    light, dark = (gray > 170).mean(), (gray < 90).mean()
    return bool(gray.size) and light >= 0.6 and 1 - light - dark <= 0.25


# ------------------------------------------------------------------ glyphs


def _split_gap(size: float) -> float:
    """Characters are spread evenly within a gutter-free segment (_even), so
    a gap of most of an em is a gutter; 8 points in display type."""
    return min(0.8 * size, max(0.6 * size, 8.0))


def _glyphs(chars, text: str, score: float, box) -> list[tuple]:
    """(char, score, (x0, top, x1, bottom)) in pixels for each character of
    one OCR line; a token of several characters shares its box evenly."""
    out = []
    for token, sc, quad in chars or ():
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        step = (x1 - x0) / max(1, len(token))
        if out and out[-1][0].isascii() and out[-1][0].isalnum() and token[:1].isascii() \
                and token[:1].isalnum() and x0 - out[-1][2][2] > 0.15 * (bottom - top):
            out.append((" ", min(float(sc), 1.0), (out[-1][2][2], top, x0, bottom)))
        for k, ch in enumerate(token):
            if not ch.isspace():
                out.append((ch, min(float(sc), 1.0),
                            (x0 + k * step, top, x0 + (k + 1) * step, bottom)))
    if not out and text.strip():  # no character boxes: spread the line's box
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        chars_ = [c for c in text if not c.isspace()]
        step = (max(xs) - min(xs)) / len(chars_)
        out = [(ch, score, (min(xs) + k * step, min(ys), min(xs) + (k + 1) * step, max(ys)))
               for k, ch in enumerate(chars_)]
    return out


_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _chinese_punctuation(chars: list[tuple]) -> list[tuple]:
    """The recogniser reads full-width punctuation as ASCII: in Chinese
    context (a Chinese character before a comma, or opening a bracket) it is
    the full-width mark the page printed."""
    out, opened = [], 0
    for i, (ch, sc, box) in enumerate(chars):
        before = out[-1][0] if out else ""
        after = chars[i + 1][0] if i + 1 < len(chars) else ""
        if ch in _FULL and _cjk(before):
            ch = _FULL[ch]
        elif ch == "(" and _cjk(after):
            ch, opened = "（", opened + 1
        elif ch == ")" and (opened or _cjk(before)):  # closing a Chinese aside
            ch, opened = "）", max(0, opened - 1)
        out.append((ch, sc, box))
    return out


def _segments(gray, chars: list[tuple]) -> list[list[tuple]]:
    """A detected line cut at the blank gutters inside it (the detector may
    join lines of neighbouring columns): the image, not the recogniser's
    rough character places, says where the gutters are."""
    size = _size(chars)
    x0, x1 = int(min(c[2][0] for c in chars)), int(max(c[2][2] for c in chars))
    y0, y1 = int(min(c[2][1] for c in chars)), int(max(c[2][3] for c in chars))
    ink = (gray[max(0, y0):y1, max(0, x0):x1] < 128).any(axis=0)
    cuts, run = [], 0
    for i, dark in enumerate(ink):
        run = 0 if dark else run + 1
        if dark and cuts and cuts[-1][1] is None:
            cuts[-1] = (cuts[-1][0], x0 + i)
        if run == int(1.1 * size) and i - run > 0:  # a full-width comma leaves most of an em
            cuts.append((x0 + i - run, None))
    out, rest = [], list(chars)
    for start, end in cuts:
        if end is None:
            break
        middle = (start + end) / 2
        left = [c for c in rest if (c[2][0] + c[2][2]) / 2 < middle]
        if left and len(left) < len(rest):
            out.append(left)
            rest = rest[len(left):]
    return out + [rest]


def _even(chars: list[tuple]) -> list[tuple]:
    """The characters spread across their span by their widths (ideographs
    one em, Latin and digits about half, a space a third): the recogniser's
    own places drift, and a drift must not read as a gap or a space."""
    x0, x1 = chars[0][2][0], chars[-1][2][2]
    units = [_units(c[0]) for c in chars]
    step = (x1 - x0) / (sum(units) or 1.0)
    out, x = [], x0
    for c, u in zip(chars, units, strict=True):
        out.append((c[0], c[1], (x, c[2][1], x + u * step, c[2][3])))
        x += u * step
    return out


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF" and unicodedata.category(ch) == "Lo"


def _units(ch: str) -> float:
    """Printed width in ems: ideographs one, Latin and digits about half, a space a third."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.3 if ch == " " else 0.55


def _size(chars: list[tuple]) -> float:
    """The line's em in pixels: the span of its characters over their widths
    in ems (ideographs are square and set solid or nearly), else most of
    its box's height."""
    if sum(_wide(c[0]) for c in chars) >= 2:
        span = chars[-1][2][2] - chars[0][2][0]
        return span / sum(_units(c[0]) for c in chars)
    return 0.75 * statistics.median(c[2][3] - c[2][1] for c in chars)


def _snap(sizes: list[float]) -> list[float]:
    """Sizes measured within a few percent of the next are one type size
    (the text layer's sizes are exact; measured ones scatter, and justified
    lines measure a little wider than short last lines)."""
    if not sizes:
        return []
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    groups: list[list[int]] = [[order[0]]]
    for i in order[1:]:
        if sizes[i] <= _SNAP * sizes[groups[-1][-1]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    out = list(sizes)
    for group in groups:
        typical = round(statistics.median(sizes[i] for i in group), 1)
        for i in group:
            out[i] = typical
    return out


def _ink(gray, chars: list[tuple], size: float) -> float:
    """Share of dark pixels in the line's characters: stroke weight."""
    x0, x1 = int(chars[0][2][0]), int(chars[-1][2][2])
    mid = (min(c[2][1] for c in chars) + max(c[2][3] for c in chars)) / 2
    top, bottom = int(mid - 0.45 * size), int(mid + 0.45 * size)
    region = gray[max(0, top):max(top + 1, bottom), max(0, x0):max(x0 + 1, x1)]
    return float((region < 128).mean()) if region.size else 0.0


def _usual_ink(found, sizes, ink) -> float:
    """The ink of the commonest type size, weighted by characters: body text."""
    weight: dict[float, int] = {}
    for chars, size in zip(found, sizes, strict=True):
        weight[size] = weight.get(size, 0) + len(chars)
    if not weight:
        return 0.0
    body = max(weight, key=weight.get)
    darks = [d for d, s in zip(ink, sizes, strict=True) if s == body]
    return statistics.median(darks) if darks else 0.0


def _rules(gray, scale: float) -> tuple[Rect, ...]:
    """Long thin horizontal lines: a run of ink at least an inch long and
    at most 3 points high."""
    import cv2

    dark = (gray < 160).astype("uint8")
    length = max(40, int(72 / scale / 1.0 * 0.6))  # 0.6 inch
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    runs = cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel)
    n, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    rules = []
    for x, y, w, h, _ in stats[1:n]:
        if h * scale <= 3.0 and w >= length:
            rules.append(Rect(x * scale, y * scale, (x + w) * scale, (y + h) * scale))
    return tuple(sorted(rules, key=lambda r: (r.top, r.x0)))
