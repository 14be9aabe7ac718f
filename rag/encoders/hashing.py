"""A model-free encoder for fast tests and smoke runs."""

from __future__ import annotations

import hashlib

import numpy as np

from .protocol import SymmetricEncoder


class HashEncoder(SymmetricEncoder):
    """Deterministic bag-of-character-bigrams vectors: no model, millisecond
    speed, and texts sharing words really are closer. For tests and smoke runs."""

    def __init__(self, dim: int = 256):
        self.name = f"hash-{dim}"
        self.dim = dim

    @classmethod
    def from_name(cls, name: str) -> HashEncoder:
        """`hash-256` -> a 256-dimensional HashEncoder."""
        size = name.removeprefix("hash-")
        if not size.isdigit() or not 2 <= int(size) <= 65536:
            raise ValueError(f"model {name!r}: a hash encoder is named hash-N, N from 2 to 65536")
        return cls(int(size))

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))]
            for gram in grams:
                # surrogatepass: a lone surrogate still hashes (any text encodes)
                data = gram.encode("utf-8", "surrogatepass")
                digest = hashlib.blake2b(data, digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
