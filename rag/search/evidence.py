"""What a search found, as numbers: the features the learned abstention reads.

One code path for training (benchmarks/train_abstention.py) and for search
(stages/confidence.py): `evidence(state)` after the re-ranking stages, with
the candidates scored and ranked. Today's hand rules appear here as
features (a fact asked that the best passage does not state, a place the
corpus never mentions) rather than as overrides.
"""

from __future__ import annotations

import math

import numpy as np

from .answer_types import held_where
from .places import unknown_places

# Scale-free on purpose: raw BM25 scores, idf values and cosine z-scores
# depend on the size and spread of the corpus, and a model fitted on one
# corpus (DRCD) must read another (a newspaper page). Dropping them cost
# nothing on held-out DRCD and made the model far less wrong on news
# (benchmarks/results/abstention.md).
FEATURES = (
    "fused_gap",  # how far the best passage's fused score is ahead of the second's
    "cos_top",  # its cosine to the question
    "coverage",  # share of the question's words in its search text (title, byline, passage)
    "coverage_idf",  # the same weighted by rarity
    "body_idf",  # rarity-weighted share of the question's words in the passage itself
    "sentence_idf",  # the same in its best sentence
    "oov_share",  # share of the question's words the corpus never uses
    "n_words",  # log(1 + number of question words)
    "fact_asked",  # the question asks for a kind of fact (a year, a sum ...)
    "fact_unstated",  # ... that the best passage does not state
    "unknown_place",  # the question names a place the corpus never mentions
    "english",  # asked in English (evidence comes from translated terms)
    "type_asked",  # the question expects a kind of answer (a rate, a place ... answer_types.py)
    "type_unheld",  # ... that the best passage holds no mention of
    "type_unheld_sentence",  # ... nor its sentence nearest the question's words
)


def evidence(state) -> np.ndarray:
    """The features of a ranked search state, in FEATURES order (zeros when
    nothing was found)."""
    from .stages.abstention import Abstention  # the fact check, one code path

    out = dict.fromkeys(FEATURES, 0.0)
    top = state.top()
    query, retriever = state.query, state.retriever
    words = _evidence_words(query)
    idf = retriever.keywords.idf(words) if words else np.zeros(0)
    out["n_words"] = math.log1p(len(words))
    out["oov_share"] = float(np.mean([w not in retriever.lexicon.vocab for w in words])) \
        if words else 0.0
    out["english"] = float(query.language == "en")
    out["fact_asked"] = float(bool(query.facts))
    out["type_asked"] = float(query.expected.asked)
    out["unknown_place"] = float(query.language == "zh" and bool(query.places) and bool(
        unknown_places(query.places, retriever.lexicon.vocab)))
    if not top:
        return np.array([out[f] for f in FEATURES], dtype=np.float32)
    best = int(state.rows[top[0]])
    scores = state.scores
    out["fused_gap"] = float(scores[top[0]] - scores[top[1]]) if len(top) > 1 else 1.0
    if state.cosines is not None:
        out["cos_top"] = float(state.cosines[top[0]])
    passages = retriever.passages
    search_text, body = passages.text(best), passages.body(best)
    if words:
        total = float(idf.sum()) or 1.0
        in_text = np.array([w in search_text for w in words])
        in_body = np.array([w in body for w in words])
        out["coverage"] = float(in_text.mean())
        out["coverage_idf"] = float(idf[in_text].sum() / total)
        out["body_idf"] = float(idf[in_body].sum() / total)
        shares = [float(idf[[w in s for w in words]].sum() / total)
                  for s in passages.sentences(best)]
        out["sentence_idf"] = max(shares, default=0.0)
    out["fact_unstated"] = float(bool(Abstention.unstated_fact(state, best)))
    if query.expected.asked:
        held = held_where(query.expected, passages.mentions, best,
                          shares if words else [])
        out["type_unheld"], out["type_unheld_sentence"] = float(not held[0]), float(not held[1])
    return np.array([out[f] for f in FEATURES], dtype=np.float32)


def _evidence_words(query) -> list[str]:
    """The words a passage should hold: an English question's Chinese terms
    (the first of each word's translations), else its own content words."""
    if query.translation is not None:
        return [group[0] for group in query.translation.terms if group]
    return list(dict.fromkeys(w for w in query.words if len(w) > 1 or not w.isascii()))
