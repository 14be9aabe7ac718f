"""A search as a list of stages over one working state.

Each stage is a small callable with a name, in its own module under
`stages/`, registered in `stages/__init__.py`; `RetrievalParams.stages`
lists the ones a retriever runs, in order:

    byline_article -> dense -> keyword -> fusion -> sentence_bonus -> named_entity
      -> abstention -> byline_hit

Candidate stages propose passages and their evidence, fusion scores them,
re-ranking stages adjust the scores, abstention decides whether the best
passage answers, and injection stages add hits (a byline). A stage reads the
analysed `Query` and the state, and writes the state; none parses the
question again.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..index.keyword_index import KeywordHits
from ..types import Hit, SearchResult
from .params import RetrievalParams
from .query import Query

if TYPE_CHECKING:
    from .retriever import Retriever


class Stage(Protocol):
    name: str

    def __call__(self, state: SearchState) -> None: ...


class SearchState:
    """Everything one search knows so far, handed from stage to stage."""

    def __init__(self, retriever: Retriever, query: Query, k: int, mode: str):
        self.retriever = retriever
        self.query = query
        self.k = k
        self.mode = mode
        self.params: RetrievalParams = retriever.params
        self.n = min(max(self.params.candidates, k), len(retriever.stored.chunks))
        # What the dense and keyword sides rank by; a stage may put other text
        # in its place (a byline question ranks by the article's headline).
        self.text = query.text
        self.tokens: list[str] = list(query.tokens)
        self.words: list[str] = list(query.words)
        self.fixed_rows: np.ndarray | None = None  # the only candidates, when set
        self.within = None  # filters.Subset: the passages a filtered search may rank
        self.about: tuple[int, ...] = ()  # article rows the question is about
        self.query_vector: np.ndarray | None = None
        self.dense_rows: Future | None = None
        self.bm25: KeywordHits | None = None  # the best keyword matches; scores any passage
        self.rows = np.zeros(0, dtype=np.int64)  # candidates after fusion
        self.scores = np.zeros(0, dtype=np.float32)
        self.cosines: np.ndarray | None = None  # each candidate's cosine to the question
        self.dense_weight: float | None = None  # what fusion gave the dense side
        self.confidence: float | None = None  # that the best passage answers (learned)
        self.abstained = False
        self.reason = ""
        self.missing = None  # answer_types.MissingFact: the fact the passages lack, if that is why
        self.hits: list[Hit] | None = None

    def top(self) -> list[int]:
        """Positions (into rows/scores) of the k best candidates, best first."""
        return np.argsort(-self.scores, kind="stable")[: self.k].tolist()

    def abstain(self, reason: str) -> None:
        self.abstained, self.reason = True, reason

    def ranked_hits(self) -> list[Hit]:
        if self.hits is None:
            hit = self.retriever.hit
            self.hits = [hit(int(self.rows[j]), float(self.scores[j])) for j in self.top()]
        return self.hits

    def result(self, pipeline: tuple[str, ...]) -> SearchResult:
        confidence = None if self.confidence is None else round(self.confidence, 4)
        return SearchResult(query=self.query.question, hits=tuple(self.ranked_hits()),
                            abstained=self.abstained, abstain_reason=self.reason,
                            missing=self.missing, pipeline=pipeline, confidence=confidence,
                            truncated=self.query.truncated)


def run(stages: list[Stage], state: SearchState) -> SearchState:
    for stage in stages:
        stage(state)
    return state
