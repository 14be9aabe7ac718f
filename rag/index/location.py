"""Where an index lives, as the retriever asks about it: an index folder
(FAISS, the default) or a Milvus collection (`store="milvus://…"`). Both
answer the same questions: its manifest, the corpus it was built from,
whether it is fresh, and the opened index."""

from __future__ import annotations

from pathlib import Path

from .folder import StoredIndex, load_index
from .freshness import check_fresh, recorded_corpus
from .manifest import read_manifest


class FolderLocation:
    def __init__(self, index_dir: str | Path):
        self.path = Path(index_dir)
        self.name = str(self.path)

    def read_manifest(self) -> dict:
        return read_manifest(self.path)

    def recorded_corpus(self) -> Path | None:
        return recorded_corpus(self.path)

    def check_fresh(self, corpus_dir: Path) -> None:
        check_fresh(self.path, corpus_dir)

    def open(self) -> StoredIndex:
        return load_index(self.path)


def index_location(index_dir: str | Path, store=None):
    """The index folder, or the Milvus index `store` names (then `index_dir` is not used)."""
    from .milvus.target import parse_store

    target = parse_store(store)
    if target is None:
        return FolderLocation(index_dir)
    from .milvus.location import MilvusLocation

    return MilvusLocation(target)
