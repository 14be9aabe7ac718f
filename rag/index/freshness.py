"""Whether an index is fresh: built from its corpus folder as it is now.

A cheap stamp of the folder's files is kept beside the index; while it
matches, the corpus is not read again. Otherwise the corpus fingerprint in
the manifest decides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .manifest import IndexLoadError, StaleIndexError, corpus_fingerprint, read_manifest

# Beside the index, not in its manifest: a clone's files have new modification
# times, and re-stamping must not dirty the committed index.
STAMP_FILE = ".corpus-stamp.json"


def stamp_matches(index_dir: Path, stamp: str) -> bool:
    """The corpus files look exactly as when the index was last found fresh."""
    try:
        saved = json.loads((index_dir / STAMP_FILE).read_text(encoding="utf-8"))
        manifest = read_manifest(index_dir)
    except (OSError, ValueError, IndexLoadError):
        return False
    return saved == {"stamp": stamp, "corpus_fingerprint": manifest.get("corpus_fingerprint")}


def write_stamp(index_dir: Path, stamp: str | None) -> None:
    if stamp is None:
        return
    fingerprint = read_manifest(index_dir).get("corpus_fingerprint")
    tmp = index_dir / f"{STAMP_FILE}.{os.getpid()}"
    try:
        tmp.write_text(json.dumps({"stamp": stamp, "corpus_fingerprint": fingerprint}), "utf-8")
        os.replace(tmp, index_dir / STAMP_FILE)
    except OSError:  # a read-only index still works, it is just checked the slow way
        tmp.unlink(missing_ok=True)


def is_fresh(index_dir: Path, corpus_dir: Path) -> bool:
    """Whether the index was built from the corpus as it is now."""
    from ..ingest import corpus_stamp, read_corpus

    stamp = corpus_stamp(corpus_dir)
    if stamp_matches(index_dir, stamp):
        return True
    fresh = (read_manifest(index_dir).get("corpus_fingerprint")
             == corpus_fingerprint(read_corpus(corpus_dir).articles))
    if fresh:
        write_stamp(index_dir, stamp)
    return fresh


DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


def recorded_corpus(index_dir: Path) -> Path | None:
    """The corpus folder an index was built from (the bundled corpus for the
    bundled index when it is missing), or None."""
    try:
        recorded = read_manifest(index_dir).get("corpus_dir")
    except IndexLoadError:
        recorded = None
        if index_dir == Path(DEFAULT_INDEX) and Path(DEFAULT_CORPUS).is_dir():
            return Path(DEFAULT_CORPUS)
    if not recorded:
        return None
    return Path(os.path.normpath(index_dir.resolve() / recorded))


def check_fresh(index_dir: Path, corpus_dir: Path) -> None:
    """Raise StaleIndexError unless the index was built from the corpus as it is now."""
    if not is_fresh(index_dir, corpus_dir):
        raise StaleIndexError(
            f"index at {index_dir} is stale: the corpus at {corpus_dir} changed since it was "
            f"built; run `rag build --corpus {corpus_dir} --index {index_dir}`"
        )
