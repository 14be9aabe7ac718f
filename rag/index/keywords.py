"""The keyword side of the index: BM25 (bm25s) over jieba tokens, with the
tokens of every passage kept so that a rebuild tokenizes only what changed.

jieba tokenizes ~450 passages a second here, so a million passages take over
half an hour; re-indexing their cached token ids takes a few minutes. The
cache sits in the bm25/ folder beside bm25s's files: `tokens.npy` (token ids
in bm25s's vocabulary, all passages end to end), `tokens.offsets.npy` (where
each passage's run starts) and `tokens.keys.npy` (a hash of the tokenizer
recipe and the passage's search text, so a changed text or tokenizer is never
served stale tokens).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text import tokenize
from .keyword_index import AllScores, KeywordHits, KeywordIndex, NoHits
from .progress import Progress, ProgressReport

# Softer length normalisation than Lucene's default (b=0.75): passages are all
# short, and the longer ones are usually the complete answers (CMRC hit@1 +0.01).
BM25_PARAMS = {"k1": 1.2, "b": 0.5}


@dataclass(frozen=True)
class TokenCache:
    keys: np.ndarray  # S32, one a passage
    offsets: np.ndarray  # int64, passage i is ids[offsets[i]:offsets[i + 1]]
    ids: np.ndarray  # int32
    vocab: dict[str, int]

    def save(self, folder: Path) -> None:
        np.save(folder / "tokens.keys.npy", self.keys)
        np.save(folder / "tokens.offsets.npy", self.offsets)
        np.save(folder / "tokens.npy", self.ids)

    @classmethod
    def load(cls, folder: Path) -> TokenCache | None:
        """The cache of a saved index, or None if it has none or it is unreadable."""
        try:
            vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
            return cls(np.load(folder / "tokens.keys.npy", mmap_mode="r"),
                       np.load(folder / "tokens.offsets.npy", mmap_mode="r"),
                       np.load(folder / "tokens.npy", mmap_mode="r"), vocab)
        except (OSError, ValueError):
            return None


def token_key(recipe: dict, text: str) -> bytes:
    spec = json.dumps(recipe, sort_keys=True)
    return hashlib.sha256(f"{spec}\x00{text}".encode()).hexdigest()[:32].encode("ascii")


def build_bm25(texts: list[str], *, recipe: dict | None = None,
               previous: TokenCache | None = None,
               progress: bool | ProgressReport = False):
    """BM25 over `texts`, re-using `previous` tokens for unchanged texts.
    Returns (bm25s.BM25, TokenCache)."""
    import bm25s

    keys = np.array([token_key(recipe or {}, t) for t in texts], dtype="S32")
    # Keep the previous vocabulary's ids, so cached token ids stay valid as they are.
    vocab = dict(previous.vocab) if previous is not None else {}
    row_of = {k: i for i, k in enumerate(previous.keys.tolist())} if previous is not None else {}
    docs: list[list[int]] = []
    with Progress(len(texts), "tokenizing passages", enabled=progress, bar_from=1000) as bar:
        for text, key in zip(texts, keys.tolist(), strict=True):
            row = row_of.get(key)
            if row is not None:
                docs.append(previous.ids[previous.offsets[row] : previous.offsets[row + 1]]
                            .tolist())
            else:
                docs.append([vocab.setdefault(tok, len(vocab)) for tok in tokenize(text)])
            bar.update(1)
    vocab, docs = _compact(vocab, docs)
    vocab.setdefault("", len(vocab))  # bm25s's id for a query with no known token
    bm25 = bm25s.BM25(**BM25_PARAMS)
    bm25.index((docs, vocab), show_progress=bar.bar is not None)
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(d) for d in docs])
    ids = np.fromiter((i for d in docs for i in d), dtype=np.int32, count=int(offsets[-1]))
    return bm25, TokenCache(keys, offsets, ids, vocab)


def _compact(vocab: dict[str, int], docs: list[list[int]]):
    """Drop tokens no passage uses any more (removed articles), renumbering the
    rest 0..n-1 as bm25s requires; a no-op when nothing was removed."""
    used = np.zeros(len(vocab) + 1, dtype=bool)
    for doc in docs:
        used[doc] = True
    used[vocab.get("", len(vocab))] = False
    if used[: len(vocab)].sum() == len(vocab) - ("" in vocab):
        return vocab, docs
    new_id = np.cumsum(used) - 1
    compact = {tok: int(new_id[i]) for tok, i in vocab.items() if used[i]}
    return compact, [new_id[d].tolist() for d in docs]


class Postings(KeywordIndex):
    """Query-time BM25 scoring over a saved bm25s index, reading only the
    query's posting lists from disk (see tables.NpyFile for why not a memory
    map). Besides the keyword-side interface it reads like a bm25s.BM25:
    `vocab_dict` and `get_scores(tokens)`."""

    def __init__(self, folder: Path, bm25):
        from .tables import NpyFile

        self.vocab_dict: dict[str, int] = bm25.vocab_dict
        self.num_docs = int(bm25.scores["num_docs"])
        self._indptr = np.array(bm25.scores["indptr"])  # one int per vocabulary entry
        self._data = NpyFile(folder / "data.csc.index.npy")
        self._indices = NpyFile(folder / "indices.csc.index.npy")

    @property
    def vocab(self) -> dict[str, int]:
        return self.vocab_dict

    def search(self, tokens: list[str], n: int, *, text: str = "",
               within=None) -> KeywordHits:
        """Local posting lists make every passage's score cheap: scored once,
        the best n and any other candidate read from the same array (a
        filtered search zeroes the passages it may not quote first, so its
        best score is that of a passage it may)."""
        tokens = [t for t in tokens if t in self.vocab_dict]
        if not tokens:
            return NoHits()
        scores = self.get_scores(tokens)
        if within is not None:
            kept = np.zeros_like(scores)
            kept[within.rows] = scores[within.rows]
            scores = kept
        return AllScores(scores, n)

    def idf(self, tokens) -> np.ndarray:
        """How rare each token is in the corpus (BM25's idf; an unknown token
        counts as appearing in no passage)."""
        vocab = self.vocab_dict
        ids = [vocab.get(t, -1) for t in tokens]
        df = np.array([self._indptr[i + 1] - self._indptr[i] if i >= 0 else 0 for i in ids],
                      dtype=np.float64)
        return np.log1p((self.num_docs - df + 0.5) / (df + 0.5))

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage; a repeated token counts again."""
        vocab = self.vocab_dict
        ids = np.array([vocab[t] for t in tokens if t in vocab], dtype=np.int64)
        if not len(ids):
            return np.zeros(self.num_docs, dtype=np.float32)
        starts, ends = self._indptr[ids], self._indptr[ids + 1]
        data = np.concatenate([self._data.read(s, e) for s, e in zip(starts, ends, strict=True)])
        rows = np.concatenate([self._indices.read(s, e)
                               for s, e in zip(starts, ends, strict=True)])
        # bm25s sums with np.add.at; bincount is the same sum, 5x faster on
        # the long posting lists of a million passages.
        return np.bincount(rows, weights=data, minlength=self.num_docs).astype(np.float32)
