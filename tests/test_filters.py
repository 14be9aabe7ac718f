"""Filters by date, source, author and article: applied before ranking, on
the FAISS folder index and on Milvus, from Python, the CLI and a dict."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from conftest import BUNDLED_CORPUS

from rag import Filters, Retriever, answer_question, build_index
from rag.cli import main
from rag.search.filters import NO_MATCH, parse_date

QUESTION = "灵活就业人员能领生育津贴吗？"
MATERNITY = ("灵活就业人员参加生育保险后，可以按规定领取生育津贴。多地已经把灵活就业人员"
             "纳入生育保险覆盖范围，生育津贴按当地上年度职工月平均工资计发。")
NEW = [  # the bundled page is 2025-06-30, 工人日报 · 理论版
    {"id": "july-workers-daily", "title": "灵活就业人员生育津贴有了着落", "text": MATERNITY,
     "author": "张伟", "date": "2025-07-05", "source": "工人日报"},
    {"id": "july-peoples-daily", "title": "生育津贴惠及灵活就业人员",
     "text": MATERNITY + "各地还将简化申领手续。",
     "author": "李娜", "date": "2025-07-10", "source": "人民日报"},
    {"id": "undated", "title": "灵活就业与生育保险", "text": MATERNITY + "申领可在网上办理。",
     "author": "王芳", "source": "工人日报"},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("filtered") / "corpus"
    shutil.copytree(BUNDLED_CORPUS, folder)
    (folder / "july.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in NEW), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def retriever(corpus, tmp_path_factory):
    from rag import HashEncoder

    index = tmp_path_factory.mktemp("filtered-index") / "index"
    build_index(corpus, index, encoder=HashEncoder(256), progress=False)
    return Retriever.load(index, encoder=HashEncoder(256), rebuild=False, progress=False)


def test_dates_are_read_in_the_forms_people_write_them():
    for text in ("2025-07-01", "2025/7/1", "2025年7月1日", "2025.07.01", "20250701"):
        assert parse_date(text) == date(2025, 7, 1), text
    for bad in ("2025-13-01", "7/1/2025", "yesterday", "2025-02-30"):
        with pytest.raises(ValueError, match=r"is not a date.*; write 2025-07-01"):
            parse_date(bad, "since")
    with pytest.raises(ValueError, match="the date range is empty"):
        Filters.from_mapping({"since": "2025-07-10", "until": "2025-07-01"})
    with pytest.raises(ValueError, match="unknown filter"):
        Filters.from_mapping({"sinse": "2025-07-01"})


def test_filters_from_a_dict_as_an_http_api_would_give_them():
    f = Filters.from_mapping({"since": "2025/7/1", "sources": ["工人日报"], "author": "张伟，李娜",
                              "article": None, "until": ""})
    assert f == Filters(since=date(2025, 7, 1), sources=("工人日报",), authors=("张伟", "李娜"))
    assert Filters.from_mapping(f.to_dict()) == f
    assert not Filters.from_mapping({}) and f


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_only_articles_that_pass_are_ranked(retriever, mode):
    everything = retriever.search(QUESTION, 10, mode=mode)
    assert {h.article_id for h in everything.hits} - {"july-workers-daily"}  # others rank too
    found = retriever.search(QUESTION, 10, mode=mode,
                             filters={"since": "2025-07-01", "source": "工人日报"})
    assert found.hits and {h.article_id for h in found.hits} == {"july-workers-daily"}
    by_author = retriever.search(QUESTION, 10, mode=mode, filters=Filters(authors=("李娜",)))
    assert {h.article_id for h in by_author.hits} == {"july-peoples-daily"}
    june = retriever.search(QUESTION, 10, mode=mode, filters={"until": "2025年6月30日"})
    assert june.hits and all(retriever.article(h.article_id).date == "2025-06-30"
                             for h in june.hits)


def test_the_graph_path_filters_with_an_id_selector(retriever, monkeypatch):
    monkeypatch.setattr("rag.index.faiss_store.EXACT_SUBSET", 0)
    found = retriever.search(QUESTION, 10, mode="dense", filters={"article": "july-peoples-daily"})
    assert {h.article_id for h in found.hits} == {"july-peoples-daily"}


def test_nothing_left_by_the_filters_is_said_as_such(retriever):
    result = retriever.search(QUESTION, 5, filters={"since": "2026-01-01"})
    assert (result.hits, result.abstained, result.abstain_reason) == ((), True, NO_MATCH)
    assert result.to_dict()["no_article_matches_filters"] is True
    assert "no_article_matches_filters" not in retriever.search(QUESTION, 5).to_dict()
    answer = answer_question(retriever.with_filters({"source": "新华社"}), QUESTION)
    assert answer.abstained and answer.answer.startswith("没有符合筛选条件的文章：来源 新华社")
    assert "没有涉及这个问题" not in answer.answer and answer.kind == "filtered"
    from chatapp import render

    shown = render.answer_html(retriever, answer, 1)
    assert "没有符合筛选条件的文章：来源 新华社" in shown and "没有涉及这个问题" not in shown


def test_a_filtered_answer_quotes_only_what_passes(retriever):
    answer = answer_question(retriever.with_filters({"source": "人民日报"}), QUESTION)
    assert not answer.abstained
    assert {c.article_id for c in answer.citations} == {"july-peoples-daily"}


def test_cli_search_with_filters(retriever, capsys):
    index = str(retriever.articles._path.parent)
    code = main(["search", QUESTION, "--index", index, "--since", "2025-07-01",
                 "--source", "工人日报", "--json", "-k", "10"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and {h["article_id"] for h in out["hits"]} == {"july-workers-daily"}
    code = main(["search", QUESTION, "--index", index, "--since", "2025-7-32"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("rag: error: --since: '2025-7-32' is not a date")
    code = main(["search", QUESTION, "--index", index, "--author", "无此人"])
    assert code == 0 and "No article matches the filters" in capsys.readouterr().out
    code = main(["ask", QUESTION, "--index", index, "--source", "新华社"])
    assert code == 0 and capsys.readouterr().out.startswith("没有符合筛选条件的文章：来源 新华社")


def test_milvus_filters_by_a_scalar_expression(corpus, tmp_path, hash_encoder, capsys):
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    store = f"milvus://{tmp_path}/f.db?collection=filtered"
    build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    milvus = Retriever.load("unused", encoder=hash_encoder, store=store)
    for mode in ("hybrid", "dense", "bm25"):
        found = milvus.search(QUESTION, 10, mode=mode,
                              filters={"since": "2025-07-01", "source": "工人日报"})
        assert {h.article_id for h in found.hits} == {"july-workers-daily"}, mode
    # Most articles pass: the filter names the few that do not.
    june = milvus.search(QUESTION, 10, filters={"until": "2025-06-30"})
    assert june.hits and {milvus.article(h.article_id).date for h in june.hits} == {"2025-06-30"}
    assert milvus.search(QUESTION, 5, filters={"author": "无此人"}).abstain_reason == NO_MATCH
    code = main(["search", QUESTION, "--store", store, "--since", "2025-07-01",
                 "--source", "工人日报", "--json", "-k", "10"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and {h["article_id"] for h in out["hits"]} == {"july-workers-daily"}
