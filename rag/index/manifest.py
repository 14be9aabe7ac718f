"""The index manifest: what built an index, checked whenever it is opened.

An index of another format version or built with another model is refused
with a message naming both, never silently used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..types import Article

FORMAT_VERSION = 2
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
    return manifest


def check_model(manifest: dict, model: str, dim: int | None, index_dir) -> None:
    """Refuse an index built with another model (or the same name at another size)."""
    built, built_dim = manifest.get("model"), manifest.get("dim")
    if built == model and (dim is None or built_dim == dim):
        return
    size = f" ({built_dim} dims)" if built_dim else ""
    wanted = f" ({dim} dims)" if dim and (built == model or built_dim != dim) else ""
    raise IndexLoadError(
        f"index at {index_dir} was built with model {built!r}{size}, not {model!r}{wanted}; "
        f"use that model or rebuild the index with `rag build --index {index_dir}`"
    )
