"""Dense candidates: the question's vector and the passages nearest it."""

from __future__ import annotations

from concurrent.futures import Future


class DenseCandidates:
    name = "dense"

    def __call__(self, state) -> None:
        if state.mode == "bm25":
            return
        state.query_vector = state.query.vector(state.retriever.encoder, state.text)
        if state.fixed_rows is not None:
            return
        store = state.retriever.store
        if store.searches_in_background:
            # A graph index walks its graph on one core (releasing the GIL)
            # while this thread tokenizes and scores BM25 on the other: 9.9 ->
            # 8.1 ms at 1M passages. Exact search brings its own threads and
            # gains nothing.
            state.dense_rows = state.retriever.background(
                lambda: store.search(state.query_vector, state.n, within=state.within))
        else:
            state.dense_rows = Future()
            state.dense_rows.set_result(store.search(state.query_vector, state.n,
                                                     within=state.within))
