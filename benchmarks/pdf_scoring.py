"""How found articles compare with what a generated page printed (issue 25's
measures): articles segmented exactly, paragraph boundaries, furniture in
bodies, dates and page metadata, body characters. Used by pdf_pages.py."""

from __future__ import annotations

import difflib
import re

FIELDS = ("title", "author", "deck", "byline", "affiliation", "date", "body", "sections")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def char_accuracy(found: str, expected: str) -> float:
    """1 − edit distance / length of the longer text (edit distance from
    difflib's opcodes: a replaced span counts its longer side)."""
    if not found and not expected:
        return 1.0
    edits = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, found, expected,
                                                      autojunk=False).get_opcodes():
        if op != "equal":
            edits += max(i2 - i1, j2 - j1)
    return 1.0 - edits / max(len(found), len(expected))


def _ends(article) -> list[int]:
    """Where each paragraph but the last ends, in non-space characters."""
    out, pos = [], 0
    for p in article.paragraphs()[:-1]:
        pos += len(compact(p.text))
        out.append(pos)
    return out


def boundaries(found, expected) -> tuple[int, int, int]:
    """(boundaries matched, expected, found): found paragraph ends mapped onto
    the printed text through an alignment of the two bodies (OCR may differ
    in a character here and there), matched within one character."""
    a = compact("".join(p.text for p in found.paragraphs()))
    b = compact("".join(p.text for p in expected.paragraphs()))
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()

    def mapped(i: int) -> int | None:
        for x, y, n in blocks:
            if x <= i <= x + n:
                return y + (i - x)
        return None

    want = _ends(expected)
    got = [m for m in (mapped(i) for i in _ends(found)) if m is not None]
    matched = sum(any(abs(g - w) <= 1 for g in got) for w in want)
    return matched, len(want), len(_ends(found))


def match(found: list, art):
    """The found article printed as `art`: same title, else the most alike."""
    same = [f for f in found if f.title == art.title]
    if same:
        return same[0]
    scored = [(char_accuracy(compact(f.title), compact(art.title)), f) for f in found]
    best = max(scored, key=lambda t: t[0], default=(0.0, None))
    return best[1] if best[0] >= 0.8 else None


def score(name: str, page, found: list, seconds: float, ocr: bool) -> dict:
    """One page's numbers."""
    expected = list(page.articles)
    quotes = {compact(s.quote) for s in page.stories if s.quote}
    labels = {compact(s.label) for s in page.stories if s.label} | {
        compact(s.quote_label) for s in page.stories if s.quote_label}
    bodies = compact("".join(a.body for a in expected))
    furniture = [compact(s) for s in page.set_aside if len(compact(s)) >= 4
                 and compact(s) not in quotes | labels and compact(s) not in bodies]
    found_bodies = [compact(f.body) for f in found]
    row = {"page": name, "ocr": ocr, "expected": len(expected), "found": len(found),
           "exact": 0, "segmented": 0, "fields": dict.fromkeys(FIELDS, 0),
           "para_matched": 0, "para_expected": 0, "para_found": 0,
           "furniture_in_body": sum(any(f in body for body in found_bodies) for f in furniture),
           "furniture_printed": len(furniture), "dated": 0, "dates_right": 0,
           "sources_right": 0, "body_chars": 0, "edits": 0.0, "seconds": round(seconds, 3)}
    for art in expected:
        f = match(found, art)
        row["body_chars"] += len(art.body)
        if art.date:
            row["dated"] += 1
        if f is None:
            row["edits"] += len(art.body)
            continue
        acc = char_accuracy(f.body, art.body)
        row["edits"] += (1 - acc) * len(art.body)
        for field in FIELDS:
            row["fields"][field] += getattr(f, field) == getattr(art, field)
        row["exact"] += all(getattr(f, k) == getattr(art, k) for k in FIELDS)
        m, e, g = boundaries(f, art)
        row["para_matched"] += m
        row["para_expected"] += e
        row["para_found"] += g
        row["segmented"] += (len(found) == len(expected) and m == e == g and acc >= 0.95
                             and f.date == art.date)
        if art.date:
            row["dates_right"] += f.date == art.date
        row["sources_right"] += f.source == art.source
    return row


def summary(rows: list[dict]) -> dict:
    """Totals over pages."""
    if not rows:
        return {}
    total = {k: sum(r[k] for r in rows) for k in (
        "expected", "found", "exact", "segmented", "para_matched", "para_expected",
        "para_found", "furniture_in_body", "furniture_printed", "dated", "dates_right",
        "sources_right", "body_chars", "edits", "seconds")}
    e = total["expected"] or 1
    return {
        "pages": len(rows), **{k: total[k] for k in ("expected", "found", "exact", "segmented",
                                                     "furniture_in_body", "furniture_printed")},
        "exact_share": round(total["exact"] / e, 4),
        "segmented_share": round(total["segmented"] / e, 4),
        "boundary_recall": round(total["para_matched"] / max(1, total["para_expected"]), 4),
        "boundary_precision": round(total["para_matched"] / max(1, total["para_found"]), 4),
        "dates_right": f"{total['dates_right']}/{total['dated']}",
        "sources_right": f"{total['sources_right']}/{total['expected']}",
        "body_char_accuracy": round(1 - total["edits"] / max(1, total["body_chars"]), 5),
        "seconds_per_page": round(total["seconds"] / len(rows), 2),
    }
