"""benchmarks/nearmiss.py: how the near-miss set is built, on a tiny SQuAD file (no model)."""

import importlib.util
import json
from pathlib import Path

import pytest

from rag import HashEncoder, build_index

_SPEC = importlib.util.spec_from_file_location(
    "nearmiss", Path(__file__).resolve().parents[1] / "benchmarks" / "nearmiss.py")
nearmiss = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(nearmiss)


def para(pid, context, *qas):
    return {"id": pid, "context": context,
            "qas": [{"id": qid, "question": q, "answers": [{"text": a, "answer_start": 0}]}
                    for qid, q, a in qas]}


@pytest.fixture
def files(tmp_path):
    # Document 1 is split across both files, its paragraphs out of order, as in DRCD.
    dev = {"data": [
        {"id": "1", "title": "臺灣", "paragraphs": [
            para("1-3", "臺灣的第二高峰是雪山，僅次於玉山。",
                 ("1-3-1", "臺灣第二高峰是哪座山？", "雪山")),
            para("1-1", "臺灣的首都是臺北，人口眾多。", ("1-1-1", "臺灣的首都是哪裡？", "臺北")),
            para("1-2", "臺灣的最高峰是玉山。", ("1-2-1", "臺灣的最高峰是哪座山？", "玉山"))]},
        {"id": "2", "title": "香港", "paragraphs": [
            para("2-1", "香港的貨幣是港元。", ("2-1-1", "香港使用甚麼貨幣？", "港元"))]},
    ]}
    test = {"data": [{"id": "1", "title": "臺灣", "paragraphs": [
        para("1-4", "臺灣的國花是梅花。", ("1-4-1", "臺灣的國花是甚麼？", "梅花"))]}]}
    paths = [("dev", tmp_path / "dev.json"), ("test", tmp_path / "test.json")]
    for (_, path), data in zip(paths, (dev, test), strict=True):
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return paths


def build(files, **kw):
    return nearmiss.build_dataset("drcd", files, convert=True, **kw)


def test_folds_alternate_within_a_merged_document(files):
    data = build(files)
    ids = {f: [a.id for a in arts] for f, arts in data["articles"].items()}
    # Document 1 in paragraph order 1,2,3,4 (both files) alternates A,B,A,B; a
    # one-paragraph document goes to fold A only.
    assert ids == {"A": ["drcd-dev-1-1", "drcd-dev-1-3", "drcd-dev-2-1"],
                   "B": ["drcd-dev-1-2", "drcd-test-1-4"]}
    first = data["articles"]["A"][0]
    assert (first.title, first.body) == ("台湾", "台湾的首都是台北，人口众多。")


def test_variants_and_drops(files):
    data = build(files, trad_share=0.0)
    answerable = {(v["qid"], v["index"], v["article_id"]) for v in data["variants"]
                  if v["answerable"]}
    assert answerable == {("1-1-1", "A", "drcd-dev-1-1"), ("1-2-1", "B", "drcd-dev-1-2"),
                          ("1-3-1", "A", "drcd-dev-1-3"), ("2-1-1", "A", "drcd-dev-2-1"),
                          ("1-4-1", "B", "drcd-test-1-4")}
    # 1-2-1 (answer 玉山) is dropped: fold A's paragraph 1-3 also names 玉山.
    # 2-1-1 has no other paragraph: asked only as answerable.
    unanswerable = {(v["qid"], v["index"]) for v in data["variants"] if not v["answerable"]}
    assert unanswerable == {("1-1-1", "B"), ("1-3-1", "B"), ("1-4-1", "A")}
    assert data["dropped"] == [{"qid": "1-2-1", "source": "dev", "traditional": False,
                                "same_doc": True}]
    q = next(v for v in data["variants"] if v["qid"] == "1-1-1")
    assert (q["question"], q["answers"], q["source"]) == ("台湾的首都是哪里？", ["台北"], "dev")


def test_traditional_questions_keep_their_characters_only(files):
    data = build(files, trad_share=1.0)
    q = next(v for v in data["variants"] if v["qid"] == "1-1-1")
    assert q["traditional"] and q["question"] == "臺灣的首都是哪裡？"
    assert q["answers"] == ["台北"]  # answers match the simplified passages
    assert all(a.body == a.body.replace("臺", "台") for f in "AB" for a in data["articles"][f])
    cmrc = nearmiss.build_dataset("cmrc", files, convert=False, trad_share=1.0)
    assert not any(v["traditional"] for v in cmrc["variants"])


def test_traditional_draw_is_fixed_and_about_a_fifth():
    ids = [f"{d}-{p}-{q}" for d in range(100) for p in range(10) for q in range(5)]
    picked = [nearmiss.kept_traditional(i, 0.2) for i in ids]
    assert 0.18 < sum(picked) / len(picked) < 0.22
    assert picked == [nearmiss.kept_traditional(i, 0.2) for i in ids]


def test_limit_and_folds_across_documents(files):
    one = build(files, limit=1)
    assert len({v["doc"] for v in one["variants"]}) == 1
    across = nearmiss.build_dataset("x", files, convert=True, across_docs=True)
    assert [len(across["articles"][f]) for f in "AB"] == [3, 2]
    assert any(not v["answerable"] and v["doc"] == "2" for v in across["variants"])


def test_rows_and_summary_with_hash_encoder(files, tmp_path):
    data = build(files, trad_share=0.0)
    enc = nearmiss.MemoEncoder(HashEncoder())
    dirs = {f: tmp_path / f for f in "AB"}
    for f, path in dirs.items():
        build_index(data["articles"][f], path, encoder=enc, progress=False)
    rows = nearmiss.ask(dirs, data, data["variants"], enc)
    assert len(rows) == len(data["variants"]) == 8
    for row in rows:
        assert {"dataset", "qid", "traditional", "answerable", "abstained", "rank",
                "top_score", "top5"} <= set(row)
        assert len(row["top5"]) <= 5
        if not row["answerable"]:
            assert row["rank"] is None
    s = nearmiss.summary(rows, [not r["answerable"] for r in rows])
    assert (s["answerable"], s["unanswerable"]) == (5, 3)
    assert (s["precision"], s["recall"], s["false_abstention_rate"]) == (1.0, 1.0, 0.0)
    s = nearmiss.summary(rows, [True] * len(rows))
    assert (s["precision"], s["recall"], s["false_abstention_rate"]) == (3 / 8, 1.0, 1.0)
