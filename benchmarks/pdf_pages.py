"""How well the PDF loader finds the articles on newspaper pages.

Renders the seed page and N generated pages (seeded: 2–5 articles in 2–4
columns, varied type sizes, leading, headline alignment, decks, credits,
pull quotes, labels, section headings, page header) with
tests/newspaper_pdf, loads each with rag.ingest.pdf, and compares with what
was printed. Writes benchmarks/results/pdf_pages.{md,json}.

    python benchmarks/pdf_pages.py [--pages 30] [--first-seed 1000]

The page analysis was developed on seeds 0–99, and two of its rules on the
failures of a first run on seeds 1000–1029 (97.1% of articles exact then);
the default seeds start at 2000, pages it has never seen.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the page generator the tests use too
sys.path.insert(0, str(REPO))

from newspaper_pdf import PageMaker, TextPool  # noqa: E402

from rag import load_corpus  # noqa: E402
from rag.ingest import pdf  # noqa: E402

CMRC = REPO.parent / "shared" / "eval" / "cmrc2018_trial.json"
RESULTS = REPO / "benchmarks" / "results"
FIELDS = ("title", "author", "deck", "byline", "affiliation", "date", "body", "sections")


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


def score_page(name: str, page, found, seconds: float) -> dict:
    expected = list(page.articles)
    exact = [i < len(found) and all(getattr(found[i], f) == getattr(art, f) for f in FIELDS)
             for i, art in enumerate(expected)]
    fields = {f: sum(i < len(found) and getattr(found[i], f) == getattr(art, f)
                     for i, art in enumerate(expected)) for f in FIELDS}
    # Bodies are compared with the found article of the same title, else the
    # one in the same place in reading order.
    by_title = {a.title: a for a in found}
    chars, edits = 0, 0.0
    for i, art in enumerate(expected):
        match = by_title.get(art.title) or (found[i] if i < len(found) else None)
        acc = char_accuracy(match.body if match else "", art.body)
        chars += len(art.body)
        edits += (1 - acc) * len(art.body)
    return {"page": name, "expected": len(expected), "found": len(found),
            "exact": sum(exact), "fields": fields, "body_chars": chars,
            "body_char_accuracy": round(1 - edits / chars, 5), "seconds": round(seconds, 4),
            "truncated_paragraphs": page.truncated,
            "layout": {"articles": len(expected),
                       "columns": sorted({s.extra.get("cols", 0) for s in page.stories}),
                       "quotes": sum(bool(s.quote) for s in page.stories),
                       "decks": sum(bool(s.deck) for s in page.stories)}}


def run(n_pages: int, first_seed: int) -> dict:
    maker = PageMaker(TextPool.load(CMRC), load_corpus(REPO / "corpus"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [("seed", None)] + [(f"page-{s}", s)
                                   for s in range(first_seed, first_seed + n_pages)]
        for name, seed in jobs:
            path = Path(tmp) / f"{name}.pdf"
            page = maker.seed_page(path) if seed is None else maker.random_page(path, seed)
            start = time.perf_counter()
            found = pdf.load(path, name)
            rows.append(score_page(name, page, found, time.perf_counter() - start))
    expected = sum(r["expected"] for r in rows)
    chars = sum(r["body_chars"] for r in rows)
    total_s = sum(r["seconds"] for r in rows)
    return {
        "pages": len(rows),
        "articles_expected": expected,
        "articles_found": sum(r["found"] for r in rows),
        "articles_exact": sum(r["exact"] for r in rows),
        "pages_all_exact": sum(r["exact"] == r["expected"] == r["found"] for r in rows),
        "field_accuracy": {f: round(sum(r["fields"][f] for r in rows) / expected, 4)
                           for f in FIELDS},
        "body_char_accuracy": round(sum(r["body_char_accuracy"] * r["body_chars"]
                                        for r in rows) / chars, 5),
        "pages_per_second": round(len(rows) / total_s, 2),
        "seconds_per_page": {"median": round(statistics.median(r["seconds"] for r in rows), 3),
                             "max": round(max(r["seconds"] for r in rows), 3)},
        "seeds": [first_seed, first_seed + n_pages - 1],
        "machine": f"{platform.machine()}, {platform.python_version()}, load average "
                   f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "rows": rows,
    }


def to_markdown(res: dict) -> str:
    out = [
        "# PDF newspaper pages: articles found",
        "",
        "`python benchmarks/pdf_pages.py` renders the seed page (its four articles, "
        "two rows of two modules, pull quotes, labels, page header and footer) and "
        f"{res['pages'] - 1} generated pages (tests/newspaper_pdf, seeds "
        f"{res['seeds'][0]}–{res['seeds'][1]}, never used while developing the analysis: "
        "2–5 articles in 2–4 columns, body 8.5–10 pt, varied leading and headline "
        "size and alignment, kickers and subtitles, credit lines and closing notes, "
        "boxed and ruled pull quotes, column labels, section headings), then loads "
        "each PDF with `rag.ingest.pdf` (PDFium text, no embedding) and compares "
        "with what was printed. The analysis was developed on seeds 0–99; a first run "
        "on seeds 1000–1029 found 97.1% of articles exactly and two rules were then "
        "fixed from its failures (columns of a centred headline's module, labels far "
        "from a short headline), so the pages here are a fresh range.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| pages | {res['pages']} |",
        f"| articles printed / found | {res['articles_expected']} / {res['articles_found']} |",
        f"| articles found exactly (every field) | {res['articles_exact']} "
        f"({res['articles_exact'] / res['articles_expected']:.1%}) |",
        f"| pages with every article exact | {res['pages_all_exact']} / {res['pages']} |",
        f"| body character accuracy (1 − edit distance / length) | "
        f"{res['body_char_accuracy']:.4%} |",
        f"| pages per second (read + analyse, one core) | {res['pages_per_second']} |",
        f"| seconds per page, median / max | {res['seconds_per_page']['median']} / "
        f"{res['seconds_per_page']['max']} |",
        "",
        "Per field (share of printed articles whose field came out exactly): "
        + ", ".join(f"{f} {v:.1%}" for f, v in res["field_accuracy"].items()) + ".",
        "",
        "| page | printed | found | exact | body chars | accuracy | s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in res["rows"]:
        out.append(f"| {r['page']} | {r['expected']} | {r['found']} | {r['exact']} | "
                   f"{r['body_chars']} | {r['body_char_accuracy']:.4f} | {r['seconds']} |")
    out += ["", f"Machine: {res['machine']}.", ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30, help="generated pages (plus the seed)")
    parser.add_argument("--first-seed", type=int, default=2000)
    args = parser.parse_args()
    res = run(args.pages, args.first_seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pdf_pages.json").write_text(json.dumps(res, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    (RESULTS / "pdf_pages.md").write_text(to_markdown(res), encoding="utf-8")
    print(to_markdown(res).split("\n\n| page")[0])


if __name__ == "__main__":
    main()
