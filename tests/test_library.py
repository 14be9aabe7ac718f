"""The library: `add_files`, `remove_articles`, `list_articles` and `rag add/remove/list`.

Every index here is built with the model-free HashEncoder; the corpus is 8 real
CMRC passages in one JSONL file plus, where a test needs it, small Markdown
articles about emus, whose words (鸸鹋) appear nowhere else."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, cmrc_articles, write_jsonl

from rag import HashEncoder, Retriever, build_index
from rag.cli import main
from rag.index import load_index, read_manifest
from rag.ingest import read_corpus
from rag.ingest.exclusions import EXCLUSIONS_FILE
from rag.library import MAX_FILE_BYTES, add_files, list_articles, remove_articles
from rag.library.remove import UnknownArticleError
from rag.text import tokenize

EMU = """---
title: 鸸鹋的生活
author: 张三
date: 2025-01-01
---
鸸鹋是一种生活在澳大利亚的大型鸟类。它们不会飞，但跑得很快。

鸸鹋吃植物的种子和昆虫，一天能走二十多公里寻找食物。
"""
CASSOWARY = """鹤鸵的故事

鹤鸵生活在新几内亚的雨林里，头上有一个角质的盔。

它们性情孤僻，受到惊吓时会用锋利的爪子自卫。
"""
ENC = HashEncoder(256)
BUILD = {"encoder": ENC, "progress": False}


@pytest.fixture
def library(tmp_path):
    """(corpus, index, files to add): an indexed corpus and a folder of new articles."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "cmrc.jsonl", cmrc_articles(8))
    index = tmp_path / "index"
    build_index(corpus, index, **BUILD)
    new = tmp_path / "new"
    new.mkdir()
    (new / "emu.md").write_text(EMU, encoding="utf-8")
    (new / "cassowary.txt").write_text(CASSOWARY, encoding="utf-8")
    return corpus, index, new


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) and its bytes, but the lock."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def index_ids(index: Path) -> list[str]:
    return [a.id for a in load_index(index).articles]


# -- add ------------------------------------------------------------------------------------


def test_add_embeds_only_the_new_articles_passages(library):
    corpus, index, new = library
    before = read_manifest(index)["chunks"]
    report = add_files([new / "emu.md"], corpus, index, **BUILD)
    assert not report.problems and not report.duplicates
    [added] = report.added
    assert added.file == "added/emu.md" and (corpus / "added" / "emu.md").read_text("utf-8") == EMU
    [article] = added.articles
    assert (article.id, article.title, article.author) == ("added/emu", "鸸鹋的生活", "张三")
    assert article.passages >= 1
    # Only the new article's passages were embedded; every other vector was reused.
    assert report.embedded == article.passages
    assert report.reused == before
    assert report.build.chunks == before + article.passages
    hit = Retriever.load(index, corpus=corpus, encoder=ENC, progress=False).search(
        "鸸鹋吃什么？", k=1).hits[0]
    assert hit.article_id == "added/emu"


def test_add_a_folder_keeps_its_layout(library, tmp_path):
    corpus, index, new = library
    (new / "photo.jpg").write_bytes(b"\xff\xd8\xff")  # not an article: left alone
    (new / "README.md").write_text("这个文件夹里是鸟类的文章。", encoding="utf-8")
    report = add_files([new], corpus, index, **BUILD)
    assert report.problems == ()
    assert sorted(f.file for f in report.added) == ["added/new/cassowary.txt", "added/new/emu.md"]
    assert report.articles == 2
    assert {"added/new/emu", "added/new/cassowary"} <= set(index_ids(index))


