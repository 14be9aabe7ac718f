"""The keyword side of a Milvus index, two ways.

Own BM25 (`bm25=own`, the default): our tokenizer (jieba words and
character bigrams over normalised text, as the FAISS path) at build time.
A passage's sparse vector holds BM25's term-frequency part for each of its
tokens, tf / (tf + k1 (1 - b + b dl / L)), and a question's holds each
token's idf (counted again when repeated), so their inner product is the
BM25 score bm25s gives. The idf comes from a document-frequency table (the
vocab collection) that every build updates by the passages it adds and
removes, so it is always the archive's own; L, the reference passage
length, is the average when the index was first built and is kept while
the archive grows (changing it would re-weight every passage): a build
warns when the average has moved by more than 10%, and `--force` re-weights.

Milvus BM25 (`bm25=milvus`): Milvus's BM25 function with its jieba analyzer
over the normalised search text; Milvus keeps the statistics (per segment in
milvus-lite, whose scores are also negative: their magnitude is used). There
is no vocabulary of ours then: a word counts as in the corpus when the
passage BM25 ranks first for it contains it (English questions' translation,
the learned abstention's unknown-word and unknown-place features), and every
word's idf is 1 (its other evidence features weigh a question's words alike).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ...text import normalize
from ..keyword_index import KeywordHits, KeywordIndex, NoHits
from ..keywords import BM25_PARAMS
from .collections import one_of, query_in
from .store import HIT_FIELDS, Bounded, MilvusIndex, passage_filter

DRIFT_WARNING = 0.10
# Milvus refuses an empty sparse vector: a passage without a token (only
# punctuation) gets this dimension, which no token has and no question asks.
NO_TOKENS = 2**32 - 2


def passage_weights(token_ids: list[int], reference_length: float) -> dict[int, float]:
    """BM25's term-frequency part of each token of a passage, computed as
    bm25s does (float32), so scores match the FAISS path's."""
    if not token_ids:
        return {NO_TOKENS: 1.0}
    counts = Counter(token_ids)
    tf = np.array(list(counts.values()), dtype=np.float32)
    k1, b = BM25_PARAMS["k1"], BM25_PARAMS["b"]
    tfc = tf / (k1 * ((1 - b) + b * len(token_ids) / reference_length) + tf)
    return {int(t): float(w) for t, w in zip(counts, tfc, strict=True)}


def idf_of(df: np.ndarray, passages: int) -> np.ndarray:
    """BM25's idf as bm25s's Lucene variant computes it."""
    return np.log1p((passages - df + 0.5) / (df + 0.5))


def _search(index: MilvusIndex, query, field: str, metric: str, n: int, **options) -> list:
    return index.client.search(index.passages_table, [query], anns_field=field, limit=n,
                               output_fields=HIT_FIELDS, search_params={"metric_type": metric},
                               **options)[0]


class MilvusHits(KeywordHits):
    """The best passages of one keyword search; other rows are scored by a
    second search restricted to them."""

    def __init__(self, index: MilvusIndex, query, field: str, metric: str, n: int, within=None):
        self._index, self._query, self._field, self._metric = index, query, field, metric
        found = _search(index, query, field, metric, n, **passage_filter(within))
        rows = index.remember(found)
        # milvus-lite gives BM25 scores a negative sign; a cluster does not.
        scores = np.abs(np.array([hit["distance"] for hit in found], dtype=np.float32))
        keep = scores > 0
        self.rows = rows[keep]
        self._scores = dict(zip(self.rows.tolist(), scores[keep].tolist(), strict=True))
        self.best = float(scores.max()) if len(scores) else 0.0

    def of(self, rows: np.ndarray) -> np.ndarray:
        missing = [int(r) for r in rows if int(r) not in self._scores]
        if missing:
            found = _search(self._index, self._query, self._field, self._metric, len(missing),
                            filter=one_of("pk", missing))
            self._index.remember(found)
            scored = {int(hit.get("pk", hit.get("id"))): abs(float(hit["distance"]))
                      for hit in found}
            for r in missing:
                self._scores[r] = scored.get(r, 0.0)
        return np.array([self._scores[int(r)] for r in rows], dtype=np.float32)


