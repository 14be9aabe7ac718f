"""The index manifest: what built an index, checked whenever it is opened.

An index of another format version or built with another model is refused
with a message naming both, never silently used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..types import Article

# 3: typed mentions (mentions.npz) stored with the passages.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"


class IndexLoadError(RuntimeError):
    """The index folder cannot be used as it is (missing, foreign, stale, broken)."""


class StaleIndexError(IndexLoadError):
    """The corpus changed since the index was built."""


def corpus_fingerprint(articles: list[Article]) -> str:
    digest = hashlib.sha256()
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def content_key(model: str, text: str) -> str:
    """Cache key of an embedding: same model + same text = same vector."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()[:32]


def read_manifest(index_dir: str | Path) -> dict:
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        raise IndexLoadError(f"no index at {index_dir} (missing {MANIFEST}); run `rag build`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"unreadable index manifest {path}: {err}") from err
    if not isinstance(manifest, dict):
        raise IndexLoadError(f"unreadable index manifest {path}: not a JSON object")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexLoadError(
            f"index at {index_dir} has format version {version}, this version of rag reads "
            f"{FORMAT_VERSION}; rebuild it with `rag build --index {index_dir}`"
        )
    model, dim = manifest.get("model"), manifest.get("dim")
    if not isinstance(model, str) or not model:
        raise IndexLoadError(f"index manifest {path} is damaged: it names no model; "
                             f"rebuild it with `rag build --force --index {index_dir}`")
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise IndexLoadError(f"index manifest {path} is damaged: no vector size (dim); "
                             f"rebuild it with `rag build --force --index {index_dir}`")
    return manifest


def _named(model, dim) -> str:
    return f"{model!r} ({dim} dims)" if dim else repr(model)


def check_model(manifest: dict, model: str, dim: int | None, index_dir) -> None:
    """Refuse an index built with another model than `model` (of `dim`
    dimensions, when known), naming both."""
    built, built_dim = manifest.get("model"), manifest.get("dim")
    if built == model:
        if dim is None or built_dim == dim:
            return
        raise IndexLoadError(
            f"index at {index_dir} is damaged: its manifest says model {model!r} made "
            f"{built_dim}-dim vectors, but {model!r} makes {dim}; rebuild it with "
            f"`rag build --force --index {index_dir}`"
        )
    raise IndexLoadError(
        f"index at {index_dir} was built with model {_named(built, built_dim)}, not "
        f"{_named(model, dim)}; use that model or rebuild the index with "
        f"`rag build --index {index_dir}`"
    )


def check_usable(manifest: dict, index_dir, *, wanted: str | None = None,
                 wanted_dim: int | None = None) -> None:
    """Before any model is loaded: refuse an index built with another model
    than `wanted`, or, when none is asked for, one whose model is not on
    this machine, naming the models and their sizes. Neither the model nor
    the network is touched."""
    from ..encoders import MODELS, is_on_disk, known_dim

    built = manifest["model"]
    if wanted is not None:
        check_model(manifest, wanted, wanted_dim or known_dim(wanted), index_dir)
        return
    check_model(manifest, built, known_dim(built), index_dir)
    if not is_on_disk(built):
        how = f" ({MODELS[built].install})" if built in MODELS else ""
        raise IndexLoadError(
            f"index at {index_dir} was built with model {_named(built, manifest['dim'])}, "
            f"which is not on this machine (the models shipped in packages are "
            f"{', '.join(_named(m, known_dim(m)) for m in MODELS)}); rebuild the index with "
            f"`rag build --index {index_dir} --model NAME`, or install that model{how}"
        )
