"""The keyword-side interface the search stages use, whatever holds the BM25
statistics: local posting lists (keywords.Postings) or a Milvus collection
(milvus/keywords.py).

A question never needs the score of every passage, which a cluster of
hundreds of millions of passages could not hand back: it needs the best n
passages, the best score (fusion divides by it), the scores of a few other
candidates (the dense side's), how rare its words are, and whether the corpus
holds a word at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Container

import numpy as np


class KeywordHits(ABC):
    """One question's keyword matches."""

    rows: np.ndarray  # the (up to) n best passages with a positive score, int64, any order
    best: float  # the highest score of any passage; 0 when none matches

    @abstractmethod
    def of(self, rows: np.ndarray) -> np.ndarray:
        """float32 scores of `rows` (0 where a passage matches nothing)."""


class KeywordIndex(ABC):
    """BM25 over the passages of one index."""

    # Whether the corpus holds a token (`token in vocab`): translation of
    # English questions and the "place the corpus never mentions" rule read it.
    vocab: Container[str]

    @abstractmethod
    def idf(self, tokens: list[str]) -> np.ndarray:
        """How rare each token is (BM25's idf; an unknown token counts as in no passage)."""

    @abstractmethod
    def search(self, tokens: list[str], n: int, *, text: str = "",
               within=None) -> KeywordHits:
        """The matches of a question's BM25 `tokens` (a repeated token counts
        again); `text`, the normalised question, is for an index that
        tokenizes for itself; `within` (a filters.Subset) keeps the matches
        to the passages of the articles a filtered search may quote."""


class NoHits(KeywordHits):
    """A question with no token the corpus holds."""

    def __init__(self):
        self.rows, self.best = np.zeros(0, dtype=np.int64), 0.0

    def of(self, rows: np.ndarray) -> np.ndarray:
        return np.zeros(len(rows), dtype=np.float32)


class AllScores(KeywordHits):
    """Hits over the score of every passage, for an index that has them at hand."""

    def __init__(self, scores: np.ndarray, n: int):
        self._scores = scores
        self.best = float(scores.max()) if len(scores) else 0.0
        if self.best <= 0:
            self.rows = np.zeros(0, dtype=np.int64)
            return
        # (-scores, kth small): ~25x faster than the top end of the scores
        # themselves, whose many zeros make the selection degenerate.
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
        self.rows = top[scores[top] > 0].astype(np.int64)

    def of(self, rows: np.ndarray) -> np.ndarray:
        return self._scores[rows]
