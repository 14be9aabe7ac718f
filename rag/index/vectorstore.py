"""The vector-store interface every dense backend implements, and their registry.

A store holds one vector a passage, row i = passage i of the index, and finds
the rows nearest a question's vector. FAISS is the first implementation
(faiss_store.py); adding another is a new module with a subclass and one line
in `STORES`.
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
    def add(self, vectors: np.ndarray, *, progress=None) -> None:
        """Append rows (float32, one a passage, in passage order), calling
        `progress(n)` (when given) as each n more are in."""

    @abstractmethod
    def search(self, vector: np.ndarray, n: int) -> np.ndarray:
        """Rows of the n passages nearest `vector`, nearest first (approximate
        for compressed or graph indexes: the retriever re-scores them)."""

    @abstractmethod
    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The exact float32 vectors of `rows`."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the store's own files into an index folder being built."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path, manifest: dict) -> VectorStore:
        """Open the store of a saved index folder."""

    def describe(self) -> dict:
        """What the manifest records about this store."""
        return {"store": self.kind}


# Stores by manifest name: (module in this package, class).
STORES = {
    "faiss": ("faiss_store", "FaissStore"),
}
DEFAULT_STORE = "faiss"


def store_class(kind: str) -> type[VectorStore]:
    if kind not in STORES:
        raise ValueError(f"unknown vector store {kind!r}; choose one of {', '.join(STORES)}")
    module, name = STORES[kind]
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def open_store(folder: Path, manifest: dict) -> VectorStore:
    """The store of a saved index, as its manifest names it (FAISS before it was named)."""
    return store_class(manifest.get("store", DEFAULT_STORE)).load(folder, manifest)
