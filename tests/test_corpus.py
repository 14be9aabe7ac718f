"""Loading user corpus folders: formats, encodings, and errors a user can act on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag.ingest import CorpusError, load_corpus

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _one(folder: Path):
    (article,) = load_corpus(folder)
    return article


def test_markdown_with_front_matter(tmp_path):
    _write(tmp_path, "note.md", (
        "---\n"
        "id: lab-1\n"
        "title: 新就业形态劳动者权益保障\n"
        "author: 李四\n"
        "affiliation: 某研究院\n"
        "date: 2025-07-01\n"
        "source: 某报\n"
        "url: https://example.org/a\n"
        "tags: [ignored, keys]\n"
        "---\n"
        "# 新就业形态劳动者权益保障\n\n"
        "平台经济快速发展，\n带来了新的就业形态。\n\n"
        "## 现实问题\n\n"
        "劳动关系认定难。\n\n"
        "Platform work is\ngrowing fast.\n"
    ))
    a = _one(tmp_path)
    assert (a.id, a.title, a.author, a.affiliation, a.date, a.source, a.url) == (
        "lab-1", "新就业形态劳动者权益保障", "李四", "某研究院", "2025-07-01", "某报",
        "https://example.org/a")
    paras = a.paragraphs()
    assert [p.text for p in paras] == [
        "平台经济快速发展，带来了新的就业形态。",
        "劳动关系认定难。",
        "Platform work is growing fast.",
    ]
    assert [s.heading for s in a.sections] == ["现实问题"]
    assert [p.section for p in paras] == ["", "现实问题", "现实问题"]
    assert "#" not in a.body


def test_markdown_without_front_matter_takes_title_from_heading_or_stem(tmp_path):
    _write(tmp_path, "a/first.md", "# 标题来自一级标题\n\n正文。\n")
    _write(tmp_path, "b/second.md", "只有正文，没有标题。\n")
    a, b = load_corpus(tmp_path)
    assert (a.id, a.title, a.body) == ("a/first", "标题来自一级标题", "正文。")
    assert (b.id, b.title) == ("b/second", "second")


def test_gbk_text_file(tmp_path):
    _write(tmp_path, "gbk.txt", "工会工作的新要求\n\n第一段，\n讲工会。\n\n第二段讲职工。\n",
           encoding="gbk")
    a = _one(tmp_path)
    assert a.title == "工会工作的新要求"
    assert [p.text for p in a.paragraphs()] == ["第一段，讲工会。", "第二段讲职工。"]


def test_utf8_bom_text_one_paragraph_per_line(tmp_path):
    _write(tmp_path, "bom.txt", "\ufeff这是一句完整的话，所以不是标题。\n第二行是第二段。\n")
    a = _one(tmp_path)
    assert a.title == "bom"
    assert not a.body.startswith("\ufeff")
    texts = [p.text for p in a.paragraphs()]
    assert texts == ["这是一句完整的话，所以不是标题。", "第二行是第二段。"]


def test_jsonl_articles(tmp_path):
    records = [
        {"id": "j2", "title": "第二篇", "text": "第一段。\n\n第二段。", "author": "王五",
         "date": "2025-01-02", "extra": 1},
        {"id": "j1", "title": "第一篇", "text": "一行一段。\n又一段。"},
    ]
    _write(tmp_path, "arts.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                           for r in records) + "\n")
    j1, j2 = load_corpus(tmp_path)
    assert (j1.id, j1.title, len(j1.paragraphs())) == ("j1", "第一篇", 2)
    assert (j2.author, j2.date, [p.text for p in j2.paragraphs()]) == (
        "王五", "2025-01-02", ["第一段。", "第二段。"])


def test_other_files_are_ignored(tmp_path):
    _write(tmp_path, "a.md", "# 标题\n\n正文。\n")
    _write(tmp_path, "README.md", "# How to use this folder\n")
    _write(tmp_path, "notes.yaml", "x: 1\n")
    _write(tmp_path, ".hidden/b.md", "# 隐藏\n\n正文。\n")
    assert [a.id for a in load_corpus(tmp_path)] == ["a"]


def test_the_bundled_corpus_gives_the_four_seed_articles():
    articles = load_corpus(CORPUS)
    assert [a.id for a in articles] == [
        "flexible-workers-maternity",
        "labour-movement-history",
        "unions-vocational-colleges",
        "xinjiang-union-work",
    ]
    assert {a.author for a in articles} == {"", "罗荣波", "胡玉玲", "班小辉"}
    assert all(a.paragraphs() and a.date == "2025-06-30" for a in articles)


def test_a_page_next_to_plain_text_is_loaded_via_its_manifest(tmp_path):
    for name in ("000_cd9ce7ff24aacdf3.txt", "000_cd9ce7ff24aacdf3.page.yaml"):
        shutil.copy(CORPUS / name, tmp_path / name)
    _write(tmp_path, "extra.txt", "另一篇文章\n\n正文。\n")
    ids = [a.id for a in load_corpus(tmp_path)]
    assert len(ids) == 5 and "extra" in ids and "000_cd9ce7ff24aacdf3" not in ids


def test_all_problems_are_reported_together(tmp_path):
    _write(tmp_path, "empty.md", "")
    _write(tmp_path, "blank.txt", "  \n\n")
    _write(tmp_path, "bad.jsonl", '{"id": "ok", "title": "好", "text": "正文。"}\n'
                                  '{"id": "x", "title": \n'
                                  '{"id": "y", "text": "没有标题。"}\n')
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _write(tmp_path, "good.md", "# 好文章\n\n正文。\n")
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)
    message = str(info.value)
    assert "empty.md: file is empty" in message
    assert "blank.txt: file is empty" in message
    assert "bad.jsonl, line 2: not valid JSON" in message
    assert "bad.jsonl, line 3: missing title" in message
    assert "binary.txt" in message and "binary" in message
    assert len(info.value.problems) == 5
    assert isinstance(info.value, ValueError)


def test_undecodable_text_is_an_error(tmp_path):
    (tmp_path / "latin.txt").write_bytes("caf\xe9 \xff\xfe".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin\.txt: not UTF-8 or GBK"):
        load_corpus(tmp_path)


def test_duplicate_ids_across_files_name_both(tmp_path):
    _write(tmp_path, "a.md", "---\nid: same\ntitle: 甲\n---\n正文。\n")
    _write(tmp_path, "b.jsonl", json.dumps({"id": "same", "title": "乙", "text": "另一篇正文。"})
           + "\n")
    with pytest.raises(CorpusError, match="duplicate article id 'same'") as info:
        load_corpus(tmp_path)
    assert "a.md" in str(info.value) and "b.jsonl" in str(info.value)


def test_empty_and_missing_folders(tmp_path):
    with pytest.raises(CorpusError, match=r"no articles found in .* \(looked for .*\.md") as info:
        load_corpus(tmp_path)
    assert all(suffix in str(info.value) for suffix in (".txt", ".md", ".jsonl"))
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_broken_page_manifest_is_reported_with_the_file(tmp_path):
    shutil.copy(CORPUS / "000_cd9ce7ff24aacdf3.txt", tmp_path / "p.txt")
    manifest = (CORPUS / "000_cd9ce7ff24aacdf3.page.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "p.page.yaml", manifest.replace("罗荣波", "不存在的作者"))
    with pytest.raises(CorpusError, match=r"p\.txt.*不存在的作者"):
        load_corpus(tmp_path)


def test_the_bundled_index_matches_the_bundled_corpus():
    """The committed index/ was built from corpus/ as this code reads it, so
    starting the app rebuilds nothing and leaves `git status` clean. A change
    to how articles are read or stored must rebuild and commit index/."""
    from rag.index.manifest import corpus_fingerprint, read_manifest

    manifest = read_manifest(CORPUS.parent / "index")
    assert manifest["corpus_fingerprint"] == corpus_fingerprint(load_corpus(CORPUS)), \
        "index/ is stale: run `rag build --corpus corpus --index index` and commit index/"
