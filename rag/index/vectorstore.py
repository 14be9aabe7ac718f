"""The vector-store interface every dense backend implements, and the
registry of those that live in an index folder.

A store holds one vector a passage and finds the rows nearest a question's
vector. A row is a passage's number: its position in a folder index (FAISS,
faiss_store.py), its primary key in a Milvus collection (milvus/store.py).
A store kept in an index folder is a `FolderStore`: adding one is a new
module with a subclass and one line in `STORES`.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np


class VectorStore(ABC):
    """Nearest-neighbour search over L2-normalised passage vectors (inner product)."""

    kind: str = ""
    # Whether `search` spends its time outside the GIL, so the keyword side
    # can score in another thread meanwhile.
    searches_in_background: bool = False

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def search(self, vector: np.ndarray, n: int, *, within=None) -> np.ndarray:
        """Rows of the n passages nearest `vector`, nearest first (approximate
        for compressed or graph indexes: the retriever re-scores them); with
        `within` (a search.filters.Subset) only among its passages."""

    @abstractmethod
    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The exact float32 vectors of `rows`."""

    def sample(self, size: int) -> np.ndarray:
        """The vectors of up to `size` passages drawn at random, always the
        same ones (the retriever's cosine calibration)."""
        rows = np.random.default_rng(0).choice(len(self), min(len(self), size), replace=False)
        return self.vectors(np.sort(rows))

    def describe(self) -> dict:
        """What the manifest records about this store."""
        return {"store": self.kind}


class FolderStore(VectorStore):
    """A store saved in an index folder; row i = passage i."""

    @abstractmethod
    def add(self, vectors: np.ndarray, *, progress=None) -> None:
        """Append rows (float32, one a passage, in passage order), calling
        `progress(n)` (when given) as each n more are in."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the store's own files into an index folder being built."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path, manifest: dict) -> FolderStore:
        """Open the store of a saved index folder."""


# Stores by manifest name: (module in this package, class).
STORES = {
    "faiss": ("faiss_store", "FaissStore"),
}
DEFAULT_STORE = "faiss"


def store_class(kind: str) -> type[FolderStore]:
    if kind not in STORES:
        raise ValueError(f"unknown vector store {kind!r}; choose one of {', '.join(STORES)}")
    module, name = STORES[kind]
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def open_store(folder: Path, manifest: dict) -> FolderStore:
    """The store of a saved index, as its manifest names it (FAISS before it was named)."""
    return store_class(manifest.get("store", DEFAULT_STORE)).load(folder, manifest)
