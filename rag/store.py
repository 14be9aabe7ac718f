"""The index on disk: one folder that describes itself.

    index/
      manifest.json     format version, model, dimension, chunking, corpus fingerprint,
                        FAISS index type, tokenizer, library versions
      articles.jsonl    the corpus as indexed (one Article a line)
      articles.npy      byte offset of each line and its id, so one article is read on demand
      chunks.npy        one fixed-size record a passage: article row, start, end, paragraph,
                        section, content hash of its embedded text (the passage text is
                        `article.body[start:end]`, never stored twice)
      vectors.npy       float32 embeddings, row i = chunk i (the embedding cache)
      dense.faiss       the FAISS index over those rows
      bm25/             bm25s's own folder

Everything but the FAISS index and the BM25 vocabulary is read on demand, so
opening a million-passage index takes about a second and the process holds
about the FAISS index's size.
Loading checks the manifest, so an index built by another model or another
version of this format is refused with a message, never silently used.
Writes go to a sibling temporary folder that is swapped in at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .keywords import Postings, TokenCache
from .tables import ArticleTable, ChunkTable, NpyFile, write_articles, write_chunks
from .types import Article, Chunk

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
INDEX_TYPES = ("flat", "hnsw", "hnsw-sq8")


class IndexLoadError(RuntimeError):
    """The index folder cannot be used as it is (missing, foreign, stale, broken)."""


class StaleIndexError(IndexLoadError):
    """The corpus changed since the index was built."""


def corpus_fingerprint(articles: list[Article]) -> str:
    digest = hashlib.sha256()
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def content_key(model: str, text: str) -> str:
    """Cache key of an embedding: same model + same text = same vector."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()[:32]


def choose_index_type(n_vectors: int) -> str:
    """Exact search while it is cheap; a graph index when it is not; a graph
    over compressed vectors when even the float vectors are too many.

    Exact inner product costs ~1 ms per 10k passages a query on this 2-core
    machine. Up to 300k passages an HNSW graph over the float vectors
    answers in ~0.6 ms at 100k (8-bit codes: 0.85 ms, same recall) and its
    vectors serve the exact re-scoring without disk reads, for 2 KB of RAM
    a passage. Past that, 8-bit codes keep a quarter of the float size
    (0.75 GB at 1M). Measured at 1M synthetic passages, efSearch 256: recall@10
    0.98 against exact search once the retriever re-scores the candidates
    with their exact vectors, 1.7 ms a query. IVF with 64-byte PQ codes was
    ten times smaller but reached only 0.82 (IVF with 8-bit codes: 0.92 at
    8 ms), so it is not offered.
    """
    if n_vectors <= 50_000:
        return "flat"
    return "hnsw" if n_vectors <= 300_000 else "hnsw-sq8"


def holds_exact_vectors(index_type: str) -> bool:
    """Whether the FAISS index keeps the float vectors themselves in memory."""
    return index_type in ("flat", "hnsw")


def is_graph(index_type: str) -> bool:
    """Whether the FAISS index is an HNSW graph (searched on one core)."""
    return index_type.startswith("hnsw")


def make_faiss_index(vectors: np.ndarray, index_type: str):
    import faiss

    dim = vectors.shape[1]
    if index_type == "flat":
        index = faiss.IndexFlatIP(dim)
    elif index_type in ("hnsw", "hnsw-sq8"):
        if index_type == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, 32,
                                      faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
        index.hnsw.efConstruction = 80
        # Saved with the index. A bigger graph needs a wider search for the
        # same recall (measured, after exact re-scoring: 0.97 at 100k with
        # 128, 0.96 at 1M with 128 and 0.98 with 256).
        index.hnsw.efSearch = 128 if len(vectors) <= 300_000 else 256
    else:
        raise ValueError(f"unknown FAISS index type {index_type!r} ({', '.join(INDEX_TYPES)})")
    index.add(vectors)
    return index


@dataclass(frozen=True)
class StoredIndex:
    """An index as saved: `articles` and `chunks` are sequences of Article and
    Chunk (lists when building, lazy tables when loaded), `keys` the content
    hash of each chunk's embedded text, `vectors` row i = chunk i."""

    manifest: dict
    articles: list[Article] | ArticleTable
    chunks: list[Chunk] | ChunkTable
    keys: list[str] | np.ndarray
    vectors: np.ndarray
    faiss_index: object
    bm25: object
    tokens: TokenCache | None = None  # each passage's BM25 tokens, for the next build


def read_manifest(index_dir: str | Path) -> dict:
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        raise IndexLoadError(f"no index at {index_dir} (missing {MANIFEST}); run `rag build`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"unreadable index manifest {path}: {err}") from err
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexLoadError(
            f"index at {index_dir} has format version {version}, this version of rag reads "
            f"{FORMAT_VERSION}; rebuild it with `rag build --index {index_dir}`"
        )
    return manifest


def check_model(manifest: dict, model: str, dim: int, index_dir) -> None:
    if manifest.get("model") != model or manifest.get("dim") != dim:
        raise IndexLoadError(
            f"index at {index_dir} was built with model {manifest.get('model')!r} "
            f"({manifest.get('dim')} dims), not {model!r} ({dim} dims); "
            f"use that model or rebuild the index with `rag build --index {index_dir}`"
        )


def save_index(index_dir: str | Path, stored: StoredIndex) -> None:
    import faiss

    index_dir = Path(index_dir).resolve()
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.tmp-", dir=index_dir.parent))
    try:
        write_articles(tmp, stored.articles)
        write_chunks(tmp, stored.chunks, stored.keys, stored.articles)
        np.save(tmp / "vectors.npy", np.asarray(stored.vectors, dtype=np.float32))
        faiss.write_index(stored.faiss_index, str(tmp / "dense.faiss"))
        stored.bm25.save(str(tmp / "bm25"), show_progress=False)
        if stored.tokens is not None:
            stored.tokens.save(tmp / "bm25")
        # The manifest goes last: a folder without one is never mistaken for an index.
        (tmp / MANIFEST).write_text(json.dumps(stored.manifest, ensure_ascii=False, indent=2),
                                    "utf-8")
        _swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, target: Path) -> None:
    """Replace `target` by `new` with renames only, so readers see the old or
    the new index, and a crash leaves the old one in place."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_index(index_dir: str | Path) -> StoredIndex:
    """Open an index: the FAISS index and the BM25 vocabulary are read into
    memory; passages, vectors and posting lists are read when a query needs them."""
    import bm25s
    import faiss

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    try:
        articles = ArticleTable(index_dir)
        chunks = ChunkTable(index_dir, articles)
        vectors = NpyFile(index_dir / "vectors.npy")
        faiss_index = faiss.read_index(str(index_dir / "dense.faiss"))
        bm25 = Postings(index_dir / "bm25", bm25s.BM25.load(
            str(index_dir / "bm25"), mmap=True, show_progress=False, verbosity=0))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:
        raise IndexLoadError(
            f"index at {index_dir} is damaged ({err}); rebuild it with `rag build`"
        ) from err
    if not (len(chunks) == len(vectors) == faiss_index.ntotal == manifest.get("chunks")):
        raise IndexLoadError(
            f"index at {index_dir} is inconsistent (chunk and vector counts differ); "
            "rebuild it with `rag build`"
        )
    return StoredIndex(manifest, articles, chunks, chunks.keys, vectors, faiss_index, bm25)
