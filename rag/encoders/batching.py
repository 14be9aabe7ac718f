"""An encoder several threads can share: one thread encodes at a time, and it
encodes every request that is waiting, together, in one batch.

A Hugging Face fast tokenizer is not thread-safe (concurrent calls fail with
"Already borrowed"), so the model needs a lock; and while one request
encodes, the others' texts gather, so a busy server makes fewer, larger model
calls instead of queueing single ones (micro-batching). A lone caller pays
one uncontended lock and takes the encoder's own single-text path.

`encode_cached` keeps the vectors of texts that recur (the sentences of the
corpus's passages, which answers quote again and again) in a bounded LRU:
choosing an answer's sentences then costs the model nothing for passages
already seen, and the model lock is held only for new text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class _Request:
    __slots__ = ("texts", "queries", "vectors", "error", "done")

    def __init__(self, texts: list[str], queries: bool):
        self.texts = texts
        self.queries = queries  # questions and passages are encoded apart
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = False


class BatchingEncoder:
    """Wraps any encoder (encode_queries / encode_passages); `name`, `dim`
    and everything else are the wrapped encoder's."""

    def __init__(self, inner, *, cache_size: int = 20_000):
        self.inner = inner
        self.cache_size = cache_size  # texts; 2 KB each at 512 dimensions
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._pending: list[_Request] = []
        self._pending_lock = threading.Lock()
        self._model_lock = threading.Lock()  # held by the one thread encoding
        self.batches = 0  # model calls made, for tests and the load benchmark

    def __getattr__(self, name):  # name, dim, model ... of the wrapped encoder
        return getattr(self.inner, name)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        if progress or not texts:  # an index build: one caller, its own batching
            with self._model_lock:
                return self.inner.encode_passages(texts, progress=progress)
        return self._encode(texts, False)

    def _encode(self, texts: list[str], queries: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.inner.dim), dtype=np.float32)
        request = _Request(texts, queries)
        with self._pending_lock:
            self._pending.append(request)
        with self._model_lock:
            if not request.done:  # else an earlier holder encoded it with its batch
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                self._run(batch)
        if request.error is not None:
            raise request.error
        return request.vectors

    def encode_cached(self, texts: list[str]) -> np.ndarray:
        """`encode_passages(texts)`, remembering each text's vector for next time."""
        texts = list(texts)
        with self._cache_lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
            for t in known:
                self._cache.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            vectors = self.encode_passages(missing)
            with self._cache_lock:
                for t, v in zip(missing, vectors, strict=True):
                    known[t] = self._cache[t] = v
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.inner.dim), dtype=np.float32)
        return np.vstack([known[t] for t in texts])

    def _run(self, batch: list[_Request]) -> None:
        for queries in (True, False):
            side = [r for r in batch if r.queries == queries]
            if side:
                self._run_side(side, queries)

    def _run_side(self, batch: list[_Request], queries: bool) -> None:
        self.batches += 1
        encode = self.inner.encode_queries if queries else self.inner.encode_passages
        try:
            if len(batch) == 1:
                vectors = [encode(batch[0].texts)]
            else:
                joined = encode([t for r in batch for t in r.texts])
                bounds = np.cumsum([0] + [len(r.texts) for r in batch])
                vectors = [joined[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
            for request, rows in zip(batch, vectors, strict=True):
                request.vectors = rows
        except BaseException as error:  # every waiter hears of it, not only this one
            for request in batch:
                request.error = error
        finally:
            for request in batch:
                request.done = True
