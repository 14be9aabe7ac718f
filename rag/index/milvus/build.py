"""Building an index in Milvus, and keeping it in step with its corpus.

A build is a synchronisation, article by article. Every article is kept
with a fingerprint of its content, so a build reads the corpus, compares
fingerprints and touches only the articles that are new, changed or gone:
their passages are upserted (a passage's key hashes its article and span,
so an unchanged span keeps its key) or deleted, the vectors of passage
texts that did not change are reused, and the BM25 document frequencies
move by what was added and removed. Another model, chunking or recipe, a
`force`, or a build found interrupted start the index afresh.

The changed articles' passages are held in memory, as in a folder build:
grow a big archive in parts (each build of the growing corpus embeds only
the new articles).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from pathlib import Path

from ...encoders import DEFAULT_MODEL, check_available, known_dim, load_encoder
from ...text import normalize, tokenize
from ..build import (
    RECIPE,
    BuildReport,
    _abstention_model,
    _versions,
    embed_passages,
    embed_text,
    search_text,
)
from ..chunking import ChunkParams, chunk_articles
from ..lock import build_lock
from ..manifest import FORMAT_VERSION, content_key, corpus_fingerprint
from ..progress import Progress
from ..sizes import announce, large_articles
from . import collections as col
from .keywords import DRIFT_WARNING, passage_weights
from .location import (
    BUILDING,
    MANIFEST,
    STAMP,
    MilvusLocation,
    corpus_dir_of,
    manifest_of,
    properties,
    set_properties,
)
from .target import MilvusTarget

log = logging.getLogger("rag")
WRITE_PAGE = 500  # passages an upsert (~1 MB of vectors)
ARTICLE_PAGE = 100  # articles whose old passages are read at a time


def build_milvus(corpus, target: MilvusTarget, *, model: str | None = None, encoder=None,
                 params: ChunkParams | None = None, progress: bool = True, force: bool = False,
                 backend: str | None = None, lock_wait: float | None = None, workers: int = 1,
                 ray: str | None = None) -> BuildReport:
    """build_index into Milvus (same arguments; `corpus` already checked)."""
    from ...ingest import stamp_files, walk

    params = params or ChunkParams()
    model_name = encoder.name if encoder is not None else (model or DEFAULT_MODEL)
    if encoder is None:
        check_available(model_name, backend)  # before the corpus is read, not after
    sync = _Sync(time.perf_counter(), MilvusLocation(target, create=True), params, model_name,
                 encoder, progress, force, backend, workers, ray)
    if isinstance(corpus, Path):
        files, skipped = walk(corpus)
        sync.stamp, sync.skipped = stamp_files(corpus, files), tuple(map(str, skipped))
        if (report := sync.fresh()) is not None:
            return report
    with build_lock(target.lock_path(), wait=lock_wait):
        return sync.run(corpus)


def article_fingerprint(article) -> str:
    data = json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:32]


class _Sync:
    """One build: its settings, and the Milvus index as it found it."""

    def __init__(self, started, location: MilvusLocation, params, model, encoder, progress,
                 force, backend, workers, ray):
        self.started, self.location, self.target = started, location, location.target
        self.client = location.client
        self.params, self.model, self.encoder = params, model, encoder
        self.progress, self.force, self.backend = progress, force, backend
        self.workers, self.ray = workers, ray
        self.stamp: str | None = None
        self.skipped: tuple[str, ...] = ()
        self.duplicates: tuple = ()  # articles left out as copies of another
        self.expected = {"format_version": FORMAT_VERSION, "model": model,
                         "chunking": params.to_dict(), "recipe": RECIPE, "store": "milvus"}

    # -- is there anything to do ----------------------------------------------

    def _state(self) -> tuple[dict, dict | None, str]:
        props = properties(self.client, self.target) or {}
        manifest = manifest_of(props)
        kind = self.target.bm25 or (manifest or {}).get("bm25", {}).get("kind") or "own"
        return props, manifest, kind

    def _matches(self, props: dict, manifest: dict | None, kind: str) -> bool:
        return (manifest is not None and props.get(BUILDING) != "1"
                and all(manifest.get(k) == v for k, v in self.expected.items())
                and manifest.get("bm25", {}).get("kind") == kind)

    def fresh(self) -> BuildReport | None:
        """The report of an index already built from the corpus files as they are."""
        props, manifest, kind = self._state()
        if not self.force and self._matches(props, manifest, kind) and props.get(STAMP) == \
                self.stamp:
            return self._report(manifest, 0, up_to_date=True)
        return None

    def _report(self, manifest: dict, embedded: int, *, up_to_date=False, warnings=()):
        return BuildReport(self.target.name, manifest["articles"], manifest["chunks"], embedded,
                           manifest["chunks"] - embedded, time.perf_counter() - self.started,
                           up_to_date, self.skipped, tuple(warnings), self.duplicates)

    # -- the build ---------------------------------------------------------------

    def run(self, corpus) -> BuildReport:
        articles, sources = self._read(corpus)
        props, manifest, kind = self._state()
        anew = self.force or not self._matches(props, manifest, kind)
        fingerprint = corpus_fingerprint(articles)
        if not anew and manifest.get("corpus_fingerprint") == fingerprint:
            self._stamp()
            return self._report(manifest, 0, up_to_date=True)
        for line in self.skipped:
            log.warning("skipped %s", line)
        for duplicate in self.duplicates:
            log.warning("%s", duplicate)
        prints = {a.id: article_fingerprint(a) for a in articles}
        old = {} if anew else self._fingerprints(manifest)
        changed = [(seq, a) for seq, a in enumerate(articles) if old.get(a.id) != prints[a.id]]
        gone_ids = sorted(set(old) - set(prints))
        touched = [a.id for _, a in changed if a.id in old] + gone_ids
        gone = self._passages_of(touched, kind)

        by_id = {a.id: a for _, a in changed}
        chunks = chunk_articles([a for _, a in changed], self.params)
        warnings = large_articles([a for _, a in changed], chunks, model=self.model,
                                  backend=self.backend, sources=sources)
        vectors, embedded, dim = self._vectors(chunks, by_id, gone)
        rows = [{"pk": col.row_key(c.id), "article_id": c.article_id, "start": c.start,
                 "end": c.end, "paragraph": c.paragraph, "section": col.capped(c.section),
                 "key": key, "dense": vector}
                for c, (key, vector) in zip(chunks, vectors, strict=True)]
        self._check_keys(rows, gone, anew=anew)
        old_stats = {} if anew else manifest["bm25"]
        if kind == "own":
            side = _OwnBM25(self.client, self.target, old_stats, self.progress)
            stats, vocab_rows = side.apply(chunks, by_id, gone, rows)
            if stats["drift"] > DRIFT_WARNING:
                warnings.append(
                    f"the average passage has moved {stats['drift']:.0%} from the length BM25 "
                    f"weighs passages against; `rag build --force --store {self.target.name}` "
                    "re-weights them")
        else:
            for c, row in zip(chunks, rows, strict=True):
                row["text"] = _cut(normalize(search_text(c, by_id[c.article_id])))
            stats, vocab_rows = {"kind": "milvus"}, []
        count = (0 if anew else int(manifest["chunks"])) - len(gone) + len(rows)

        if anew:
            self._create(dim, kind)
        set_properties(self.client, self.target, **{BUILDING: "1"})
        self._write(rows, gone, changed, gone_ids, old, prints, vocab_rows)
        manifest = {**self.expected, "dim": dim, "store": "milvus", "index_type": "HNSW",
                    "bm25": {"kind": kind, **stats}, "corpus_dir": corpus_dir_of(corpus),
                    "corpus_fingerprint": fingerprint, "articles": len(articles),
                    "chunks": count, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "versions": {**_versions(), **_milvus_versions()},
                    "abstention_model": _abstention_model(self.model)}
        manifest["bm25"].pop("drift", None)
        set_properties(self.client, self.target,
                       **{MANIFEST: json.dumps(manifest, ensure_ascii=False), BUILDING: "0"})
        self._stamp()
        return self._report(manifest, embedded, warnings=warnings)

    def _read(self, corpus):
        if isinstance(corpus, Path):
            from ...ingest import read_corpus

            loaded = read_corpus(corpus)
            articles, sources = loaded.articles, loaded.sources
            self.duplicates = tuple(loaded.duplicates)
        else:
            articles, sources = list(corpus), {}
        if not articles:
            raise ValueError("the corpus has no articles")
        for a in articles:
            if len(a.id.encode()) > col.MAX_ID_BYTES:
                raise ValueError(f"article id {a.id[:80]!r}… is longer than "
                                 f"{col.MAX_ID_BYTES} bytes, which the Milvus store cannot keep")
        return articles, sources

    def _stamp(self) -> None:
        if self.stamp is not None:
            set_properties(self.client, self.target, **{STAMP: self.stamp})

    def _fingerprints(self, manifest: dict) -> dict[str, str]:
        return {r["id"]: r["fingerprint"]
                for page in col.query_all(self.client, self.target.table("articles"),
                                          expected=manifest["articles"], filter="part == 0",
                                          fields=["id", "fingerprint"])
                for r in page}

    def _passages_of(self, article_ids: list[str], kind: str) -> list[dict]:
        fields = ["pk", "key", "dense"] + (["sparse", "dl"] if kind == "own" else [])
        return col.query_in(self.client, self.target.table("passages"), "article_id",
                            article_ids, fields=fields, page=ARTICLE_PAGE)

    def _vectors(self, chunks, by_id, gone):
        """(key, vector) of each chunk, the number embedded, the vector size."""
        texts = [embed_text(c, by_id[c.article_id]) for c in chunks]
        keys = [content_key(self.model, t) for t in texts]
        reuse = {} if self.force else {r["key"]: r["dense"] for r in gone}
        missing = sorted({i for i, key in enumerate(keys) if key not in reuse})
        fresh = {}
        if missing:
            announce(len(missing), self.model, self.backend)
            vectors, _ = embed_passages([texts[i] for i in missing], model=self.model,
                                        encoder=self.encoder, backend=self.backend,
                                        workers=self.workers, ray=self.ray,
                                        progress=self.progress)
            fresh = {i: v.tolist() for i, v in zip(missing, vectors, strict=True)}
        pairs = [(key, fresh[i] if i in fresh else list(reuse[key]))
                 for i, key in enumerate(keys)]
        if pairs:
            dim = len(pairs[0][1])
        else:  # nothing to embed (only removals, or articles without text)
            dim = self.encoder.dim if self.encoder else known_dim(self.model)
            dim = dim or load_encoder(self.model, backend=self.backend).dim
        return pairs, len(missing), int(dim)

    def _check_keys(self, rows: list[dict], gone: list[dict], *, anew: bool) -> None:
        """Passage keys are 63-bit hashes: a new passage whose key another
        passage holds would overwrite it, so a build refuses rather than
        lose one (it never happens in practice)."""
        if len({row["pk"] for row in rows}) < len(rows):
            raise ValueError("two new passages share a Milvus key; rename one of the articles")
        if anew:
            return
        replaced = {int(r["pk"]) for r in gone}
        new = [row["pk"] for row in rows if row["pk"] not in replaced]
        for found in col.query_in(self.client, self.target.table("passages"), "pk", new,
                                  fields=["pk", "article_id"]):
            raise ValueError(f"a passage of {found['article_id']!r} and a new one share the "
                             f"Milvus key {found['pk']}; rename one of the articles")

    def _create(self, dim: int, kind: str) -> None:
        for table in ("passages", "articles", "vocab"):
            if self.client.has_collection(self.target.table(table)):
                self.client.drop_collection(self.target.table(table))
        col.create_passages(self.client, self.target.table("passages"), dim, kind)
        col.create_articles(self.client, self.target.table("articles"))
        if kind == "own":
            col.create_vocab(self.client, self.target.table("vocab"))

    def _write(self, rows, gone, changed, gone_ids, old, prints, vocab_rows) -> None:
        client, passages = self.client, self.target.table("passages")
        articles, vocab = self.target.table("articles"), self.target.table("vocab")
        kept = {row["pk"] for row in rows}
        stale = [int(r["pk"]) for r in gone if int(r["pk"]) not in kept]
        for start in range(0, len(stale), col.PAGE):
            client.delete(passages, filter=col.one_of("pk", stale[start : start + col.PAGE]))
        with Progress(len(rows), "writing passages to Milvus", enabled=self.progress,
                      bar_from=2 * WRITE_PAGE) as bar:
            for start in range(0, len(rows), WRITE_PAGE):
                client.upsert(passages, rows[start : start + WRITE_PAGE])
                bar.update(len(rows[start : start + WRITE_PAGE]))
        replaced = [a.id for _, a in changed if a.id in old] + gone_ids
        for start in range(0, len(replaced), col.PAGE):
            client.delete(articles, filter=col.one_of("id", replaced[start : start + col.PAGE]))
        filters = col.has_fields(client, articles, col.FILTER_FIELDS)
        article_rows = [r for seq, a in changed
                        for r in col.article_rows(a, prints[a.id], seq, filters=filters)]
        for start in range(0, len(article_rows), WRITE_PAGE):
            client.insert(articles, article_rows[start : start + WRITE_PAGE])
        for start in range(0, len(vocab_rows), 5 * WRITE_PAGE):
            client.upsert(vocab, vocab_rows[start : start + 5 * WRITE_PAGE])
        for table in (passages, articles) + ((vocab,) if vocab_rows else ()):
            client.flush(table)


class _OwnBM25:
    """Our tokenizer's BM25 for the passages a build writes: their sparse
    vectors, and the vocabulary rows and statistics after the change."""

    def __init__(self, client, target: MilvusTarget, stats: dict, progress: bool):
        self.client, self.vocab = client, target.table("vocab")
        self.stats, self.progress = stats, progress

    def apply(self, chunks, by_id, gone, rows) -> tuple[dict, list[dict]]:
        tokens = []
        with Progress(len(chunks), "tokenizing passages", enabled=self.progress,
                      bar_from=1000) as bar:
            for c in chunks:
                tokens.append(tokenize(search_text(c, by_id[c.article_id])))
                bar.update(1)
        delta = Counter(t for doc in tokens for t in set(doc) if _indexable(t))
        removed = Counter(i for r in gone for i in col.sparse_dict(r["sparse"]))
        terms = self._terms(list(delta), list(removed))  # token -> [id, df]
        next_id = int(self.stats.get("next_id", 0))
        for token in delta:
            if token not in terms:
                terms[token] = [next_id, 0]
                next_id += 1
        token_of = {term[0]: token for token, term in terms.items()}
        for token_id, n in removed.items():
            if token_id in token_of:
                delta[token_of[token_id]] -= n
        passages = int(self.stats.get("passages", 0)) - len(gone) + len(chunks)
        total = (int(self.stats.get("tokens", 0)) - sum(int(r["dl"]) for r in gone)
                 + sum(map(len, tokens)))
        average = total / max(passages, 1)
        reference = float(self.stats.get("reference_length") or average or 1.0)
        for row, doc in zip(rows, tokens, strict=True):
            row["dl"] = len(doc)
            row["sparse"] = passage_weights([terms[t][0] for t in doc if _indexable(t)],
                                            reference)
        vocab_rows = [{"token": token, "id": terms[token][0], "df": terms[token][1] + n,
                       col.STUB: col.STUB_VECTOR} for token, n in delta.items() if n]
        stats = {"passages": passages, "tokens": total, "reference_length": reference,
                 "next_id": next_id, "drift": abs(average - reference) / reference}
        return stats, vocab_rows

    def _terms(self, tokens: list[str], ids: list[int]) -> dict[str, list[int]]:
        """The vocabulary rows of these tokens and token ids: token -> [id, df]."""
        fields = ["token", "id", "df"]
        found = col.query_in(self.client, self.vocab, "token", tokens, fields=fields) if \
            self.stats else []
        found += col.query_in(self.client, self.vocab, "id", ids, fields=fields) if ids else []
        return {r["token"]: [int(r["id"]), int(r["df"])] for r in found}


def _indexable(token: str) -> bool:
    return len(token.encode()) <= col.MAX_TOKEN_BYTES


def _cut(text: str) -> str:
    data = text.encode()
    return text if len(data) <= col.MAX_TEXT_BYTES else \
        data[: col.MAX_TEXT_BYTES].decode(errors="ignore")


def _milvus_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for package in ("pymilvus", "milvus-lite"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out
