"""An index opened in Milvus: the vector store, the passages and the
articles, read from the collections as questions need them.

A row is a passage's primary key. The searches bring back each passage's
record and vector with its key, so that fusion, re-ranking and citations
rarely need another round trip: both are kept in bounded caches.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from functools import cached_property

import numpy as np

from ...types import Article, Chunk, chunk_id
from ..vectorstore import VectorStore
from .collections import (
    FILTER_FIELDS,
    PASSAGE_FIELDS,
    has_fields,
    literal,
    one_of,
    query_all,
    query_in,
)
from .target import MilvusTarget

RECORD_FIELDS = ["pk", *PASSAGE_FIELDS]
HIT_FIELDS = [*PASSAGE_FIELDS, "dense"]  # what every search brings back with a key


class Bounded:
    """A thread-safe dict that forgets the least recently used entries."""

    def __init__(self, size: int):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class MilvusIndex:
    """One opened index: its client, collections, manifest and the caches
    its readers share."""

    def __init__(self, target: MilvusTarget, client, manifest: dict):
        self.target, self.client, self.manifest = target, client, manifest
        self.passages_table = target.table("passages")
        self.articles_table = target.table("articles")
        self.vocab_table = target.table("vocab")
        self.records = Bounded(50_000)  # pk -> (article_id, start, end, paragraph, section)
        self.dense = Bounded(20_000)  # pk -> float32 vector

    def remember(self, hits) -> np.ndarray:
        """Keep what a search brought back; the rows, best first."""
        rows = np.zeros(len(hits), dtype=np.int64)
        for i, hit in enumerate(hits):
            entity = hit.get("entity") or hit
            pk = int(hit.get("pk", hit.get("id")))
            rows[i] = pk
            self.keep(pk, entity)
        return rows

    def keep(self, pk: int, entity: dict) -> None:
        if "article_id" in entity:
            self.records.put(pk, tuple(entity[f] for f in PASSAGE_FIELDS))
        if entity.get("dense") is not None:
            self.dense.put(pk, np.asarray(entity["dense"], dtype=np.float32))

    def fetch(self, rows, fields: list[str]) -> dict[int, dict]:
        """Passages by key (those the collection does not hold are left out)."""
        got = self.client.get(self.passages_table, ids=[int(r) for r in rows],
                              output_fields=["pk", *fields])
        out = {}
        for row in got:
            out[int(row["pk"])] = row
            self.keep(int(row["pk"]), row)
        return out


class MilvusStore(VectorStore):
    kind = "milvus"
    # A search waits on the network (or the embedded engine) with the GIL
    # released, so the keyword side can ask meanwhile.
    searches_in_background = True

    def __init__(self, index: MilvusIndex):
        self.index = index

    def __len__(self) -> int:
        return int(self.index.manifest["chunks"])

    def search(self, vector: np.ndarray, n: int, *, within=None) -> np.ndarray:
        found = self.index.client.search(
            self.index.passages_table, [np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="dense", limit=n, output_fields=HIT_FIELDS,
            search_params={"metric_type": "IP", "params": {"ef": max(128, n)}},
            **passage_filter(within))
        return self.index.remember(found[0])

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        rows = [int(r) for r in rows]
        got = {r: v for r in rows if (v := self.index.dense.get(r)) is not None}
        missing = [r for r in rows if r not in got]
        if missing:
            fetched = self.index.fetch(missing, ["dense"])
            got.update({pk: np.asarray(row["dense"], dtype=np.float32)
                        for pk, row in fetched.items()})
        dim = int(self.index.manifest["dim"])
        return np.stack([got[r] for r in rows]) if rows else np.zeros((0, dim), np.float32)

    def sample(self, size: int) -> np.ndarray:
        """Primary keys are uniform hashes, so `pk < x` draws a random share
        of the passages without listing them."""
        total = len(self)
        below = 2**63 if size >= total else int(2**63 * min(1.0, 1.2 * size / total))
        rows = [r for page in query_all(self.index.client, self.index.passages_table,
                                        expected=total, below=below, fields=["pk", "dense"])
                for r in page]
        rows.sort(key=lambda r: int(r["pk"]))
        return np.asarray([r["dense"] for r in rows[:size]], dtype=np.float32)

    def describe(self) -> dict:
        return {"store": self.kind, "index_type": "HNSW"}


def passage_filter(within) -> dict:
    """The search option that keeps a filtered search to the passages of the
    articles that pass: a scalar filter on the indexed article_id, naming
    those that pass or, when fewer, those that do not."""
    if within is None:
        return {}
    if len(within.left_out) < len(within.article_ids):
        return {"filter": f"not ({one_of('article_id', within.left_out)})"}
    return {"filter": one_of("article_id", within.article_ids)}


class MilvusArticles(Sequence):
    """The articles of a Milvus index, read one at a time; the list of ids
    and bylines is read once, when first needed (byline questions, listing)."""

    def __init__(self, index: MilvusIndex):
        self.index = index
        self._cache = Bounded(256)

    def __len__(self) -> int:
        return int(self.index.manifest["articles"])

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._listing["id"])))]
        return self.get(self._listing["id"][int(i)])

    def __iter__(self) -> Iterator[Article]:
        return (self.get(article_id) for article_id in self._listing["id"])

    def get(self, article_id: str) -> Article:
        article = self._cache.get(article_id)
        if article is None:
            parts = self.index.client.query(
                self.index.articles_table, filter=f"id == {literal(article_id)}",
                output_fields=["part", "data"])
            if not parts:
                raise KeyError(article_id)
            data = "".join(p["data"] for p in sorted(parts, key=lambda p: int(p["part"])))
            article = Article.from_dict(json.loads(data))
            self._cache.put(article_id, article)
        return article

    def row(self, article_id: str) -> int:
        return self._listing["row"][article_id]

    def id_at(self, row: int) -> str:
        return self._listing["id"][row]

    @property
    def authors(self) -> list[str]:
        return self._listing["author"]

    @property
    def affiliations(self) -> list[str]:
        return self._listing["affiliation"]

    def columns(self) -> dict[str, list[str]]:
        """id, author, date and source of every article, in the listing's
        order (a collection built before filters parses its articles)."""
        listing = self._listing
        if "date" not in listing:
            articles = [self.get(i) for i in listing["id"]]
            listing["date"] = [a.date for a in articles]
            listing["source"] = [a.source for a in articles]
        return {c: listing[c] for c in ("id", "author", "date", "source")}

    @cached_property
    def _listing(self) -> dict:
        names = ["id", "author", "affiliation"]
        if has_fields(self.index.client, self.index.articles_table, FILTER_FIELDS):
            names += FILTER_FIELDS
        rows = [r for page in query_all(self.index.client, self.index.articles_table,
                                        expected=len(self), filter="part == 0",
                                        fields=["seq", *names])
                for r in page]
        rows.sort(key=lambda r: (int(r["seq"]), r["id"]))  # the corpus's order
        listing = {name: [r[name] for r in rows] for name in names}
        listing["row"] = {article_id: i for i, article_id in enumerate(listing["id"])}
        return listing


class MilvusPassages(Sequence):
    """The passages of a Milvus index by key (the ChunkTable's role)."""

    def __init__(self, index: MilvusIndex, articles: MilvusArticles):
        self.index, self.articles = index, articles

    def __len__(self) -> int:
        return int(self.index.manifest["chunks"])

    def __getitem__(self, row):
        return self.locate(row)[0]

    def __iter__(self) -> Iterator[Chunk]:
        for page in query_all(self.index.client, self.index.passages_table, expected=len(self),
                              fields=RECORD_FIELDS):
            for r in page:
                yield self._chunk(tuple(r[f] for f in PASSAGE_FIELDS))[0]

    def locate(self, row: int) -> tuple[Chunk, Article]:
        record = self.index.records.get(int(row))
        if record is None:
            fetched = self.index.fetch([row], list(PASSAGE_FIELDS))
            if int(row) not in fetched:
                raise IndexError(f"no passage {row} in {self.index.target.name}")
            record = self.index.records.get(int(row))
        return self._chunk(record)

    def _chunk(self, record) -> tuple[Chunk, Article]:
        article_id, start, end, paragraph, section = record
        article = self.articles.get(article_id)
        chunk = Chunk(id=chunk_id(article.id, start, end), article_id=article.id,
                      text=article.body[start:end], start=int(start), end=int(end),
                      paragraph=int(paragraph), section=section)
        return chunk, article

    def of_articles(self, article_rows):
        """None: Milvus keeps a search to some articles' passages by a filter."""
        return None

    def opening(self, article_rows, max_paragraph: int) -> np.ndarray:
        ids = [self.articles.id_at(int(r)) for r in article_rows]
        found = query_in(self.index.client, self.index.passages_table, "article_id", ids,
                         fields=RECORD_FIELDS, extra=f"paragraph <= {int(max_paragraph)}")
        for r in found:
            self.index.keep(int(r["pk"]), r)
        return np.array(sorted(int(r["pk"]) for r in found), dtype=np.int64)
