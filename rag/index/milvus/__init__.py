"""The index in Milvus: embedded milvus-lite for tests and one machine, a
Milvus server or cluster for an archive (`--store milvus://…`).

target.py reads the URI, collections.py defines the collections, build.py
keeps them in step with a corpus, store.py and keywords.py search them,
location.py opens them for the retriever. pymilvus is imported only here,
and only when a Milvus store is used (the `rag-news[milvus]` extra).
"""

from .target import MilvusTarget, is_milvus, parse_store

__all__ = ["MilvusTarget", "is_milvus", "parse_store"]
