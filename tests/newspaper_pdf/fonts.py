"""Noto CJK faces that reportlab can embed.

reportlab embeds only TrueType outlines, and Debian's Noto CJK (fonts-noto-cjk)
ships PostScript (CFF) outlines in .ttc collections, which reportlab refuses
("postscript outlines are not supported"). So each face is cut down with
fontTools to the characters the pages use and its curves converted to
TrueType quadratics (fontTools' own otf2ttf recipe). A face takes a few
seconds; the result is cached by character set.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

NOTO = Path("/usr/share/fonts/opentype/noto")
# role -> collection file; the Simplified Chinese face is picked by name.
FACES = {
    "serif": "NotoSerifCJK-Regular.ttc",
    "sans": "NotoSansCJK-Regular.ttc",
    "sans-bold": "NotoSansCJK-Bold.ttc",
}


def missing() -> str:
    """Why the fonts cannot be had, or "" when they can."""
    absent = [name for name in FACES.values() if not (NOTO / name).exists()]
    if absent:
        return f"{', '.join(absent)} missing from {NOTO} (apt-get install fonts-noto-cjk)"
    return ""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rag-news" / "test-fonts"


def register(chars: str) -> dict[str, str]:
    """Register the faces with reportlab for `chars`; role -> font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = hashlib.sha1("".join(sorted(set(chars))).encode()).hexdigest()[:12]
    names = {}
    for role, filename in FACES.items():
        path = cache_dir() / f"{Path(filename).stem}-{key}.ttf"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            _to_truetype(NOTO / filename, chars, tmp)
            tmp.replace(path)
        name = f"{role}-{key}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        names[role] = name
    return names


def _sc_face(collection: Path) -> int:
    from fontTools.ttLib import TTCollection

    faces = TTCollection(str(collection), lazy=True).fonts
    for number, face in enumerate(faces):
        if re.fullmatch(r"Noto \w+ CJK SC( \w+)?", face["name"].getDebugName(4)):
            return number
    raise ValueError(f"{collection} has no Simplified Chinese face")


def _to_truetype(collection: Path, chars: str, out: Path) -> None:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(collection), fontNumber=_sc_face(collection))
    options = subset.Options()
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in chars}))
    subsetter.subset(font)

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(str(out))
