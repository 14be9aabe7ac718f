"""How well the PDF loader reads newspaper pages and other PDFs, from their
text layer and from scans (issue 25).

Renders pages with tests/newspaper_pdf and compares what `rag.ingest.pdf`
finds with what was printed:
- plain: the seed page and N generated pages (2–5 articles in 2–4 columns,
  decks, credits, notes, pull quotes, labels, headings, header and footer);
- shapes: N pages with what real pages add: one-column modules, running heads
  in several date forms (often without a rule under them), ideographic-space
  indents, photos with captions, jump lines;
- documents: printed web articles and reports (several pages, headings,
  running heads and folios), each one article;
- scans: the first shapes pages and documents rasterised at 200 dpi into
  image-only PDFs, read through OCR (RapidOCR).
Writes benchmarks/results/pdf_pages.{md,json}.

    python benchmarks/pdf_pages.py [--pages 30] [--shapes 30] [--documents 6] [--scans 6]

The "before" table comes from benchmarks/results/pdf_pages-before.json: the
same command run with the loader as it was before issue 25 (git show
2e25efb), which refused scans.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the page generator the tests use too
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from newspaper_pdf import PageMaker, TextPool  # noqa: E402
from newspaper_pdf.documents import document_pdf  # noqa: E402
from pdf_scoring import char_accuracy, score, summary  # noqa: E402

from rag import CorpusError, load_corpus  # noqa: E402
from rag.ingest import pdf  # noqa: E402

CMRC = REPO.parent / "shared" / "eval" / "cmrc2018_trial.json"
RESULTS = REPO / "benchmarks" / "results"
DPI = 200

__all__ = ["char_accuracy"]


def rasterise(src: Path, dest: Path, dpi: int = DPI) -> None:
    """An image-only PDF of `src`: what a scanner makes of the printed pages."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(src))
    images = [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(doc))]
    doc.close()
    images[0].save(dest, "PDF", resolution=float(dpi), save_all=True,
                   append_images=images[1:])


def _load(path: Path, name: str) -> tuple[list, float, list[float], int]:
    """(articles, seconds, OCR line scores, pages); a refusal finds nothing."""
    start = time.perf_counter()
    if not hasattr(pdf, "read_pages"):  # the loader before issue 25 (the "before" run)
        try:
            return pdf.load(path, name), time.perf_counter() - start, [], 1
        except CorpusError:
            return [], time.perf_counter() - start, [], 0
    try:
        pages = pdf.read_pages(path)
        found = pdf.articles_from(path, pages, name)
    except CorpusError:
        return [], time.perf_counter() - start, [], 0
    scores = [ln.score for p in pages if p.ocr for ln in p.lines]
    return found, time.perf_counter() - start, scores, len(pages)