def test_the_same_article_under_another_name_is_not_added_again(library, tmp_path):
    corpus, index, new = library
    add_files([new / "emu.md"], corpus, index, **BUILD)
    copy = tmp_path / "emu-saved-again.md"
    # Other spacing and full-width letters are still the same text.
    copy.write_text(EMU.replace("鸟类。", "鸟类。 \n").replace("二十", "二十"), encoding="utf-8")
    before = tree(corpus)
    report = add_files([copy], corpus, index, **BUILD)
    assert report.added == () and report.build is None and not report.problems
    [dup] = report.duplicates
    assert (dup.file, dup.same_as, dup.same_as_file) == (str(copy), "added/emu", "added/emu.md")
    assert tree(corpus) == before
    assert index_ids(index).count("added/emu") == 1 and len(index_ids(index)) == 9


def test_a_copy_inside_a_batch_is_added_once(library, tmp_path):
    corpus, index, new = library
    shutil.copy(new / "emu.md", tmp_path / "emu2.md")
    report = add_files([new / "emu.md", tmp_path / "emu2.md"], corpus, index, **BUILD)
    assert [f.file for f in report.added] == ["added/emu.md"]
    assert [d.file for d in report.duplicates] == [str(tmp_path / "emu2.md")]


def test_duplicates_copied_by_hand_are_indexed_once_and_reported(library, capsys):
    corpus, index, new = library
    shutil.copy(new / "emu.md", corpus / "a-emu.md")
    shutil.copy(new / "emu.md", corpus / "b-emu.md")
    report = build_index(corpus, index, **BUILD)
    assert report.articles == 9  # the first copy by path order is kept
    [dup] = report.duplicates
    assert (dup.id, dup.same_as) == ("b-emu", "a-emu")
    assert "b-emu" not in index_ids(index)
    # The report of an index found fresh without reading the corpus still says so.
    again = build_index(corpus, index, **BUILD)
    assert again.up_to_date and again.duplicates == report.duplicates
    code = main(["build", "--corpus", str(corpus), "--index", str(index), "--model", "hash-256"])
    out, err = capsys.readouterr()
    assert code == 0 and "up to date" in out
    assert ("rag: warning: b-emu.md: article 'b-emu' has the same text as 'a-emu' (a-emu.md); "
            "indexed once, as 'a-emu'") in err.splitlines()


def test_a_file_copied_with_its_ids_is_indexed_once(library):
    corpus, index, _ = library
    shutil.copy(corpus / "cmrc.jsonl", corpus / "cmrc-copy.jsonl")  # same ids, same texts
    report = build_index(corpus, index, **BUILD)
    assert report.up_to_date and report.articles == 8  # nothing new to index
    assert {d.file for d in report.duplicates} == {"cmrc.jsonl"}  # path order: "-" < "."
    assert len(report.duplicates) == 8


