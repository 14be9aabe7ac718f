"""The index folder: round trip, manifest, refusal of foreign/stale/broken indexes,
incremental builds and crash safety. All with the model-free HashEncoder except
the one `slow` test."""

import json

import numpy as np
import pytest
from conftest import cmrc_articles

from rag import (
    DEFAULT_MODEL,
    ChunkParams,
    HashEncoder,
    IndexLoadError,
    Retriever,
    StaleIndexError,
    build_index,
    chunk_article,
)
from rag.index import FORMAT_VERSION, embed_text, load_index, read_manifest
from rag.index.faiss_store import choose_index_type
from rag.index.manifest import corpus_fingerprint


class CountingEncoder:
    """Wraps an encoder and counts the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts: list[str] = []

    def encode_passages(self, texts, *, progress=False):
        self.texts.extend(texts)
        return self.inner.encode_passages(texts, progress=progress)

    def encode_queries(self, texts):
        self.texts.extend(texts)
        return self.inner.encode_queries(texts)


def _add_article(corpus, record):
    with open(corpus / "cmrc.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def test_round_trip_keeps_chunks_vectors_and_offsets(hash_index, hash_encoder):
    stored = load_index(hash_index)
    assert len(stored.articles) == 8
    assert len(stored.chunks) == len(stored.vectors) == len(stored.store) > 8
    by_id = {a.id: a for a in stored.articles}
    expected = [c for a in stored.articles for c in chunk_article(a)]
    assert list(stored.chunks) == expected
    assert stored.chunks[-1] == expected[-1] and stored.chunks[1:3] == expected[1:3]
    for chunk in stored.chunks:
        assert chunk.text == by_id[chunk.article_id].body[chunk.start : chunk.end]
    texts = [embed_text(c, by_id[c.article_id]) for c in stored.chunks]
    np.testing.assert_allclose(stored.vectors, hash_encoder.encode(texts), atol=1e-6)
    assert stored.vectors.dtype == np.float32
    assert len(set(stored.keys)) == len(stored.keys)


def test_loaded_index_searches(hash_index):
    retriever = Retriever.load(hash_index, rebuild=False, progress=False)
    article = retriever.articles[0]
    passage = retriever.stored.chunks[0].text
    result = retriever.search(passage, k=3)
    assert result.hits[0].article_id == article.id
    assert result.hits[0].text == passage
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_manifest_describes_the_index(hash_index, small_corpus):
    manifest = json.loads((hash_index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["model"] == "hash-256"
    assert manifest["dim"] == 256
    assert manifest["chunking"] == ChunkParams().to_dict()
    assert manifest["index_type"] == "flat"
    assert manifest["articles"] == 8
    fingerprint = manifest["corpus_fingerprint"]
    assert isinstance(fingerprint, str) and len(fingerprint) == 64
    stored = load_index(hash_index)
    assert fingerprint == corpus_fingerprint(stored.articles)
    assert manifest["chunks"] == len(stored.chunks)
    files = ("articles.jsonl", "articles.npy", "chunks.npy", "vectors.npy", "dense.faiss", "bm25")
    for name in files:
        assert (hash_index / name).exists(), name


def test_index_of_another_model_is_refused_naming_both(hash_index):
    with pytest.raises(IndexLoadError) as err:
        Retriever.load(hash_index, model="hash-128", rebuild=False, progress=False)
    assert "hash-256" in str(err.value) and "hash-128" in str(err.value)
    with pytest.raises(IndexLoadError) as err:
        Retriever.load(hash_index, encoder=HashEncoder(64), rebuild=False, progress=False)
    assert "hash-256" in str(err.value) and "hash-64" in str(err.value)


def test_stale_index_is_reported_or_rebuilt(hash_index, small_corpus, hash_encoder):
    extra = cmrc_articles(9)[-1]
    _add_article(small_corpus, extra)
    with pytest.raises(StaleIndexError) as err:
        Retriever.load(
            hash_index, corpus=small_corpus, encoder=hash_encoder, rebuild=False, progress=False
        )
    assert "stale" in str(err.value)
    retriever = Retriever.load(
        hash_index, corpus=small_corpus, encoder=hash_encoder, progress=False
    )
    assert len(retriever.articles) == 9
    assert any(extra["text"][:20] in a.body for a in retriever.articles)
    # Fresh now: no error without rebuilding.
    Retriever.load(hash_index, corpus=small_corpus, encoder=hash_encoder, rebuild=False,
                   progress=False)


def test_edited_article_makes_the_index_stale(hash_index, small_corpus, hash_encoder):
    path = small_corpus / "cmrc.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("。", "！", 1), encoding="utf-8")
    with pytest.raises(StaleIndexError):
        Retriever.load(
            hash_index, corpus=small_corpus, encoder=hash_encoder, rebuild=False, progress=False
        )


def test_rebuild_without_changes_embeds_nothing(hash_index, small_corpus, hash_encoder):
    counting = CountingEncoder(hash_encoder)
    report = build_index(small_corpus, hash_index, encoder=counting, progress=False)
    assert report.up_to_date
    assert report.embedded == 0 and report.reused == report.chunks > 0
    assert counting.texts == []


def test_adding_one_article_embeds_only_its_chunks(hash_index, small_corpus, hash_encoder):
    from rag.ingest import load_corpus

    before = load_index(hash_index)
    extra = cmrc_articles(9)[-1]
    _add_article(small_corpus, extra)
    new_article = next(a for a in load_corpus(small_corpus) if a.title == extra["title"])
    counting = CountingEncoder(hash_encoder)
    report = build_index(small_corpus, hash_index, encoder=counting, progress=False)
    n_new = len(chunk_article(new_article))
    assert not report.up_to_date
    assert report.embedded == n_new == len(counting.texts) > 0
    assert report.reused == len(before.chunks)
    assert report.chunks == len(before.chunks) + n_new
    # The reused vectors are the old ones, row for row by content key.
    after = load_index(hash_index)
    old = dict(zip(before.keys, before.vectors, strict=True))
    for key, vector in zip(after.keys, after.vectors, strict=True):
        if key in old:
            np.testing.assert_array_equal(vector, old[key])


def test_force_re_embeds_everything(hash_index, small_corpus, hash_encoder):
    counting = CountingEncoder(hash_encoder)
    report = build_index(small_corpus, hash_index, encoder=counting, progress=False, force=True)
    assert report.embedded == report.chunks == len(counting.texts)


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexLoadError, match="no index"):
        Retriever.load(tmp_path / "nowhere", progress=False)


@pytest.mark.parametrize(
    "victim", ["vectors.npy", "chunks.npy", "articles.npy", "articles.jsonl", "dense.faiss"]
)
def test_index_with_a_missing_file_is_refused(hash_index, victim):
    (hash_index / victim).unlink()
    with pytest.raises(IndexLoadError, match="damaged|rebuild"):
        Retriever.load(hash_index, rebuild=False, progress=False)


def test_index_with_a_bad_manifest_is_refused(hash_index):
    (hash_index / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexLoadError, match="manifest"):
        load_index(hash_index)


def test_index_of_another_format_version_is_refused(hash_index):
    path = hash_index / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**manifest, "format_version": 999}), encoding="utf-8")
    with pytest.raises(IndexLoadError, match="format version 999"):
        load_index(hash_index)


def test_inconsistent_index_is_refused(hash_index):
    vectors = np.load(hash_index / "vectors.npy")
    np.save(hash_index / "vectors.npy", vectors[:-1])
    with pytest.raises(IndexLoadError, match="inconsistent"):
        load_index(hash_index)


def test_crash_while_saving_leaves_the_old_index(
    hash_index, small_corpus, hash_encoder, monkeypatch
):
    import bm25s

    before = (hash_index / "manifest.json").read_text(encoding="utf-8")
    _add_article(small_corpus, cmrc_articles(9)[-1])

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bm25s.BM25, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False)
    assert (hash_index / "manifest.json").read_text(encoding="utf-8") == before
    assert len(load_index(hash_index).articles) == 8
    leftovers = [p.name for p in hash_index.parent.iterdir() if p.name.startswith(".index")]
    assert leftovers == [".index.lock"]  # the build lock's file stays (see rag/index/lock.py)


def test_build_from_an_article_list(tmp_path, hash_encoder):
    from rag import Article

    articles = [Article(id=r["id"], title=r["title"], body=r["text"]) for r in cmrc_articles(3)]
    report = build_index(articles, tmp_path / "ix", encoder=hash_encoder, progress=False)
    assert report.articles == 3 and report.embedded == report.chunks
    assert read_manifest(tmp_path / "ix")["corpus_dir"] is None


def test_empty_corpus_is_refused(tmp_path, hash_encoder):
    with pytest.raises(ValueError):
        build_index([], tmp_path / "ix", encoder=hash_encoder, progress=False)


@pytest.mark.slow
def test_real_model_finds_the_seed_answer(real_retriever):
    assert real_retriever.manifest["model"] == DEFAULT_MODEL
    result = real_retriever.search("习近平总书记在哪个大会上发表了重要讲话？", k=5)
    assert not result.abstained
    compact = ["".join(h.text.split()) for h in result.hits]
    assert any("庆祝中华全国总工会成立100周年" in t for t in compact)


def test_articles_are_found_by_id_and_read_on_demand(hash_index):
    stored = load_index(hash_index)
    articles = list(stored.articles)
    assert stored.articles.get(articles[5].id) == articles[5]
    assert stored.articles[-1] == articles[-1]
    with pytest.raises(KeyError):
        stored.articles.get("no such article")
    with pytest.raises(IndexError):
        stored.articles[len(articles)]


def test_truncated_passage_table_is_refused(hash_index):
    rows = np.load(hash_index / "chunks.npy")
    np.save(hash_index / "chunks.npy", rows[:-1])
    with pytest.raises(IndexLoadError, match="inconsistent"):
        load_index(hash_index)


def test_upgrading_a_format_1_index_reuses_its_embeddings(hash_index, small_corpus, hash_encoder):
    """An index from the previous format is rebuilt, but its vectors are kept:
    nothing is embedded again."""
    stored = load_index(hash_index)
    keys = [k.decode() for k in stored.keys]
    path = hash_index / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    with open(hash_index / "chunks.jsonl", "w", encoding="utf-8") as f:
        for chunk, key in zip(stored.chunks, keys, strict=True):
            f.write(json.dumps({**chunk.to_dict(), "key": key}, ensure_ascii=False) + "\n")
    for name in ("chunks.npy", "articles.npy"):
        (hash_index / name).unlink()
    path.write_text(json.dumps({**manifest, "format_version": 1}), encoding="utf-8")
    with pytest.raises(IndexLoadError, match="format version 1"):
        load_index(hash_index)
    counting = CountingEncoder(hash_encoder)
    report = build_index(small_corpus, hash_index, encoder=counting, progress=False)
    assert report.embedded == 0 and report.reused == report.chunks == len(keys)
    assert load_index(hash_index).manifest["format_version"] == FORMAT_VERSION


def _bm25_scores(index, queries):
    stored = load_index(index)
    from rag.text import tokenize

    out = []
    for q in queries:
        tokens = [t for t in tokenize(q) if t in stored.bm25.vocab_dict]
        out.append(np.asarray(stored.bm25.get_scores(tokens)) if tokens else None)
    return out


def test_rebuilds_tokenize_only_new_passages_and_score_like_a_fresh_build(
    hash_index, small_corpus, hash_encoder, tmp_path, monkeypatch
):
    """Adding an article tokenizes its passages only; removing one drops its
    words. Either way BM25 scores every passage as a from-scratch build would."""
    import rag.index.keywords

    calls = []
    keywords = rag.index.keywords
    real_tokenize = keywords.tokenize
    monkeypatch.setattr(keywords, "tokenize", lambda t: calls.append(t) or real_tokenize(t))
    records = cmrc_articles(10)
    _add_article(small_corpus, records[8])
    report = build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False)
    assert len(calls) == report.embedded > 0  # the new article's passages, nothing else

    queries = [r["text"][:30] for r in records[:9]] + ["篮球 比赛", "no such word 无此词语"]
    fresh = tmp_path / "fresh"
    build_index(small_corpus, fresh, encoder=hash_encoder, progress=False)
    _assert_same_scores(_bm25_scores(hash_index, queries), _bm25_scores(fresh, queries))

    # Remove the first article: its words leave the vocabulary, scores still match.
    lines = (small_corpus / "cmrc.jsonl").read_text(encoding="utf-8").splitlines()
    (small_corpus / "cmrc.jsonl").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    calls.clear()
    build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False)
    assert calls == []
    build_index(small_corpus, fresh, encoder=hash_encoder, progress=False, force=True)
    assert (load_index(hash_index).bm25.vocab_dict.keys()
            == load_index(fresh).bm25.vocab_dict.keys())
    _assert_same_scores(_bm25_scores(hash_index, queries), _bm25_scores(fresh, queries))


def _assert_same_scores(got, want):
    assert [g is None for g in got] == [w is None for w in want]
    assert sum(g is not None and g.max() > 0 for g in got) >= 9  # the check has teeth
    for g, w in zip(got, want, strict=True):
        if g is not None:
            np.testing.assert_allclose(g, w, rtol=1e-5)


def test_unchanged_corpus_files_are_not_read_again(hash_index, small_corpus, hash_encoder,
                                                    monkeypatch):
    """A big archive takes minutes to read and fingerprint: when no corpus file
    changed (names, sizes, modification times) the index is fresh without it."""
    import os

    import rag.ingest

    real_read = rag.ingest.read_corpus
    reads = []
    monkeypatch.setattr(rag.ingest, "read_corpus", lambda f: reads.append(f) or real_read(f))
    report = build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False)
    assert report.up_to_date and reads == []
    Retriever.load(hash_index, corpus=small_corpus, encoder=hash_encoder, rebuild=False,
                   progress=False)
    assert reads == []

    # Touched but identical: read once, found fresh, not read again after.
    path = small_corpus / "cmrc.jsonl"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False).up_to_date
    assert len(reads) == 1
    assert build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False).up_to_date
    assert len(reads) == 1

    # Changed: noticed, by the build and by a load that may not rebuild.
    _add_article(small_corpus, cmrc_articles(9)[-1])
    with pytest.raises(StaleIndexError):
        Retriever.load(hash_index, corpus=small_corpus, encoder=hash_encoder, rebuild=False,
                       progress=False)
    report = build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False)
    assert not report.up_to_date and report.articles == 9


def test_loaded_index_reads_rows_and_postings_like_the_arrays_on_disk(hash_index):
    """Vectors and BM25 postings are read on demand (not memory-mapped): the
    same numbers as the saved arrays and as bm25s's own scoring."""
    import bm25s

    from rag.text import tokenize

    stored = load_index(hash_index)
    on_disk = np.load(hash_index / "vectors.npy")
    rows = np.array([0, 3, len(on_disk) - 1])
    np.testing.assert_array_equal(stored.vectors[rows], on_disk[rows])
    np.testing.assert_array_equal(stored.vectors[2], on_disk[2])
    np.testing.assert_array_equal(stored.vectors[1:4], on_disk[1:4])
    np.testing.assert_array_equal(np.asarray(stored.vectors), on_disk)
    reference = bm25s.BM25.load(str(hash_index / "bm25"))
    text = stored.chunks[1].text[:40]
    tokens = [t for t in tokenize(text) if t in reference.vocab_dict]
    tokens += tokens[:2]  # a repeated token counts twice, as in bm25s
    got = stored.bm25.get_scores(tokens)
    np.testing.assert_allclose(got, reference.get_scores(tokens), rtol=1e-6)
    assert got.argmax() == 1
    assert not stored.bm25.get_scores(["no-such-token"]).any()


