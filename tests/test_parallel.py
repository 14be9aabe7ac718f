"""A build's encoding spread over processes or a local Ray: the same vectors
as one process computes."""

import numpy as np
import pytest
from conftest import cmrc_articles, write_jsonl

from rag import HashEncoder, build_index, load_encoder
from rag.index import load_index
from rag.index.build import embed_all
from rag.index.parallel import batches, embed_parallel

TEXTS = [f"第{i}段：灵活就业人员参加生育保险，按规定享受生育津贴。" * (1 + i % 7)
         for i in range(150)]


def test_batches_are_the_single_process_ones():
    plan = batches(TEXTS, 16)
    assert sorted(i for rows in plan for i in rows) == list(range(len(TEXTS)))
    lengths = [len(TEXTS[i]) for rows in plan for i in rows]
    assert lengths == sorted(lengths, reverse=True) and all(len(r) == 16 for r in plan[:-1])


def test_processes_give_the_same_vectors():
    single = embed_all(HashEncoder(64), TEXTS, progress=False)
    spread = embed_parallel(TEXTS, model="hash-64", workers=2, batch=16, progress=False)
    assert np.array_equal(single, spread)


def test_build_with_workers(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", cmrc_articles(8))
    build_index(corpus, tmp_path / "one", model="hash-128", progress=False)
    report = build_index(corpus, tmp_path / "two", model="hash-128", progress=False, workers=2)
    assert report.embedded == report.chunks
    assert np.array_equal(np.asarray(load_index(tmp_path / "one").vectors),
                          np.asarray(load_index(tmp_path / "two").vectors))
    with pytest.raises(ValueError, match="workers must be at least 1"):
        embed_parallel(TEXTS, model="hash-64", workers=0)


def test_local_ray_gives_the_same_vectors():
    pytest.importorskip("ray")
    single = embed_all(HashEncoder(64), TEXTS, progress=False)
    spread = embed_parallel(TEXTS, model="hash-64", workers=2, ray="local", batch=16,
                            progress=False)
    assert np.array_equal(single, spread)


@pytest.mark.slow
def test_real_model_in_processes(monkeypatch):
    """m3e-small: two single-threaded processes give the vectors one
    multi-threaded process gives, bit for bit (the batches are the same)."""
    monkeypatch.setattr("rag.index.build.EMBED_BATCH", 16)
    texts = [t[: 40 + 7 * i] for i, t in enumerate(TEXTS[:40])]
    single = embed_all(load_encoder("m3e-small"), texts, progress=False)
    spread = embed_parallel(texts, model="m3e-small", workers=2, batch=16, progress=False)
    assert np.array_equal(single, spread)
