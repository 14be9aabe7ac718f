"""The build side: passages cut from articles, embedded and indexed into one
self-describing folder (manifest, passages, vector store, BM25)."""

from .build import BuildReport, build_index, embed_text, search_text
from .chunking import ChunkParams, chunk_article, chunk_articles, split_sentences
from .folder import StoredIndex, load_index, save_index
from .freshness import DEFAULT_CORPUS, DEFAULT_INDEX, check_fresh, is_fresh, recorded_corpus
from .manifest import (
    FORMAT_VERSION,
    IndexLoadError,
    StaleIndexError,
    check_model,
    check_usable,
    read_manifest,
)
from .vectorstore import STORES, VectorStore, open_store, store_class

__all__ = [
    "DEFAULT_CORPUS", "DEFAULT_INDEX", "FORMAT_VERSION", "STORES", "BuildReport", "ChunkParams",
    "IndexLoadError", "StaleIndexError", "StoredIndex", "VectorStore", "build_index",
    "check_fresh", "check_model", "check_usable", "chunk_article", "chunk_articles", "embed_text",
    "is_fresh",
    "load_index", "open_store", "read_manifest", "recorded_corpus", "save_index", "search_text",
    "split_sentences", "store_class",
]
