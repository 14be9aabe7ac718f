"""Newspaper pages as PDF: the articles on generated multi-column Chinese
pages are found with their titles, authors, bodies and order, nothing lost."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from rag import CorpusError, load_corpus
from rag.ingest import pdf
from rag.ingest.pdf_cli import main as pdf_cli

FIELDS = ("title", "author", "deck", "byline", "affiliation", "date", "body", "sections")


def _chars(*texts: str) -> Counter:
    return Counter(ch for text in texts for ch in text if not ch.isspace())


def _assert_same(found, expected) -> None:
    assert [a.title for a in found] == [a.title for a in expected]
    for got, want in zip(found, expected, strict=True):
        for field in FIELDS:
            assert getattr(got, field) == getattr(want, field), (want.title, field)


@pytest.fixture(scope="module")
def seed_page(page_maker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    return page_maker.seed_page(folder / "theory-page.pdf")


def test_the_seed_page_as_pdf_gives_its_four_articles(seed_page):
    from conftest import BUNDLED_CORPUS

    seed = {a.title: a for a in load_corpus(BUNDLED_CORPUS)}
    found = load_corpus(seed_page.path.parent)
    assert [a.id for a in found] == [f"theory-page#{n}" for n in range(1, 5)]
    assert [a.title for a in found] == [
        "学习贯彻习近平总书记重要讲话精神 书写工运事业壮丽时代篇章", "从百年工运史中汲取奋进力量",
        "协同培育高素质技能型人才", "加快构建覆盖灵活就业的多层次生育保障体系"]
    for article in found:
        original = seed[article.title]
        for field in ("body", "sections", "author", "affiliation", "deck", "byline"):
            assert getattr(article, field) == getattr(original, field), (article.title, field)
        assert article.date == "2025-06-30"  # from the page header


def test_pull_quotes_labels_and_page_furniture_are_set_aside(seed_page):
    (layout,) = pdf.read_layouts(seed_page.path)
    asides = [a for art in layout.articles for a in art.asides] + list(layout.asides)
    kinds = {(a.kind, a.text) for a in asides}
    assert {("column_label", "●观 点"), ("column_label", "G 热点思考"),
            ("column_label", "G 前沿观察"), ("page_furniture", "工人日报")} <= kinds
    quotes = [a.text for a in asides if a.kind == "pull_quote"]
    assert len(quotes) == 2 and quotes[1].startswith("工会组织要充分发挥其劳模工匠资源")
    # the quote repeats the lead of its article: printed once in the body, not twice
    body = next(a for a in layout.articles if a.title == "协同培育高素质技能型人才")
    assert "".join(t for _, t in body.blocks).count("注入动力源泉") == 1


def _page_chars(path: Path) -> Counter:
    from rag.ingest.pdf_text import read_pdf

    return _chars(*(ln.text for page in read_pdf(path) for ln in page.lines))


def _placed_chars(path: Path) -> Counter:
    placed = Counter()
    for layout in pdf.read_layouts(path):
        for art in layout.articles:
            placed += _chars(art.title, art.deck, art.credit, art.note,
                             *(text for _, text in art.blocks), *(a.text for a in art.asides))
        placed += _chars(*(a.text for a in layout.asides))
    return placed


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_generated_pages_give_every_article_exactly(page_maker, tmp_path, seed):
    page = page_maker.random_page(tmp_path / f"page-{seed}.pdf", seed)
    found = pdf.load(page.path, f"page-{seed}")
    _assert_same(found, page.articles)
    assert [a.id for a in found] == [f"page-{seed}#{n}" for n in range(1, len(found) + 1)]
    # every printed character is in exactly one article field or set aside
    assert _placed_chars(page.path) == _page_chars(page.path)


def test_the_generated_pages_vary(page_maker, tmp_path):
    pages = [page_maker.random_page(tmp_path / f"v{s}.pdf", s) for s in range(8)]
    stories = [s for p in pages for s in p.stories]
    assert len({len(p.articles) for p in pages}) >= 3 and len(stories) >= 20
    assert any(s.quote and s.quote_box for s in stories)
    assert any(s.quote and not s.quote_box for s in stories)
    assert any(s.deck and s.deck_above for s in stories) and any(s.label for s in stories)
    assert any(any(h for h, _ in s.blocks) for s in stories)  # section headings
    assert {a.author for p in pages for a in p.articles} > {""}


# ------------------------------------------------------------ the override


def _manifest_for(lines: list[str], articles) -> dict:
    """A page manifest naming each article by its first and last lines, and
    setting aside every other block of lines."""
    specs, claimed = [], set()
    for n, art in enumerate(articles):
        start = next(i for i, ln in enumerate(lines) if ln and art.body.startswith(ln))
        tail = art.byline if art.byline.startswith("（") else art.body
        end = next(i for i in range(start, len(lines)) if lines[i] and tail.endswith(lines[i]))
        claimed.update(range(start, end + 1))
        spec = {"id": f"article-{n + 1}", "title": art.title,
                "body": {"starts": lines[start], "ends": lines[end]}}
        for field in ("deck", "author"):
            if getattr(art, field):
                spec[field] = getattr(art, field)
        specs.append(spec)
    def bare(text: str) -> str:
        return re.sub(r"\s", "", text)

    for spec in specs:  # titles, decks and credit lines are quoted, so claimed
        for value in filter(None, (spec["title"], spec.get("deck"), spec.get("author"))):
            claimed.update(next(range(i, j) for i in range(len(lines))
                                for j in range(i + 1, min(i + 5, len(lines)))
                                if bare("".join(lines[i:j])) == bare(value)))
    set_aside, run = [], []
    for i, ln in enumerate(lines + [""]):
        if ln and i not in claimed:
            run.append(ln)
        elif run:
            set_aside.append({"kind": "other", "starts": run[0], "ends": run[-1]})
            run = []
    return {"date": "2025-06-30", "set_aside": set_aside, "articles": specs}


def test_a_page_manifest_beside_the_pdf_overrides_the_automatic_split(seed_page, capsys):
    from conftest import BUNDLED_CORPUS

    assert pdf_cli([str(seed_page.path), "--lines"]) == 0
    lines = capsys.readouterr().out.split("\n")
    manifest = _manifest_for(lines, seed_page.articles)
    path = seed_page.path.with_name("theory-page.page.yaml")
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    try:
        found = load_corpus(seed_page.path.parent)
    finally:
        path.unlink()
    seed = {a.title: a for a in load_corpus(BUNDLED_CORPUS)}
    assert [a.id for a in found] == [f"article-{n}" for n in range(1, 5)]
    for article in found:
        assert article.body == seed[article.title].body
        assert article.author == seed[article.title].author


def test_a_manifest_that_does_not_fit_the_page_names_both_files(seed_page):
    path = seed_page.path.with_name("theory-page.page.yaml")
    path.write_text("articles:\n  - id: x\n    title: 不在页面上的标题\n    body: {starts: 无}\n",
                    encoding="utf-8")
    try:
        with pytest.raises(CorpusError) as err:
            load_corpus(seed_page.path.parent)
    finally:
        path.unlink()
    (problem,) = err.value.problems
    assert "theory-page.pdf" in problem and "theory-page.page.yaml" in problem


# --------------------------------------------------------------- bad files


def _pdf_without_text(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(400, 600))
    c.rect(50, 50, 300, 500, fill=1)  # a scanned page is an image: no text layer
    c.showPage()
    c.save()
    return path


def _encrypted_pdf(path: Path) -> Path:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(100, 700, "Hello")
    c.save()
    return path


def test_bad_pdfs_are_one_line_problems_each_and_the_rest_still_loads(tmp_path, seed_page):
    pytest.importorskip("reportlab")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    _encrypted_pdf(folder / "locked.pdf")
    _pdf_without_text(folder / "scan.pdf")
    with pytest.raises(CorpusError) as err:
        load_corpus(folder)
    problems = sorted(err.value.problems)
    assert len(problems) == 3 and all("\n" not in p for p in problems)
    broken, locked, scan = problems
    assert "broken.pdf" in broken and "not a readable PDF" in broken
    assert "locked.pdf" in locked and "encrypted" in locked
    # a page of nothing but a dark picture: OCR reads no text and says so
    assert "scan.pdf" in scan and "no text layer" in scan and "OCR read nothing" in scan
    for bad in ("broken.pdf", "locked.pdf", "scan.pdf"):
        (folder / bad).unlink()
    (folder / "page.pdf").write_bytes(seed_page.path.read_bytes())
    assert len(load_corpus(folder)) == 5


def test_a_pdf_with_text_but_no_headline_is_one_article_named_after_its_file(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    path = tmp_path / "memo.pdf"
    c = canvas.Canvas(str(path))  # reportlab's defaults: "untitled", "anonymous"
    for i in range(5):
        c.drawString(72, 700 - 14 * i, f"line {i} of plain text in one size")
    c.save()
    (article,) = pdf.load(path, "memo")
    assert (article.id, article.title, article.author) == ("memo", "memo", "")
    assert all(f"line {i} of plain text" in article.body for i in range(5))


def test_the_cli_lists_articles_and_reports_errors(seed_page, tmp_path, capsys):
    assert pdf_cli([str(seed_page.path)]) == 0
    out = capsys.readouterr().out
    assert "《从百年工运史中汲取奋进力量》  罗荣波" in out and "set aside (pull_quote)" in out
    assert pdf_cli([str(tmp_path / "missing.pdf")]) == 2
    assert "missing.pdf" in capsys.readouterr().err
