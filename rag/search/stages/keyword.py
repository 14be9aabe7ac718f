"""Keyword evidence: BM25 over the question's tokens (jieba words and
character bigrams)."""

from __future__ import annotations


class KeywordCandidates:
    name = "keyword"

    def __call__(self, state) -> None:
        if state.mode == "dense":
            return
        state.bm25 = state.retriever.keyword_scores(state.tokens)