@pytest.mark.slow
def test_one_question_is_embedded_as_model_encode_would(m3e_retriever):
    """Questions take a shorter path through the model than batches do; the
    vectors must not differ, or the index would answer differently."""
    encoder = m3e_retriever.encoder
    long_text = "灵活就业人员生育保险" * 200  # beyond the model's 512 tokens: truncated alike
    texts = ["灵活就业人员能领生育津贴吗？", "What is the capital of France?", long_text]
    one_by_one = np.vstack([encoder.encode_queries([t]) for t in texts])
    batch = encoder.model.encode(texts, normalize_embeddings=True)
    assert one_by_one.dtype == np.float32 and one_by_one.shape == (3, 512)
    assert np.abs(one_by_one - batch).max() < 1e-5


@pytest.mark.parametrize("index_type", ["hnsw", "hnsw-sq8"])
def test_graph_indexes_rank_like_exact_search(tmp_path, small_corpus, hash_encoder, index_type):
    """The types a big corpus gets answer a small one as exact search does
    (the graph reaches every passage; candidates are re-scored exactly)."""
    exact = Retriever.load(tmp_path / "flat", corpus=small_corpus, encoder=hash_encoder,
                           progress=False)
    build_index(small_corpus, tmp_path / "graph", encoder=hash_encoder, progress=False,
                index_type=index_type)
    graph = Retriever.load(tmp_path / "graph", encoder=hash_encoder, rebuild=False,
                           progress=False)
    assert graph.manifest["index_type"] == index_type
    for passage in [exact.stored.chunks[i].text for i in (0, 7, 20)]:
        question = passage[10:60]
        ranked = [(h.chunk_id, round(h.score, 4)) for h in graph.search(question, k=3).hits]
        assert ranked == [(h.chunk_id, round(h.score, 4)) for h in exact.search(question, k=3).hits]


def test_index_type_grows_with_the_corpus():
    assert [choose_index_type(n) for n in (1_000, 100_000, 1_000_000)] == [
        "flat", "hnsw", "hnsw-sq8"]
