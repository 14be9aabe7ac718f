"""Sentence encoders: the bundled m3e-small run by torch or ONNX Runtime, and a
model-free fake for tests. `load_encoder(name, backend=...)` picks one."""

from .base import (
    BACKENDS,
    DEFAULT_MODEL,
    Encoder,
    bundled_model_path,
    check_available,
    is_on_disk,
    known_dim,
    load_encoder,
    resolve_model,
)
from .hashing import HashEncoder


def __getattr__(name: str):
    # The torch backend imports sentence-transformers (seconds): only on use.
    if name == "SentenceTransformerEncoder":
        from .torch_backend import SentenceTransformerEncoder

        return SentenceTransformerEncoder
    raise AttributeError(name)


__all__ = ["BACKENDS", "DEFAULT_MODEL", "Encoder", "HashEncoder", "SentenceTransformerEncoder",
           "bundled_model_path", "check_available", "is_on_disk", "known_dim", "load_encoder",
           "resolve_model"]
