"""Keyword evidence: BM25 over the question's tokens (jieba words and
character bigrams), plus the attributive compounds of its predicative
phrases (收入低 also matches 低收入), weighted as the phrase it rewrites."""

from __future__ import annotations


class KeywordCandidates:
    name = "keyword"

    def __call__(self, state) -> None:
        if state.mode == "dense":
            return
        words = set(state.words)
        compounds = [c for c, weight in state.compounds if c not in words for _ in range(weight)]
        state.bm25 = state.retriever.keyword_scores(state.tokens + compounds)