class SparseBM25(KeywordIndex):
    """Our BM25 as sparse vectors; the vocabulary and document frequencies
    in the vocab collection, looked up a question's tokens at a time."""

    def __init__(self, index: MilvusIndex):
        self.index = index
        self.passages = int(index.manifest["bm25"]["passages"])
        self._terms = Bounded(200_000)  # token -> (id, df), or () when not in the corpus
        self.vocab = _Known(self)

    def lookup(self, tokens) -> dict[str, tuple[int, int]]:
        """token -> (sparse dimension, document frequency) for the tokens some
        passage holds."""
        wanted = list(dict.fromkeys(tokens))
        missing = [t for t in wanted if self._terms.get(t) is None]
        if missing:
            found = {r["token"]: (int(r["id"]), int(r["df"])) for r in query_in(
                self.index.client, self.index.vocab_table, "token", missing,
                fields=["token", "id", "df"])}
            for t in missing:
                self._terms.put(t, found.get(t, ()) if found.get(t, (0, 0))[1] > 0 else ())
        return {t: term for t in wanted if (term := self._terms.get(t))}

    def idf(self, tokens) -> np.ndarray:
        terms = self.lookup(tokens)
        df = np.array([terms[t][1] if t in terms else 0 for t in tokens], dtype=np.float64)
        return idf_of(df, self.passages)

    def query_vector(self, tokens: list[str]) -> dict[int, float]:
        """A question's sparse vector: each known token's idf, summed when repeated."""
        terms = self.lookup(tokens)
        known = [t for t in tokens if t in terms]
        df = np.array([terms[t][1] for t in known], dtype=np.float64)
        idf = idf_of(df, self.passages).astype(np.float32)  # as bm25s keeps it
        query: dict[int, float] = {}
        for token, weight in zip(known, idf.tolist(), strict=True):
            query[terms[token][0]] = query.get(terms[token][0], 0.0) + weight
        return query

    def search(self, tokens: list[str], n: int, *, text: str = "", within=None) -> KeywordHits:
        query = self.query_vector(tokens)
        return MilvusHits(self.index, query, "sparse", "IP", n, within) if query else NoHits()


class _Known:
    """`token in vocab` for SparseBM25: a token some passage holds."""

    def __init__(self, side: SparseBM25):
        self._side = side

    def __contains__(self, token) -> bool:
        return isinstance(token, str) and bool(self._side.lookup([token]))


class MilvusBM25(KeywordIndex):
    """Milvus's own BM25 function over the normalised search text."""

    def __init__(self, index: MilvusIndex):
        self.index = index
        self.vocab = _Probed(index)

    def idf(self, tokens) -> np.ndarray:
        return np.ones(len(tokens), dtype=np.float64)

    def search(self, tokens: list[str], n: int, *, text: str = "", within=None) -> KeywordHits:
        if not text.strip() or not tokens:
            return NoHits()
        return MilvusHits(self.index, text, "bm25", "BM25", n, within)


class _Probed:
    """`token in vocab` without a vocabulary: the passage Milvus's BM25 ranks
    first for the word (a bigram's two characters) holds it."""

    def __init__(self, index: MilvusIndex):
        self._index = index
        self._seen = Bounded(50_000)

    def __contains__(self, token) -> bool:
        if not isinstance(token, str) or not token.lstrip("~").strip():
            return False
        word = normalize(token.lstrip("~"))
        known = self._seen.get(word)
        if known is None:
            found = self._index.client.search(
                self._index.passages_table, [word], anns_field="bm25", limit=1,
                output_fields=["text"], search_params={"metric_type": "BM25"})[0]
            known = bool(found) and word in (found[0].get("entity") or found[0])["text"]
            self._seen.put(word, known)
        return known
