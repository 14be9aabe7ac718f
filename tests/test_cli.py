"""The command line, in-process through rag.cli.main (and once as `python -m rag`).

Every index here is built with the model-free `hash-256` encoder."""

import io
import json
import subprocess
import sys

import pytest
from conftest import REPO, cmrc_articles, cmrc_questions, write_jsonl

from rag.cli import main

HIT_KEYS = {
    "rank": int,
    "score": float,
    "text": str,
    "article_id": str,
    "title": str,
    "author": str,
    "section": str,
    "paragraph": int,
    "start": int,
    "end": int,
    "kind": str,
    "citation": str,
}


@pytest.fixture
def cli_index(tmp_path, small_corpus, capsys):
    index = tmp_path / "index"
    code = main(["build", "--corpus", str(small_corpus), "--index", str(index),
                 "--model", "hash-256", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == 8 and report["embedded"] == report["chunks"] > 0
    return index


@pytest.fixture
def question():
    return cmrc_questions(cmrc_articles(8))[0]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_result(data, query, k):
    assert set(data) == {"query", "abstained", "confidence", "hits"}
    assert data["query"] == query
    assert isinstance(data["abstained"], bool)
    assert 0 < len(data["hits"]) <= k
    assert [h["rank"] for h in data["hits"]] == list(range(1, len(data["hits"]) + 1))
    for hit in data["hits"]:
        assert set(hit) == set(HIT_KEYS)
        for key, kind in HIT_KEYS.items():
            assert isinstance(hit[key], kind), (key, hit[key])
        assert hit["end"] - hit["start"] == len(hit["text"])
        assert hit["title"] in hit["citation"] and f"第{hit['paragraph']}段" in hit["citation"]
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)


# -- build ------------------------------------------------------------------------------


def test_build_prints_a_summary_then_reports_up_to_date(cli_index, small_corpus, capsys):
    code, out, _ = run(capsys, "build", "--corpus", small_corpus, "--index", cli_index,
                       "--model", "hash-256")
    assert code == 0
    assert "up to date" in out and "8 articles" in out and len(out.strip().splitlines()) == 1
    code, out, _ = run(capsys, "build", "--corpus", small_corpus, "--index", cli_index,
                       "--model", "hash-256", "--force")
    assert code == 0
    assert "indexed 8 articles" in out and "embedded" in out and "reused" in out


def test_build_json_is_the_build_report(cli_index, small_corpus, capsys):
    code, out, _ = run(capsys, "build", "--corpus", small_corpus, "--index", cli_index,
                       "--model", "hash-256", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"index_dir", "articles", "chunks", "embedded", "reused", "seconds",
                           "up_to_date", "skipped", "warnings", "duplicates"}
    assert report["up_to_date"] is True and report["embedded"] == 0
    assert report["skipped"] == [] and report["warnings"] == []


def test_build_reads_the_environment(tmp_path, small_corpus, capsys, monkeypatch):
    monkeypatch.setenv("RAG_CORPUS", str(small_corpus))
    monkeypatch.setenv("RAG_INDEX", str(tmp_path / "env-index"))
    monkeypatch.setenv("RAG_MODEL", "hash-64")
    code, out, err = run(capsys, "build")
    assert code == 0, err
    manifest = json.loads((tmp_path / "env-index" / "manifest.json").read_text("utf-8"))
    assert manifest["model"] == "hash-64"


# -- search -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_search_json_contract(cli_index, question, capsys, mode):
    code, out, err = run(capsys, "search", question["question"], "-k", 3, "--index", cli_index,
                         "--mode", mode, "--json")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    check_result(data, question["question"], 3)
    if mode != "bm25":  # BM25 returns only passages sharing a word with the question
        assert len(data["hits"]) == 3
    assert data["hits"][0]["article_id"] == question["article_id"]


def test_search_finds_the_questions_passage(cli_index, capsys):
    records = cmrc_articles(8)
    questions = cmrc_questions(records)[:10]
    found = 0
    for q in questions:
        code, out, _ = run(capsys, "search", q["question"], "--index", cli_index, "--json")
        assert code == 0
        found += any(h["article_id"] == q["article_id"] for h in json.loads(out)["hits"])
    assert found >= len(questions) // 2


def test_search_human_format(cli_index, question, capsys):
    code, out, _ = run(capsys, "search", question["question"], "-k", 2, "--index", cli_index)
    assert code == 0
    assert out.startswith("1. [")
    assert "2. [" in out and "3. [" not in out
    assert "第" in out and "段" in out and "《" in out


def test_search_abstains_plainly(cli_index, capsys):
    query = "xyzzy plugh quux"
    code, out, _ = run(capsys, "search", query, "--index", cli_index)
    assert code == 0
    assert "Nothing relevant was found" in out
    code, out, _ = run(capsys, "search", query, "--index", cli_index, "--json")
    assert json.loads(out)["abstained"] is True


def test_search_as_a_subprocess(cli_index, question):
    proc = subprocess.run(
        [sys.executable, "-m", "rag", "search", question["question"], "-k", "2",
         "--index", str(cli_index), "--json"],
        cwd=REPO, capture_output=True, text=True, encoding="utf-8", timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    check_result(data, question["question"], 2)
    assert "Traceback" not in proc.stderr


def test_search_reads_rag_index_from_the_environment(cli_index, question, capsys, monkeypatch):
    monkeypatch.setenv("RAG_INDEX", str(cli_index))
    code, out, err = run(capsys, "search", question["question"], "--json")
    assert code == 0, err
    check_result(json.loads(out), question["question"], 5)


def test_search_with_corpus_rebuilds_a_stale_index(cli_index, small_corpus, capsys):
    extra = cmrc_articles(9)[-1]
    with open(small_corpus / "cmrc.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(extra, ensure_ascii=False) + "\n")
    code, out, err = run(capsys, "search", extra["text"][:40], "--index", cli_index,
                         "--corpus", small_corpus, "--json")
    assert code == 0, err
    assert extra["text"][:10] in json.loads(out)["hits"][0]["text"]


# -- batch ------------------------------------------------------------------------------


def test_batch_plain_lines(cli_index, tmp_path, capsys):
    questions = [q["question"] for q in cmrc_questions(cmrc_articles(8))[:3]]
    batch = tmp_path / "questions.txt"
    batch.write_text(f"{questions[0]}\n\n  \n{questions[1]}\n{questions[2]}", encoding="utf-8")
    code, out, err = run(capsys, "search", "--batch", batch, "-k", 2, "--index", cli_index)
    assert code == 0, err
    results = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["query"] for r in results] == questions
    for r, q in zip(results, questions, strict=True):
        check_result(r, q, 2)
        assert "id" not in r


def test_batch_jsonl_with_ids_and_an_empty_question(cli_index, tmp_path, capsys):
    qs = cmrc_questions(cmrc_articles(8))[:2]
    batch = write_jsonl(tmp_path / "q.jsonl", [
        {"id": qs[0]["id"], "question": qs[0]["question"]},
        {"id": "empty", "question": "   "},
        {"id": 7, "question": qs[1]["question"]},
        {"id": "none"},
    ])
    code, out, err = run(capsys, "search", "--batch", batch, "--index", cli_index, "--json")
    assert code == 0, err
    results = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["id"] for r in results] == [qs[0]["id"], "empty", 7, "none"]
    check_result({k: v for k, v in results[0].items() if k != "id"}, qs[0]["question"], 5)
    check_result({k: v for k, v in results[2].items() if k != "id"}, qs[1]["question"], 5)
    for bad in (results[1], results[3]):
        assert isinstance(bad["error"], str) and bad["error"]
        assert "hits" not in bad


def test_batch_from_stdin(cli_index, question, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(question["question"] + "\n"))
    code, out, _ = run(capsys, "search", "--batch", "-", "--index", cli_index)
    assert code == 0
    (line,) = out.strip().splitlines()
    check_result(json.loads(line), question["question"], 5)


def test_batch_file_missing(cli_index, tmp_path, capsys):
    code, out, err = run(capsys, "search", "--batch", tmp_path / "nope.txt", "--index", cli_index)
    assert code == 2 and out == ""
    assert "nope.txt" in err


def test_batch_and_question_together_is_an_error(cli_index, tmp_path, capsys):
    code, _, err = run(capsys, "search", "问题", "--batch", "-", "--index", cli_index)
    assert code == 2 and "either" in err


# -- ask --------------------------------------------------------------------------------


def test_ask_json(cli_index, question, capsys):
    code, out, err = run(capsys, "ask", question["question"], "--index", cli_index, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"answer", "abstained", "citations"} <= set(data)
    assert isinstance(data["answer"], str) and isinstance(data["citations"], list)
    code, out, err = run(capsys, "ask", question["question"], "--index", cli_index)
    assert code == 0, err
    assert out.strip()


def test_ask_cites_the_paper_and_the_day(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"id": "news", "title": "完善灵活就业人员生育保障", "author": "张三",
              "source": "工人日报", "date": "2025-06-30",
              "text": "灵活就业人员可以参加职工医疗保险并领取生育津贴。"}
    (corpus / "news.jsonl").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    index = tmp_path / "index"
    build = ["build", "--corpus", str(corpus), "--index", str(index), "--model", "hash-256"]
    assert main(build) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "ask", "灵活就业人员能领生育津贴吗？", "--index", index)
    assert code == 0, err
    assert "「灵活就业人员可以参加职工医疗保险并领取生育津贴。」[1]" in out
    assert "[1] 张三：《完善灵活就业人员生育保障》，工人日报，2025-06-30，第1段。" in out


