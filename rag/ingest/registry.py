"""Which loader reads which file: one loader a format, registered by suffix.

A loader turns one file into articles, raising `CorpusError` with every
problem it finds. Adding a format is a new module with a `LOADER` and one
line in `rag/ingest/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..types import Article


@dataclass(frozen=True)
class Loader:
    """Reads files with one of `suffixes` (lower case, with the dot). `claims`,
    when given, must also accept the path: a newspaper page is a .txt file
    with a page manifest beside it. Loaders with a `claims` test are asked first."""

    name: str
    suffixes: tuple[str, ...]
    load: Callable[[Path, str], list[Article]]  # (path, default article id) -> articles
    claims: Callable[[Path], bool] | None = None
    describe: str = ""


_LOADERS: list[Loader] = []


def register(loader: Loader) -> Loader:
    if any(existing.name == loader.name for existing in _LOADERS):
        raise ValueError(f"a loader named {loader.name!r} is already registered")
    _LOADERS.append(loader)
    return loader


def loaders() -> tuple[Loader, ...]:
    return tuple(_LOADERS)


def suffixes() -> tuple[str, ...]:
    """Every suffix some loader reads, in registration order."""
    return tuple(dict.fromkeys(s for loader in _LOADERS for s in loader.suffixes))


def loader_for(path: Path) -> Loader | None:
    suffix = path.suffix.lower()
    candidates = [x for x in _LOADERS if suffix in x.suffixes]
    for loader in sorted(candidates, key=lambda x: x.claims is None):
        if loader.claims is None or loader.claims(path):
            return loader
    return None
