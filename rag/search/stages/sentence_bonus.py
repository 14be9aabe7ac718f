"""A passage holding most of the question's words in ONE sentence gains up to
sentence_weight: answers sit in a sentence, and long passages otherwise win
on words scattered over them."""

from __future__ import annotations

import heapq

import numpy as np


class SentenceBonus:
    name = "sentence_bonus"

    def __call__(self, state) -> None:
        """Best first: once a passage's score plus the whole bonus falls below
        the k-th best final score so far, no later passage can reach the top
        k, so their sentences are never read (on a cold query, reading a
        passage is most of its cost). The top k is the same as with every
        bonus added."""
        bonus = state.params.sentence_weight
        words, scores, rows = state.words, state.scores, state.rows
        if (state.bm25 is None or not len(rows) or not bonus or not words
                or not state.params.uses(self.name)):
            return
        passages, k = state.retriever.passages, state.k
        best: list[float] = []  # min-heap of the k best final scores so far
        for j in np.argsort(-scores, kind="stable"):
            if len(best) == k and scores[j] + bonus < best[0]:
                break
            scores[j] += bonus * passages.sentence_coverage(int(rows[j]), words)
            (heapq.heappush if len(best) < k else heapq.heappushpop)(best, float(scores[j]))