# -- user mistakes: one line on stderr, exit code 2, no traceback -------------------------


def assert_user_error(code, out, err, *needles):
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rag: error:"), err
    for needle in needles:
        assert str(needle) in err, (needle, err)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query(cli_index, capsys, query):
    assert_user_error(*run(capsys, "search", query, "--index", cli_index), "empty")


def test_no_query(cli_index, capsys):
    assert_user_error(*run(capsys, "search", "--index", cli_index), "empty")


def test_bad_k(cli_index, capsys):
    assert_user_error(*run(capsys, "search", "问题", "-k", 0, "--index", cli_index), "-k")


def test_empty_corpus_folder_is_named(tmp_path, capsys):
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    assert_user_error(
        *run(capsys, "build", "--corpus", empty, "--index", tmp_path / "ix", "--model", "hash-8"),
        empty,
    )


def test_missing_corpus_folder_is_named(tmp_path, capsys):
    assert_user_error(
        *run(capsys, "build", "--corpus", tmp_path / "nope", "--index", tmp_path / "ix"),
        tmp_path / "nope",
    )


def test_missing_index_without_corpus(tmp_path, capsys):
    assert_user_error(
        *run(capsys, "search", "问题", "--index", tmp_path / "no-index"), "no index", "rag build"
    )


def test_index_of_another_model(cli_index, capsys):
    assert_user_error(
        *run(capsys, "search", "问题", "--index", cli_index, "--model", "hash-128"),
        "hash-256", "hash-128",
    )


