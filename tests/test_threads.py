"""A retriever shared by many threads, as the chat server shares it: the
encoder is used by one thread at a time and batches what the others wait to
encode; answers never mix."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import rag
from rag.encoders import SymmetricEncoder
from rag.encoders.batching import BatchingEncoder


class SlowEncoder(SymmetricEncoder):
    """Counts model calls and fails if two threads are inside at once (as a
    fast tokenizer does: "Already borrowed")."""

    name, dim = "hash-256", 256

    def __init__(self):
        self.inner = rag.HashEncoder(256)
        self.inside = threading.Lock()
        self.calls: list[int] = []

    def encode(self, texts, *, progress=False):
        if not self.inside.acquire(blocking=False):
            raise RuntimeError("Already borrowed")
        try:
            time.sleep(0.02)
            self.calls.append(len(texts))
            return self.inner.encode(texts)
        finally:
            self.inside.release()


def test_concurrent_encodes_are_batched_and_each_gets_its_own_rows():
    slow = SlowEncoder()
    encoder = BatchingEncoder(slow)
    texts = [[f"问题{i}", f"句子{i}甲", f"句子{i}乙"][: 1 + i % 3] for i in range(40)]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(encoder.encode_queries, texts))
    for batch, rows in zip(texts, results, strict=True):
        assert np.allclose(rows, slow.inner.encode(batch))
    assert sum(slow.calls) == sum(map(len, texts))
    assert len(slow.calls) < len(texts)  # waiting requests shared model calls
    assert encoder.name == "hash-256" and encoder.dim == 256


def test_an_encoder_error_reaches_every_waiting_caller():
    class Broken(SymmetricEncoder):
        name, dim = "broken", 8

        def encode(self, texts, *, progress=False):
            time.sleep(0.01)
            raise RuntimeError("model failed")

    encoder = BatchingEncoder(Broken())
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(encoder.encode_queries, ["x"]) for _ in range(8)]
    for f in futures:
        with pytest.raises(RuntimeError, match="model failed"):
            f.result()


def test_threads_sharing_a_retriever_get_their_own_answers(tmp_path, small_corpus):
    index = tmp_path / "index"
    rag.build_index(small_corpus, index, encoder=rag.HashEncoder(), progress=False)
    slow = SlowEncoder()
    retriever = rag.Retriever.load(index, encoder=slow, progress=False)
    questions = [a.title.rstrip("…") + "是什么？" for a in retriever.articles] * 4
    alone = {q: rag.answer_question(retriever, q).to_dict() for q in set(questions)}
    with ThreadPoolExecutor(12) as pool:
        together = list(pool.map(lambda q: rag.answer_question(retriever, q).to_dict(), questions))
    for question, answer in zip(questions, together, strict=True):
        assert answer == alone[question]


def test_recurring_texts_are_encoded_once():
    slow = SlowEncoder()
    encoder = BatchingEncoder(slow, cache_size=3)
    first = encoder.encode_cached(["甲", "乙", "甲"])
    assert slow.calls == [2] and np.allclose(first[0], first[2])
    again = encoder.encode_cached(["乙", "丙", "丁"])
    assert slow.calls == [2, 2]  # 乙 was known
    assert np.allclose(again, slow.inner.encode(["乙", "丙", "丁"]))
    encoder.encode_cached(["甲"])  # pushed out by 丙 and 丁 (3 kept)
    assert slow.calls == [2, 2, 1]
    assert encoder.encode_cached([]).shape == (0, 256)


def test_questions_and_passages_waiting_together_are_encoded_apart():
    """An asymmetric model (e5) embeds a question and a passage differently:
    requests batched together still take their own side."""

    class Asymmetric:
        name, dim = "asym", 256

        def __init__(self):
            self.inner = rag.HashEncoder(256)

        def encode_queries(self, texts):
            time.sleep(0.01)
            return self.inner.encode(["query: " + t for t in texts])

        def encode_passages(self, texts, *, progress=False):
            time.sleep(0.01)
            return self.inner.encode(["passage: " + t for t in texts])

    model = Asymmetric()
    encoder = BatchingEncoder(model)
    jobs = [(i % 2 == 0, [f"文本{i}"]) for i in range(24)]
    with ThreadPoolExecutor(12) as pool:
        rows = list(pool.map(lambda job: (encoder.encode_queries if job[0]
                                          else encoder.encode_passages)(job[1]), jobs))
    for (queries, texts), got in zip(jobs, rows, strict=True):
        want = model.encode_queries(texts) if queries else model.encode_passages(texts)
        assert np.allclose(got, want)
