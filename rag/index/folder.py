"""The index on disk: one folder that describes itself.

    index/
      manifest.json     format version, model, dimension, chunking, corpus fingerprint,
                        vector store and its index type, tokenizer, library versions
      articles.jsonl    the corpus as indexed (one Article a line)
      articles.npy      byte offset of each line and its id, so one article is read on demand
      chunks.npy        one fixed-size record a passage: article row, start, end, paragraph,
                        section, content hash of its embedded text (the passage text is
                        `article.body[start:end]`, never stored twice)
      vectors.npy       float32 embeddings, row i = chunk i (the embedding cache)
      dense.faiss       the vector store's own file(s) (FAISS by default)
      bm25/             bm25s's own folder
      mentions.npz      typed mentions of each passage and sentence (mentions.py)

Everything but the vector index and the BM25 vocabulary is read on demand, so
opening a million-passage index takes about a second and the process holds
about the vector index's size. Writes go to a sibling temporary folder that
is swapped in at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..types import Article, Chunk
from .keywords import Postings, TokenCache
from .manifest import MANIFEST, IndexLoadError, read_manifest
from .mentions import Mentions
from .tables import ArticleTable, ChunkTable, NpyFile, write_articles, write_chunks
from .vectorstore import VectorStore, open_store

VECTORS_FILE = "vectors.npy"
# A damaged index can look up to date (its manifest matches): only --force redoes it.
REBUILD = "rebuild it with `rag build --force --index {}`"


@dataclass(frozen=True)
class StoredIndex:
    """An index as saved: `articles` and `chunks` are sequences of Article and
    Chunk (lists when building, lazy tables when loaded; Milvus's own when it
    holds the index), `keys` the content hash of each chunk's embedded text,
    `vectors` row i = chunk i (the embedding cache of a folder index; None
    when Milvus holds them), `store` the vector store searched, `bm25` the
    keyword side (a KeywordIndex once loaded)."""

    manifest: dict
    articles: list[Article] | ArticleTable
    chunks: list[Chunk] | ChunkTable
    keys: list[str] | np.ndarray | None
    vectors: np.ndarray | NpyFile | None
    store: VectorStore
    bm25: object
    tokens: TokenCache | None = None  # each passage's BM25 tokens, for the next build
    mentions: Mentions | None = None  # typed mentions (None: Milvus, tagged when read)


def check_replaceable(index_dir: str | Path) -> None:
    """Refuse to build over anything but an index or an empty folder: a
    build swaps the whole folder out, and `--index docs` (or the corpus
    folder itself) used to delete the user's files without a word."""
    index_dir = Path(index_dir)
    if not index_dir.exists():
        return
    if not index_dir.is_dir():
        raise IndexLoadError(f"{index_dir} is a file, not an index folder; choose another "
                             "index folder")
    if not any(index_dir.iterdir()):
        return
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "format_version" not in manifest:
        raise IndexLoadError(
            f"{index_dir} is a folder that is not an index (it has no rag {MANIFEST}), and a "
            "build replaces the whole folder: choose another index folder, or empty this one"
        )


def save_index(index_dir: str | Path, stored: StoredIndex) -> None:
    index_dir = Path(index_dir).resolve()
    check_replaceable(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_folder(index_dir.parent, f".{index_dir.name}.tmp-")
    try:
        write_articles(tmp, stored.articles)
        write_chunks(tmp, stored.chunks, stored.keys, stored.articles)
        np.save(tmp / VECTORS_FILE, np.asarray(stored.vectors, dtype=np.float32))
        stored.store.save(tmp)
        stored.bm25.save(str(tmp / "bm25"), show_progress=False)
        if stored.tokens is not None:
            stored.tokens.save(tmp / "bm25")
        if stored.mentions is not None:
            stored.mentions.save(tmp)
        # The manifest goes last: a folder without one is never mistaken for an index.
        (tmp / MANIFEST).write_text(json.dumps(stored.manifest, ensure_ascii=False, indent=2),
                                    "utf-8")
        _swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder with the permissions a plain mkdir gives (the
    umask's), unlike tempfile.mkdtemp's 0700, which left every index
    unreadable to the other users of a shared install."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


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
    """Open an index: the vector index and the BM25 vocabulary are read into
    memory; passages, vectors and posting lists are read when a query needs them."""
    import bm25s

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    try:
        articles = ArticleTable(index_dir)
        chunks = ChunkTable(index_dir, articles)
        vectors = NpyFile(index_dir / VECTORS_FILE)
        store = open_store(index_dir, manifest)
        bm25 = Postings(index_dir / "bm25", bm25s.BM25.load(
            str(index_dir / "bm25"), mmap=True, show_progress=False, verbosity=0))
        mentions = Mentions.load(index_dir)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:
        raise IndexLoadError(
            f"index at {index_dir} is damaged ({err}); {REBUILD.format(index_dir)}"
        ) from err
    if not (len(chunks) == len(vectors) == len(store) == len(mentions) == manifest.get("chunks")):
        raise IndexLoadError(
            f"index at {index_dir} is inconsistent (chunk and vector counts differ); "
            f"{REBUILD.format(index_dir)}"
        )
    if vectors.shape[1:] != (manifest["dim"],):
        raise IndexLoadError(
            f"index at {index_dir} is inconsistent ({VECTORS_FILE} holds vectors of "
            f"{vectors.shape[1:]} dims, the manifest says {manifest['dim']}); "
            f"{REBUILD.format(index_dir)}"
        )
    return StoredIndex(manifest, articles, chunks, chunks.keys, vectors, store, bm25,
                       mentions=mentions)
