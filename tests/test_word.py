"""Word documents: headings become sections, title and author come from the
document properties (else the Title paragraph and no author)."""

from __future__ import annotations

import pytest

from rag import CorpusError, load_corpus
from rag.ingest import word

docx = pytest.importorskip("docx")


@pytest.fixture(scope="module")
def seed_article():
    from conftest import BUNDLED_CORPUS

    return {a.id: a for a in load_corpus(BUNDLED_CORPUS)}["unions-vocational-colleges"]


def _write(path, article, *, properties: bool, heading_style: str = "Heading 2"):
    document = docx.Document()
    if properties:
        document.core_properties.title = article.title
        document.core_properties.author = article.author
    else:
        document.core_properties.author = ""
    document.add_paragraph(article.title, style="Title")
    heads = {s.start for s in article.sections}
    pos = 0
    for text in article.body.split("\n\n"):
        document.add_paragraph(text, style=heading_style if pos in heads else None)
        pos += len(text) + 2
    document.add_paragraph(article.byline)
    document.save(str(path))
    return path


def test_a_word_document_with_properties_gives_title_author_and_sections(tmp_path,
                                                                          seed_article):
    _write(tmp_path / "unions.docx", seed_article, properties=True)
    (article,) = load_corpus(tmp_path)
    assert article.id == "unions"
    assert (article.title, article.author) == (seed_article.title, "胡玉玲")
    assert article.body == seed_article.body
    assert article.sections == seed_article.sections
    assert (article.byline, article.affiliation) == (seed_article.byline, "中国劳动关系学院")


def test_without_properties_the_title_paragraph_is_the_title_and_there_is_no_author(
        tmp_path, seed_article):
    path = _write(tmp_path / "draft.docx", seed_article, properties=False,
                  heading_style="Heading 1")
    (article,) = word.load(path, "draft")
    assert (article.title, article.author) == (seed_article.title, "")
    assert [s.heading for s in article.sections] == [s.heading for s in seed_article.sections]
    assert article.body == seed_article.body


def test_a_leading_heading_is_the_title_and_tables_are_kept(tmp_path):
    document = docx.Document()  # python-docx's own "python-docx" author is no author
    document.add_heading("职工书屋建设情况", level=1)
    document.add_paragraph("今年全市新建职工书屋一百二十家，覆盖职工五万余人。")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("地区", "书屋数"), ("城区", "80")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_heading("下一步打算", level=2)
    document.add_paragraph("明年将继续推进书屋提质增效。")
    document.save(str(tmp_path / "report.docx"))
    (article,) = word.load(tmp_path / "report.docx", "report")
    assert (article.title, article.author) == ("职工书屋建设情况", "")
    assert [p.text for p in article.paragraphs()] == [
        "今年全市新建职工书屋一百二十家，覆盖职工五万余人。", "地区 | 书屋数", "城区 | 80",
        "明年将继续推进书屋提质增效。"]
    assert [s.heading for s in article.sections] == ["下一步打算"]


def test_corrupt_and_empty_documents_are_one_line_problems(tmp_path):
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    empty = docx.Document()
    empty.core_properties.title = "空文档"
    empty.save(str(tmp_path / "empty.docx"))
    (tmp_path / "fine.txt").write_text("标题\n\n正文。\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    broken, empty_, old = sorted(err.value.problems)
    assert "broken.docx" in broken and "not a readable Word .docx" in broken
    assert "old.docx" in old and "not a readable Word .docx" in old
    assert "empty.docx" in empty_ and "no body text" in empty_
    assert all("\n" not in p for p in err.value.problems)