def test_broken_index(cli_index, capsys):
    (cli_index / "vectors.npy").unlink()
    assert_user_error(*run(capsys, "search", "问题", "--index", cli_index), cli_index)


def test_corpus_error_names_the_file(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "good.jsonl", cmrc_articles(2))
    (corpus / "bad.jsonl").write_text('{"id": "x", "title": "t", "text": \n', encoding="utf-8")
    argv = ["build", "--corpus", corpus, "--index", tmp_path / "ix", "--model", "hash-8"]
    assert_user_error(*run(capsys, *argv), "bad.jsonl")
    # Several problems: a heading line naming the folder, then one line per problem.
    (corpus / "worse.md").write_text("---\ntitle: [unclosed\n---\n正文。\n", encoding="utf-8")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and "Traceback" not in err
    head, *rest = err.strip().splitlines()
    assert head.startswith("rag: error:") and str(corpus) in head
    problems = [line for line in rest if line.startswith("- ")]
    assert len(problems) == 2
    assert any("bad.jsonl" in p for p in problems) and any("worse.md" in p for p in problems)
    assert not (tmp_path / "ix").exists()


def test_no_command_and_help(capsys):
    assert main([]) == 2
    assert "build" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "search" in capsys.readouterr().out
    assert main(["search", "--mode", "nope", "q"]) == 2


def test_debug_json_names_the_pipeline(cli_index, question, capsys):
    code, out, _ = run(capsys, "search", question["question"], "--index", cli_index,
                       "--model", "hash-256", "--json", "--debug")
    data = json.loads(out)
    assert code == 0 and data["pipeline"][:2] == ["byline_article", "dense"]
    assert "abstain_reason" in data
