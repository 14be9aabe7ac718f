"""What every encoder is.

Every encoder returns L2-normalised float32 rows, so inner product is cosine.
Questions and passages go through separate calls: an asymmetric model (e5)
prefixes them differently; a symmetric one (m3e) uses one path for both.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...


class SymmetricEncoder:
    """A model that embeds questions and passages alike: both go to `encode`."""

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        raise NotImplementedError

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self.encode(texts, progress=progress)
