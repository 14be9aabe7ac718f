"""The retriever: an opened index, an encoder and a pipeline of search stages.

    r = Retriever.load("index")
    res = r.search("灵活就业人员能领生育津贴吗？", k=5)

A question is analysed once (`analyze` -> `Query`) and handed through the
stages named in `RetrievalParams.stages` (see pipeline.py).
"""

from __future__ import annotations

import copy
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path

from ..encoders import Encoder, load_encoder
from ..encoders.batching import BatchingEncoder
from ..index import (
    DEFAULT_INDEX,
    IndexLoadError,
    StoredIndex,
    build_index,
    check_model,
    check_usable,
)
from ..index.keyword_index import KeywordIndex
from ..index.location import index_location
from ..index.progress import ProgressReport
from ..types import Article, Hit, SearchResult
from . import crosslingual, places
from .abstainer import bundled_for
from .filters import NO_MATCH, Filters, Subset
from .inputs import check_k, check_mode
from .lexicon import Lexicon
from .params import DEFAULT_PARAMS, RetrievalParams
from .passages import FoldedPassages
from .pipeline import SearchState, run
from .profiles import profile_for
from .query import Query, analyze
from .stages import make_stages
from .stages.fusion import Calibration


class Retriever:
    def __init__(self, stored: StoredIndex, encoder: Encoder,
                 params: RetrievalParams = DEFAULT_PARAMS):
        self.stored = stored
        # Safe to share between threads (a chat server's requests): one thread
        # encodes at a time, batching what the others wait to encode.
        self.encoder = encoder if isinstance(encoder, BatchingEncoder) else BatchingEncoder(encoder)
        # What was fitted on this encoder's vectors: the fusion weighting, the
        # cosine bars (profiles.py) and the learned abstention.
        self.profile = profile_for(encoder.name)
        self.params = params.fitted(self.profile)
        self.manifest = stored.manifest
        self.store = stored.store
        self.articles = stored.articles  # a lazy sequence: articles are parsed when read
        self.passages = FoldedPassages(stored)
        self.calibration = Calibration(stored.store, params.calibration_sample)
        # The learned abstention, when the shipped model was fitted on this
        # index's encoder; the hand bars (low_evidence) otherwise.
        self.abstainer = bundled_for(encoder.name)
        self._stages = make_stages(params.stages)
        self.filters = Filters()
        self._subset: Subset | None = None

    # -- loading -------------------------------------------------------------

    @classmethod
    def load(
        cls,
        index_dir: str | Path = DEFAULT_INDEX,
        *,
        corpus: str | Path | None = None,
        model: str | None = None,
        encoder: Encoder | None = None,
        rebuild: bool = True,
        progress: bool | ProgressReport = True,
        params: RetrievalParams = DEFAULT_PARAMS,
        backend: str | None = None,
        store=None,
    ) -> Retriever:
        """Open an index, building or refreshing it from `corpus` when it is
        missing or stale (`rebuild=False` raises instead).

        Without `corpus`, the folder recorded at build time is checked for
        changes; the bundled index is built from the bundled corpus if missing.
        `backend="onnx"` runs the model with ONNX Runtime (same vectors, faster).
        `store="milvus://…"` opens (and builds) the index in Milvus instead of
        the folder `index_dir` (see rag/index/milvus/target.py).
        """
        if not isinstance(index_dir, (str, os.PathLike)):
            raise ValueError(f"index_dir must be a folder path, not {type(index_dir).__name__}")
        location = index_location(index_dir, store)
        wanted = encoder.name if encoder is not None else model
        try:
            manifest = location.read_manifest()
        except IndexLoadError:
            manifest = None
        if manifest is not None:  # before any model is loaded: refuse a foreign index at once
            check_usable(manifest, location.name, wanted=wanted,
                         wanted_dim=encoder.dim if encoder is not None else None)
        corpus_dir = Path(corpus) if corpus is not None else location.recorded_corpus()
        if corpus_dir is not None and corpus_dir.is_dir():
            if rebuild or manifest is None:
                name = wanted or (manifest or {}).get("model")
                build_index(corpus_dir, index_dir, model=name, encoder=encoder, progress=progress,
                            backend=backend, store=store)
            else:
                location.check_fresh(corpus_dir)
        stored = location.open()
        encoder = encoder or load_encoder(stored.manifest["model"], backend=backend)
        check_model(stored.manifest, encoder.name, encoder.dim, location.name)
        return cls(stored, encoder, params)

    def with_params(self, params: RetrievalParams) -> Retriever:
        """The same index and encoder searched with other settings (cheap)."""
        other = copy.copy(self)
        other.params = params.fitted(self.profile)
        other._stages = make_stages(params.stages)
        if params.calibration_sample != self.params.calibration_sample:
            other.calibration = Calibration(self.store, params.calibration_sample)
        return other

    def with_filters(self, filters: Filters | dict | None) -> Retriever:
        """The same index searched only within the articles `filters` lets
        through (a Filters, or a dict for Filters.from_mapping); every search
        of the copy, the answer's follow-up searches too, is filtered."""
        if not isinstance(filters, Filters):
            filters = Filters.from_mapping(filters)
        other = copy.copy(self)
        other.filters = filters
        other._subset = self.subset(filters) if filters else None
        return other

    def subset(self, filters: Filters) -> Subset:
        """The articles and passages `filters` lets through, worked out from
        the listing columns (id, author, date, source) before any ranking."""
        columns = self._columns
        rows = filters.article_rows(columns)
        ids = tuple(columns["id"][int(i)] for i in rows)
        passages = self.stored.chunks.of_articles(rows) if ids else None
        kept = set(ids)
        return Subset(ids, passages, tuple(i for i in columns["id"] if i not in kept))

    @cached_property
    def _columns(self) -> dict[str, list[str]]:
        return self.articles.columns()

    def warm_up(self) -> None:
        """Load now what the first questions would otherwise wait for: the
        model's first pass, jieba's dictionary, the tables for traditional
        characters, English and place names (~3 s in all; the first English
        question alone took 1.6 s). The chat calls it in the background as
        it starts."""
        from .. import text

        self.encoder.encode_queries(["灵活就业人员"])
        text.warm_up()
        crosslingual.warm_up()
        places.gazetteer()
        self.lexicon.warm_up()

    def article(self, article_id: str) -> Article:
        return self.articles.get(article_id)

    # -- search --------------------------------------------------------------

    def analyze(self, question: str, *, history=()) -> Query:
        """Read `question` once (with the conversation's earlier user `history`)."""
        return analyze(question, self.lexicon, self.params, history)

    def search(self, query: str | Query, k: int = 5, *, mode: str = "hybrid",
               filters: Filters | dict | None = None) -> SearchResult:
        """The k (1 to MAX_K) best passages for `query` (a question or an analysed
        Query), only from the articles `filters` lets through (see with_filters);
        bad input is a ValueError. When no article passes, the result has no
        hits and abstains with the reason "no_article_matches_filters"."""
        if filters:
            return self.with_filters(filters).search(query, k, mode=mode)
        return self.trace(query, k, mode=mode).result(self.pipeline)

    @property
    def pipeline(self) -> tuple[str, ...]:
        """The stages and switched-off rules, and what was not fitted on this encoder."""
        notes = []
        if self.profile.encoder != self.encoder.name:
            notes.append(f"(no profile fitted for {self.encoder.name})")
        if self.abstainer is None and self.params.uses("learned_abstention"):
            notes.append(f"(no abstention model for {self.encoder.name})")
        return (*self.params.pipeline, *notes)

    def trace(self, query: str | Query, k: int = 5, *, mode: str = "hybrid") -> SearchState:
        """The search's working state after every stage ran: candidates, their
        scores and evidence (for analysis, training and debugging)."""
        mode, k = check_mode(mode), check_k(k)
        if not isinstance(query, Query):
            query = self.analyze(query)
        state = SearchState(self, query, k, mode)
        if self._subset is not None:
            state.within = self._subset
            if self._subset.empty:
                state.abstain(NO_MATCH)
                return state
        return run(self._stages, state)

    # -- what stages use ------------------------------------------------------

    @property
    def keywords(self) -> KeywordIndex:
        return self.stored.bm25

    @cached_property
    def lexicon(self) -> Lexicon:
        return Lexicon(self.keywords.vocab, self.articles.authors, self.articles.affiliations)

    def background(self, fn, *args):
        return self._worker.submit(fn, *args)

    @cached_property
    def _worker(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-dense")

    def hit(self, row: int, score: float) -> Hit:
        chunk, article = self.passages.chunk(row)
        return Hit(text=chunk.text, score=score, article_id=chunk.article_id,
                   title=article.title, author=article.author, section=chunk.section,
                   paragraph=chunk.paragraph, start=chunk.start, end=chunk.end,
                   chunk_id=chunk.id)
