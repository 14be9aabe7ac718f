"""The Milvus store: embedded milvus-lite, and the same tests through a
`milvus-lite server` started on a free local port (the `server` runs).

Small corpora and the model-free HashEncoder; no absolute BM25 score is
asserted for Milvus's own BM25 (milvus-lite keeps its statistics per
segment and gives them a negative sign).
"""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import BUNDLED_CORPUS, cmrc_articles, cmrc_questions, write_jsonl

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from rag import Retriever, answer_question, build_index, load_corpus  # noqa: E402
from rag.index import IndexLoadError  # noqa: E402
from rag.index.milvus import parse_store  # noqa: E402

QUESTIONS = [
    "习近平总书记在哪个大会上发表了重要讲话？",
    "新疆各级工会要深化哪些品牌活动？",
    "枫桥经验",
    "职工民主管理的基本形式是什么？",
    "灵活就业人员能领生育津贴吗？",
    "胡玉玲是哪个单位的？",  # the byline as the first hit
    "罗荣波的文章讲了什么？",  # an article named by its byline
    "法国的灵活就业人员怎样参保",  # a place the corpus never names
    "今天天气怎么样",  # nothing relevant
    "What should trade unions do for flexible workers?",  # English
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory):
    """`milvus-lite server` on 127.0.0.1 and a free port, stopped after the module."""
    port = _free_port()
    data = tmp_path_factory.mktemp("milvus-server")
    log = open(data / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data / "db"),
         "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"milvus-lite server exited: {(data / 'server.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("milvus-lite server did not start within 60 s")
                time.sleep(0.3)
        yield f"milvus://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(params=["embedded", "server"])
def store(request, tmp_path):
    """A Milvus URI of a new collection: an embedded file, or the local server."""
    collection = f"t{time.monotonic_ns()}"
    if request.param == "embedded":
        return f"milvus://{tmp_path}/rag.db?collection={collection}"
    return f"{request.getfixturevalue('milvus_server')}?collection={collection}"


def _same_hits(a, b):
    assert [(h.article_id, h.start, h.end, h.kind) for h in a.hits] == \
        [(h.article_id, h.start, h.end, h.kind) for h in b.hits]
    np.testing.assert_allclose([h.score for h in a.hits], [h.score for h in b.hits], atol=1e-4)
    assert (a.abstained, a.abstain_reason) == (b.abstained, b.abstain_reason)


def test_same_answers_as_faiss(store, tmp_path, hash_encoder):
    """Own BM25 in Milvus is the FAISS path's BM25: the same hits, abstentions,
    byline hits and cited answers."""
    build_index(BUNDLED_CORPUS, tmp_path / "folder", encoder=hash_encoder, progress=False)
    report = build_index(BUNDLED_CORPUS, "unused", encoder=hash_encoder, progress=False,
                         store=store)
    assert (report.articles, report.embedded) == (4, report.chunks)
    faiss = Retriever.load(tmp_path / "folder", encoder=hash_encoder)
    milvus = Retriever.load("unused", encoder=hash_encoder, store=store)
    assert not (tmp_path / "unused").exists()  # no index folder for a Milvus index
    assert len(milvus.articles) == 4 and milvus.stored.manifest["chunks"] == report.chunks
    for question in QUESTIONS:
        for mode in ("hybrid", "dense", "bm25"):
            _same_hits(faiss.search(question, 5, mode=mode),
                       milvus.search(question, 5, mode=mode))
        a, b = answer_question(faiss, question), answer_question(milvus, question)
        assert (a.answer, a.abstained, a.citations) == (b.answer, b.abstained, b.citations)
    byline = milvus.search("胡玉玲是哪个单位的？", 3)
    assert byline.hits[0].kind == "byline" and byline.hits[0].author == "胡玉玲"
    # What the learned abstention reads of the corpus: which words it holds, how rare.
    words = list(milvus.analyze("法国的灵活就业人员怎样参保生育保险").words)
    assert [w in milvus.lexicon.vocab for w in words] == [w in faiss.lexicon.vocab for w in words]
    assert "法国" not in milvus.lexicon.vocab
    np.testing.assert_allclose(milvus.keywords.idf(words), faiss.keywords.idf(words))


def test_build_again_is_up_to_date_and_reopens(store, hash_encoder, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", cmrc_articles(6))
    first = build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    again = build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    assert again.up_to_date and (again.chunks, again.embedded) == (first.chunks, 0)
    r = Retriever.load("unused", corpus=corpus, encoder=hash_encoder, store=store)
    record = cmrc_articles(6)[2]
    assert r.article(record["id"]).body == record["text"]
    assert [a.id for a in r.articles] == [a.id for a in load_corpus(corpus)]


def _spy_writes(monkeypatch) -> list[tuple[str, str, object]]:
    """Every upsert, insert and delete the build sends: (kind, collection, rows or filter)."""
    from pymilvus import MilvusClient

    calls = []
    for kind in ("upsert", "insert", "delete"):
        original = getattr(MilvusClient, kind)

        def spy(self, name, data=None, *args, _kind=kind, _original=original, **kwargs):
            calls.append((_kind, name, data if data is not None else kwargs.get("filter")))
            return _original(self, name, data, *args, **kwargs) if data is not None else \
                _original(self, name, *args, **kwargs)

        monkeypatch.setattr(MilvusClient, kind, spy)
    return calls


def test_changes_touch_only_their_articles(store, hash_encoder, tmp_path, monkeypatch):
    """Adding or changing an article upserts its passages only; removing one
    deletes them; the document frequencies (idf) are the corpus's own after."""
    records = cmrc_articles(10)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", records[:8])
    build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)

    changed, removed, added = records[1], records[2], records[8]
    changed = {**changed, "text": changed["text"] + "新的一段说明了修改。"}
    write_jsonl(corpus / "a.jsonl", [records[0], changed, *records[3:8], added])
    calls = _spy_writes(monkeypatch)
    report = build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    monkeypatch.undo()

    target = parse_store(store)
    written = {row["article_id"] for kind, name, rows in calls
               if name == target.table("passages") and kind == "upsert" for row in rows}
    assert written == {changed["id"], added["id"]}
    article_writes = {row["id"] for kind, name, rows in calls
                      if name == target.table("articles") and kind == "insert" for row in rows}
    assert article_writes == {changed["id"], added["id"]}
    assert report.embedded < report.chunks and report.articles == 8

    r = Retriever.load("unused", encoder=hash_encoder, store=store)
    with pytest.raises(KeyError):
        r.article(removed["id"])
    assert not r.stored.store.index.client.query(
        target.table("passages"), filter=f'article_id == "{removed["id"]}"',
        output_fields=["pk"])
    assert r.article(changed["id"]).body.endswith("新的一段说明了修改。")
    fresh = tmp_path / "fresh"
    build_index(corpus, fresh, encoder=hash_encoder, progress=False)
    folder = Retriever.load(fresh, encoder=hash_encoder)
    assert r.stored.manifest["chunks"] == folder.stored.manifest["chunks"]
    tokens = list(r.analyze("《战国无双3》是由哪两个公司合作开发的？修改").tokens)
    np.testing.assert_allclose(r.keywords.idf(tokens), folder.keywords.idf(tokens))
    assert all((t in r.keywords.vocab) == (t in folder.keywords.vocab) for t in tokens)
    hits = r.search("新的一段说明了修改", 1, mode="bm25").hits
    assert hits[0].article_id == changed["id"]


def test_milvus_bm25(store, hash_encoder, tmp_path):
    """Milvus's own BM25 function (jieba analyzer): finds the passages, and
    tells words the corpus holds from words it does not."""
    store = f"{store}&bm25=milvus"
    records = cmrc_articles(8)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", records)
    build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    r = Retriever.load("unused", encoder=hash_encoder, store=store)
    assert r.stored.manifest["bm25"]["kind"] == "milvus"
    questions = cmrc_questions(records)
    found = sum(any(h.article_id == q["article_id"] for h in r.search(q["question"], 5,
                                                                     mode="bm25").hits)
                for q in questions)
    assert found >= 0.8 * len(questions)
    assert "袋鼠" in r.keywords.vocab and "~象棋" in r.keywords.vocab
    assert "量子色动力学" not in r.keywords.vocab
    assert not r.search("量子色动力学", 3, mode="bm25").hits
    # Building again without bm25= keeps the index's own keyword side.
    again = build_index(corpus, "unused", encoder=hash_encoder, progress=False,
                        store=store.replace("&bm25=milvus", ""))
    assert again.up_to_date


def test_long_and_empty_articles_round_trip(store, hash_encoder, tmp_path):
    """An article longer than one VARCHAR (65,535 bytes) is kept in parts;
    a passage without a single token (Milvus refuses empty sparse vectors) is kept."""
    body = "\n\n".join(f"第{i}段：灵活就业人员参加生育保险，按规定享受生育津贴待遇。" * 20
                       for i in range(60))
    record = {"id": "long", "title": "长文", "text": body}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", [record, *cmrc_articles(2)])
    (corpus / "marks.txt").write_text("……！！\n", encoding="utf-8")
    build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    r = Retriever.load("unused", encoder=hash_encoder, store=store)
    assert len(body.encode()) > 65_535
    assert r.article("long") == {a.id: a for a in load_corpus(corpus)}["long"]
    hit = r.search("第37段", 1).hits[0]
    assert hit.text == r.article(hit.article_id).body[hit.start:hit.end]
    assert r.article("marks").body == "……！！"


def test_foreign_or_missing_index_is_refused(tmp_path, hash_encoder):
    store = f"milvus://{tmp_path}/x.db?collection=c"
    with pytest.raises(IndexLoadError, match="no index in milvus://"):
        Retriever.load("unused", encoder=hash_encoder, store=store)
    assert not (tmp_path / "x.db").exists()  # a reader makes no file
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", cmrc_articles(3))
    build_index(corpus, "unused", encoder=hash_encoder, progress=False, store=store)
    with pytest.raises(IndexLoadError, match="built with model 'hash-256'"):
        Retriever.load("unused", model="hash-128", store=store)


def test_store_uris():
    assert parse_store(None) is None and parse_store("faiss") is None
    local = parse_store("milvus:///srv/rag/news.db?collection=news")
    assert (local.uri, local.collection, local.embedded) == ("/srv/rag/news.db", "news", True)
    server = parse_store("milvus://alice:s3cret@db.example:19531?db=archive&secure=true")
    assert (server.uri, server.token, server.db) == ("https://db.example:19531",
                                                     "alice:s3cret", "archive")
    assert "s3cret" not in server.name and "s3cret" not in repr(server)
    assert parse_store("milvus://db.example").uri == "http://db.example:19530"
    assert parse_store("milvus://h:1", token="t").token == "t"
    for bad, message in [("milvus:///srv/x", "ends in .db"), ("pg://x", "unknown store"),
                         ("milvus://h:1?colection=x", "unknown option"),
                         ("milvus://h:1?collection=1x", "collection name"),
                         ("milvus://h:1?bm25=tfidf", "bm25 is one of"),
                         ("milvus://h:port", "expected milvus://host:port")]:
        with pytest.raises(ValueError, match=message):
            parse_store(bad)


def test_cli_build_and_search(tmp_path):
    """`rag build --store` and `rag search --store` through the command line."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", cmrc_articles(4))
    store = f"milvus://{tmp_path}/cli.db"
    env = {**os.environ, "PYTHONPATH": str(BUNDLED_CORPUS.parent), "HF_HUB_OFFLINE": "1"}
    run = [sys.executable, "-m", "rag"]
    built = subprocess.run([*run, "build", "--corpus", str(corpus), "--store", store,
                            "--model", "hash-256", "--json"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["index_dir"].startswith(f"milvus://{tmp_path}/cli.db")
    question = cmrc_questions(cmrc_articles(4))[0]
    found = subprocess.run([*run, "search", question["question"], "--store", store, "--json"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["hits"]
    bad = subprocess.run([*run, "search", "x", "--store", "milvus:///nope"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("rag: error: ")
    assert "Traceback" not in bad.stderr


def test_the_chat_app_serves_a_milvus_index(tmp_path, hash_encoder, capsys):
    """`python ui.py --store milvus://…`: answers and the articles tab come
    from Milvus alone, uploads are off (adding goes through `rag build`), and
    a store it cannot read is a usage error, not a traceback."""
    import argparse

    import ui
    from chatapp import articles, render

    store = f"milvus://{tmp_path}/chat.db?collection=chat"
    build_index(BUNDLED_CORPUS, "unused", encoder=hash_encoder, progress=False, store=store)
    retriever = Retriever.load("unused", encoder=hash_encoder, store=store)
    answer = answer_question(retriever, "职业院校应该健全什么导师制度？")
    page = render.answer_html(retriever, answer, 0)
    assert "双导师" in page and "胡玉玲" in page
    listing = articles.listing(retriever)
    assert len(listing.rows) == 4
    shown = render.article_html(retriever, listing.first)
    assert "生育保障体系" in shown and "班小辉" in shown

    args = argparse.Namespace(no_upload=False, corpus=str(BUNDLED_CORPUS), store=store)
    assert ui.upload_setting(args, [], False, store=parse_store(store)) is False
    assert "rag build --store milvus://" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        ui.main(["--store", "mysql://x"])
    assert exit_.value.code == 2 and "unknown store 'mysql://x'" in capsys.readouterr().err