def test_a_broken_file_is_reported_and_the_others_go_in(library, tmp_path):
    corpus, index, new = library
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "title": "t", "text": "正文"}\n{not json\n', encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    strange = tmp_path / "notes.xyz"
    strange.write_text("鸸鹋", encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text("# 大\n\n" + "很长的文章。" * 400, encoding="utf-8")
    paths = [new / "emu.md", bad, empty, strange, big, tmp_path / "missing.md",
             new / "cassowary.txt"]
    report = add_files(paths, corpus, index, max_bytes=4000, **BUILD)
    assert [f.source for f in report.added] == [str(new / "emu.md"), str(new / "cassowary.txt")]
    reasons = {p.path: p.reason for p in report.problems}
    assert reasons[str(bad)] == "line 2: not valid JSON (Expecting property name enclosed in " \
                                "double quotes)"
    assert reasons[str(empty)] == "file is empty"
    assert reasons[str(strange)].startswith("unknown type .xyz: articles are .txt, .md")
    assert reasons[str(big)] == "is 7.04 KB, over the 3.91 KB limit for one file"
    assert reasons[str(tmp_path / "missing.md")] == "no such file or folder"
    assert sorted(p.name for p in (corpus / "added").iterdir()) == ["cassowary.txt", "emu.md"]
    assert len(index_ids(index)) == 10
    assert MAX_FILE_BYTES == 50 * 2**20


def test_an_article_id_already_in_the_corpus_is_refused(library, tmp_path):
    corpus, index, _ = library
    taken = cmrc_articles(1)[0]["id"]
    clash = write_jsonl(tmp_path / "more.jsonl", [{"id": taken, "title": "另一篇",
                                                   "text": "完全不同的正文。"}])
    before = tree(corpus)
    report = add_files([clash], corpus, index, **BUILD)
    assert report.added == () and tree(corpus) == before
    [problem] = report.problems
    assert problem.reason == (f"article id {taken!r} is in the corpus already (cmrc.jsonl); "
                              "give the article another id")


def test_a_taken_name_gets_a_number(library, tmp_path):
    corpus, index, new = library
    add_files([new / "emu.md"], corpus, index, **BUILD)
    other = tmp_path / "other"
    other.mkdir()
    (other / "emu.md").write_text(CASSOWARY, encoding="utf-8")  # same name, other text
    report = add_files([other / "emu.md"], corpus, index, **BUILD)
    [added] = report.added
    assert added.file == "added/emu-2.md" and added.renamed
    assert (corpus / "added" / "emu.md").read_text("utf-8") == EMU  # never overwritten


def test_a_newspaper_page_comes_with_its_manifest(library):
    corpus, index, _ = library
    page = REPO / "corpus" / "000_cd9ce7ff24aacdf3.txt"
    report = add_files([page], corpus, index, **BUILD)
    [added] = report.added
    assert len(added.articles) == 4
    assert (corpus / "added" / "000_cd9ce7ff24aacdf3.page.yaml").is_file()
    # Removing all four moves the page aside, manifest and all.
    remove_articles([a.id for a in added.articles], corpus, index, **BUILD)
    assert not (corpus / "added").exists()
    assert sorted(p.name for p in (corpus / ".removed" / "added").iterdir()) == [
        "000_cd9ce7ff24aacdf3.page.yaml", "000_cd9ce7ff24aacdf3.txt"]
    assert len(index_ids(index)) == 8


def test_a_failed_build_leaves_the_corpus_as_it_was(library, monkeypatch):
    corpus, index, new = library
    before, manifest = tree(corpus), read_manifest(index)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rag.library.add.build_index", full_disk)
    with pytest.raises(OSError):
        add_files([new / "emu.md"], corpus, index, **BUILD)
    assert tree(corpus) == before and read_manifest(index) == manifest


# -- remove ---------------------------------------------------------------------------------


def test_removing_the_only_article_of_a_file_moves_it_aside(library):
    corpus, index, new = library
    add_files([new / "emu.md"], corpus, index, **BUILD)
    report = remove_articles(["added/emu"], corpus, index, **BUILD)
    [removed] = report.removed
    assert (removed.id, removed.file, removed.moved_to) == (
        "added/emu", "added/emu.md", ".removed/added/emu.md")
    assert (corpus / ".removed" / "added" / "emu.md").read_text("utf-8") == EMU
    assert not (corpus / "added").exists() and not (corpus / EXCLUSIONS_FILE).exists()
    assert "added/emu" not in index_ids(index) and report.build.embedded == 0


def test_removing_a_jsonl_line_lists_it_and_leaves_no_trace_in_the_index(library, tmp_path):
    corpus, index, _ = library
    records = cmrc_articles(8)
    gone = records[3]
    jsonl = (corpus / "cmrc.jsonl").read_bytes()
    before = load_index(index)
    gone_rows = [i for i, c in enumerate(before.chunks) if c.article_id == gone["id"]]
    gone_keys = {before.keys[i] for i in gone_rows}

    report = remove_articles([gone["id"]], corpus, index, **BUILD)

    assert [r.moved_to for r in report.removed] == [""]
    assert (corpus / "cmrc.jsonl").read_bytes() == jsonl  # the user's file is untouched
    listed = json.loads((corpus / EXCLUSIONS_FILE).read_text("utf-8"))["excluded"]
    assert listed == [{"id": gone["id"], "file": "cmrc.jsonl", "reason": "removed"}]
    after = load_index(index)
    assert gone["id"] not in [a.id for a in after.articles]
    assert gone["id"] not in (index / "articles.jsonl").read_text("utf-8")
    assert gone["id"] not in np.load(index / "articles.npy")["id"].tolist()
    n = len(before.chunks) - len(gone_rows)
    assert len(after.chunks) == len(after.vectors) == len(after.store) == n
    assert not gone_keys & set(after.keys.tolist())
    assert len(np.load(index / "bm25" / "tokens.keys.npy")) == n
    assert after.bm25.num_docs == n
    # Words only the removed article had are gone from the BM25 vocabulary.
    own = set(tokenize(gone["text"])) - {t for r in records if r is not gone
                                          for t in tokenize(r["text"] + r["title"])}
    own -= set(tokenize(gone["title"]))
    assert own and not own & set(after.bm25.vocab_dict)
    # ...and the index is exactly what a fresh build of the remaining articles makes.
    fresh = tmp_path / "fresh"
    build_index([a for a in read_corpus(corpus).articles], fresh, **BUILD)
    clean = load_index(fresh)
    assert after.keys.tolist() == clean.keys.tolist()
    assert np.array_equal(np.asarray(after.vectors), np.asarray(clean.vectors))
    assert after.bm25.vocab_dict.keys() == clean.bm25.vocab_dict.keys()  # ids may differ
    words = [t for r in records for t in tokenize(r["title"]) if t in clean.bm25.vocab_dict]
    assert np.allclose(after.bm25.get_scores(words), clean.bm25.get_scores(words))


def test_unknown_ids_change_nothing(library):
    corpus, index, _ = library
    before, manifest = tree(corpus), read_manifest(index)
    known = cmrc_articles(1)[0]["id"]
    with pytest.raises(UnknownArticleError) as err:
        remove_articles([known, "nope", "nada"], corpus, index, **BUILD)
    assert err.value.ids == ["nope", "nada"]
    assert str(err.value) == ("unknown article ids 'nope', 'nada'; nothing was removed "
                              "(`rag list` shows the ids)")
    assert tree(corpus) == before and read_manifest(index) == manifest


def test_removing_every_article_is_refused(library):
    corpus, index, _ = library
    with pytest.raises(ValueError, match="every article"):
        remove_articles([r["id"] for r in cmrc_articles(8)], corpus, index, **BUILD)
    assert not (corpus / EXCLUSIONS_FILE).exists()


def test_removing_an_article_removes_its_copies(library):
    corpus, index, new = library
    shutil.copy(new / "emu.md", corpus / "a-emu.md")
    shutil.copy(new / "emu.md", corpus / "b-emu.md")
    build_index(corpus, index, **BUILD)
    with pytest.raises(UnknownArticleError, match="a copy of 'a-emu'"):
        remove_articles(["b-emu"], corpus, index, **BUILD)
    report = remove_articles(["a-emu"], corpus, index, **BUILD)
    assert [(r.id, r.copy_of) for r in report.removed] == [("a-emu", ""), ("b-emu", "a-emu")]
    assert not {"a-emu", "b-emu"} & set(index_ids(index))


def test_deleting_an_exclusion_brings_the_article_back(library):
    corpus, index, _ = library
    gone = cmrc_articles(8)[5]["id"]
    remove_articles([gone], corpus, index, **BUILD)
    assert build_index(corpus, index, **BUILD).up_to_date
    (corpus / EXCLUSIONS_FILE).unlink()  # the corpus changed: the index is stale again
    report = build_index(corpus, index, **BUILD)
    assert not report.up_to_date and gone in index_ids(index)


# -- list -----------------------------------------------------------------------------------


def test_list_shows_articles_passages_and_files(library, monkeypatch):
    corpus, index, new = library
    add_files([new / "emu.md"], corpus, index, **BUILD)

    def no_reading(*args):
        raise AssertionError("the corpus was read again")

    monkeypatch.setattr("rag.library.listing.read_corpus", no_reading)
    listed = list_articles(index, corpus, **BUILD)
    assert [e.id for e in listed] == sorted(e.id for e in listed) and len(listed) == 9
    emu = next(e for e in listed if e.id == "added/emu")
    assert (emu.title, emu.author, emu.date, emu.file) == (
        "鸸鹋的生活", "张三", "2025-01-01", "added/emu.md")
    assert sum(e.passages for e in listed) == read_manifest(index)["chunks"]
    assert {e.file for e in listed} == {"cmrc.jsonl", "added/emu.md"}


# -- the command line -----------------------------------------------------------------------


def rag(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_add_remove_list_and_build_agree(library, capsys, tmp_path):
    corpus, index, new = library
    where = ["--corpus", corpus, "--index", index, "--model", "hash-256"]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    code, out, err = rag(capsys, "add", new / "emu.md", bad, *where)
    assert code == 2
    assert out.splitlines()[0] == f"added {new / 'emu.md'} as added/emu.md: 《鸸鹋的生活》 " \
                                  "(added/emu, 2 passages)"
    assert "2 embedded, 21 reused" in out.splitlines()[-1]
    [line] = err.splitlines()
    assert line.startswith(f"rag: error: {bad}: ") and line.endswith("(not added)")

    code, out, err = rag(capsys, "add", new / "emu.md", *where)
    assert code == 0 and err == ""
    assert out.splitlines() == [
        f"not added: {new / 'emu.md'}: the same text as added/emu (added/emu.md), already in "
        "the library", "nothing to add: every article is in the library already"]

    code, out, _ = rag(capsys, "list", *where)
    assert code == 0
    emu = "added/emu  《鸸鹋的生活》  张三  2025-01-01  2 passages  added/emu.md"
    assert emu in out.splitlines()
    assert len(out.splitlines()) == 9
    code, out, _ = rag(capsys, "list", "--json", *where)
    rows = [json.loads(line) for line in out.splitlines()]
    assert set(rows[0]) == {"id", "title", "author", "date", "passages", "file"}

    code, out, err = rag(capsys, "remove", "no-such-id", *where)
    assert (code, out) == (2, "")
    assert err == ("rag: error: unknown article id 'no-such-id'; nothing was removed "
                   "(`rag list` shows the ids)\n")

    first = cmrc_articles(1)[0]["id"]
    code, out, _ = rag(capsys, "remove", "added/emu", first, "--json", *where)
    assert code == 0
    report = json.loads(out)
    assert [r["id"] for r in report["removed"]] == ["added/emu", first]
    assert report["build"]["articles"] == 7 and report["build"]["embedded"] == 0

    code, out, _ = rag(capsys, "build", *where)
    assert code == 0 and out.startswith(f"index {index} is up to date: 7 articles")


def test_cli_add_json_report(library, capsys):
    corpus, index, new = library
    code, out, _ = rag(capsys, "add", new, "--json", "--corpus", corpus, "--index", index)
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"added", "articles", "embedded", "reused", "duplicates", "problems",
                           "build"}
    assert report["articles"] == 2 and report["reused"] == 21 and report["problems"] == []
    # No --model: the index's own (hash-256) was used, not the default model.
    assert read_manifest(index)["model"] == "hash-256"


def test_cli_library_commands_refuse_a_milvus_store(library, capsys, monkeypatch):
    """They keep a folder index in step with the corpus: with $RAG_STORE naming
    Milvus they say how to update that index instead of changing the folder."""
    corpus, index, new = library
    before = sorted(p.name for p in corpus.rglob("*"))
    monkeypatch.setenv("RAG_STORE", "milvus:///srv/rag/news.db")
    for argv in (["add", new / "emu.md"], ["remove", "x"], ["list"]):
        code, out, err = rag(capsys, *argv, "--corpus", corpus, "--index", index)
        assert (code, out) == (2, "")
        assert "works on a folder index" in err and "rag build --store milvus://" in err
    assert sorted(p.name for p in corpus.rglob("*")) == before