def run(args) -> dict:
    maker = PageMaker(TextPool.load(CMRC), load_corpus(REPO / "corpus"))
    sets: dict[str, list[dict]] = {"plain": [], "shapes": [], "documents": [], "scans": []}
    ocr_scores: list[float] = []
    ocr_pages, ocr_seconds = 0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        jobs = [("plain", "seed", None)]
        jobs += [("plain", f"page-{s}", s) for s in range(args.first_seed,
                                                          args.first_seed + args.pages)]
        jobs += [("shapes", f"shapes-{s}", s) for s in range(args.first_seed,
                                                             args.first_seed + args.shapes)]
        jobs += [("documents", f"{('web', 'report')[i % 2]}-{args.first_seed + i}", i)
                 for i in range(args.documents)]
        scanned = {f"shapes-{s}" for s in range(args.first_seed, args.first_seed + args.scans)}
        scanned |= {n for kind, n, _ in jobs if kind == "documents"
                    and int(n.split("-")[1]) - args.first_seed < max(2, args.scans // 3)}
        for kind, name, seed in jobs:
            path = tmp / f"{name}.pdf"
            if kind == "documents":
                page = document_pdf(maker, path, name.split("-")[0], args.first_seed + seed)
            elif seed is None:
                page = maker.seed_page(path)
            else:
                page = maker.random_page(path, seed, shapes=kind == "shapes")
            found, seconds, _, _ = _load(path, name)
            sets[kind].append(score(name, page, found, seconds, False) | _indexed(page, found))
            if name in scanned and args.scans:
                scan = tmp / f"{name}-scan.pdf"
                rasterise(path, scan)
                found, seconds, scores, n = _load(scan, name)
                ocr_scores += scores
                ocr_pages += n
                ocr_seconds += seconds
                sets["scans"].append(score(name + " (scan)", page, found, seconds, True)
                                     | _indexed(page, found))
                print(f"{name} scan: {seconds:.0f} s", file=sys.stderr, flush=True)
    low = sum(s < args.low for s in ocr_scores)
    return {
        "sets": {k: summary(v) for k, v in sets.items()},
        "ocr": {"pages": ocr_pages, "pages_per_minute": round(60 * ocr_pages / ocr_seconds, 2)
                if ocr_seconds else None, "lines": len(ocr_scores),
                "low_confidence_share": round(low / len(ocr_scores), 4) if ocr_scores else None,
                "low_confidence_below": args.low, "dpi": DPI},
        "seeds": [args.first_seed, args.first_seed + max(args.pages, args.shapes) - 1],
        "machine": f"{platform.machine()}, {platform.python_version()}, load average "
                   f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "rows": sets,
    }


def _indexed(page, found: list) -> dict:
    """For documents: articles found and the share of printed characters indexed."""
    printed = sum(len(a.title + a.body + a.author) for a in page.articles)
    got = "".join(f.title + f.body + f.author for f in found)
    want = "".join(a.title + a.body + a.author for a in page.articles)
    share = 1.0 - (1 - char_accuracy(got, want)) if got else 0.0
    return {"printed_chars": printed, "indexed_share": round(share, 5)}


NAMES = {"plain": "plain pages (text layer)", "shapes": "shapes pages (text layer)",
         "documents": "general documents (text layer)",
         "scans": "scans (rasterised at 200 dpi, OCR)"}


def _table(sets: dict) -> list[str]:
    out = ["| set | pages | articles printed / found | every field exact | segmented exactly "
           "| paragraph boundaries (recall / precision) | furniture in bodies | dates right "
           "| page metadata right | body char accuracy | s/page |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for key, s in sets.items():
        if not s:
            continue
        out.append(
            f"| {NAMES[key]} | {s['pages']} | {s['expected']} / {s['found']} | "
            f"{s['exact_share']:.1%} | {s['segmented_share']:.1%} | "
            f"{s['boundary_recall']:.1%} / {s['boundary_precision']:.1%} | "
            f"{s['furniture_in_body']} of {s['furniture_printed']} | {s['dates_right']} | "
            f"{s['sources_right']} | {s['body_char_accuracy']:.2%} | {s['seconds_per_page']} |")
    return out


def to_markdown(res: dict, before: dict | None = None) -> str:
    out = ["# PDF pages: articles found, from text and from scans", "",
           (__doc__ or "").split("\n\n")[1].strip(), "", "## After (this code)", "",
           *_table(res["sets"])]
    if before:
        out += ["", "## Before (the loader before issue 25, same pages; it refused scans)", "",
                *_table(before["sets"]), "",
                "Before, general documents indexed: " + ", ".join(
                    f"{r['page']} {r['found']} / {r['indexed_share']:.2%}"
                    for r in before["rows"]["documents"]) + "."]
    out += ["", "## Details"]
    docs = res["rows"]["documents"] + [r for r in res["rows"]["scans"]
                                       if r["page"].startswith(("web", "report"))]
    if docs:
        out += ["", "General documents: articles found and share of printed characters "
                "indexed (title, author, body): " + ", ".join(
                    f"{r['page']} {r['found']} / {r['indexed_share']:.2%}" for r in docs) + "."]
    o = res["ocr"]
    if o["pages"]:
        out += ["", f"OCR: {o['pages']} pages at {o['dpi']} dpi, {o['pages_per_minute']} pages "
                f"per minute on this machine; {o['lines']} lines, "
                f"{o['low_confidence_share']:.1%} of them with a confidence below "
                f"{o['low_confidence_below']}."]
    out += ["", "Definitions: *every field exact* — title, author, deck, byline, affiliation, "
            "date, body and sections all equal to the printed article; *segmented exactly* — "
            "the page's article count right, this article's paragraph boundaries all right, "
            "its date right and its body ≥ 95% alike (what OCR can be held to); *furniture in "
            "bodies* — printed running heads, feet, captions and jump lines found in any body.",
            "", f"Machine: {res['machine']}.", ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30, help="plain pages (plus the seed)")
    parser.add_argument("--shapes", type=int, default=30, help="pages with issue-25 shapes")
    parser.add_argument("--documents", type=int, default=6, help="web articles and reports")
    parser.add_argument("--scans", type=int, default=6,
                        help="shapes pages (and a third as many documents) also read by OCR")
    parser.add_argument("--low", type=float, default=0.8,
                        help="a low OCR confidence (a line's least sure character)")
    parser.add_argument("--first-seed", type=int, default=2000)
    parser.add_argument("--out", default="pdf_pages")
    parser.add_argument("--before", default=str(RESULTS / "pdf_pages-before.json"),
                        help="a run of the old loader (JSON) to show beside this one")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite the .md from the saved .json")
    args = parser.parse_args()
    before = Path(args.before)
    before = json.loads(before.read_text(encoding="utf-8")) if before.exists() else None
    if args.render:
        res = json.loads((RESULTS / f"{args.out}.json").read_text(encoding="utf-8"))
        (RESULTS / f"{args.out}.md").write_text(to_markdown(res, before), encoding="utf-8")
        return
    res = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(res, ensure_ascii=False, indent=1),
                                              encoding="utf-8")
    (RESULTS / f"{args.out}.md").write_text(to_markdown(res, before), encoding="utf-8")
    print(to_markdown(res, before))


if __name__ == "__main__":
    main()
