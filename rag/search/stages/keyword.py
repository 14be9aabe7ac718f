"""Keyword evidence: BM25 over the question's tokens (jieba words and
character bigrams): the best passages and a way to score any other."""

from __future__ import annotations


class KeywordCandidates:
    name = "keyword"

    def __call__(self, state) -> None:
        if state.mode == "dense":
            return
        state.bm25 = state.retriever.keywords.search(state.tokens, state.n, text=state.text,
                                                     within=state.within)
