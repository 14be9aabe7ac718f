"""Where a user's own articles go: a library folder that git does not track.

The repository's corpus/ and index/ are the bundled sample and stay as
committed. What a user adds (files, web pages, from `rag add` or the chat)
goes to a library folder, ./library by default ($RAG_LIBRARY, `--library`):

    library/corpus/   the sample's files, then the user's (under added/)
    library/index/    the index of all of them

The first add seeds it from the sample: the sample's files and its index are
copied (the index's vectors are reused, so only the new passages are
embedded), and from then on the library is what the app and `rag` search.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..index.manifest import MANIFEST

DEFAULT_LIBRARY = "library"
# Files of an index folder that belong to the folder they were built in, not to a copy.
_NOT_COPIED = shutil.ignore_patterns(".*.lock")


def library_dir(value: str | os.PathLike | None = None) -> Path:
    """The library folder: `value`, else $RAG_LIBRARY, else ./library."""
    return Path(value or os.environ.get("RAG_LIBRARY") or DEFAULT_LIBRARY)


def library_paths(folder: str | os.PathLike) -> tuple[Path, Path]:
    """(corpus folder, index folder) of the library at `folder`."""
    folder = Path(folder)
    return folder / "corpus", folder / "index"


def has_library(folder: str | os.PathLike) -> bool:
    """Whether a library was started there (its index has been built)."""
    return (library_paths(folder)[1] / MANIFEST).is_file()


def seed_library(folder: str | os.PathLike, *, sample_corpus: str | os.PathLike | None,
                 sample_index: str | os.PathLike | None) -> tuple[Path, Path]:
    """The library's (corpus, index) folders, created from the sample the
    first time: its files and, when it has one, its index (so its passages
    are not embedded again). A library already there is left as it is."""
    corpus, index = library_paths(folder)
    if corpus.is_dir():
        return corpus, index
    corpus.parent.mkdir(parents=True, exist_ok=True)
    partial = corpus.with_name(corpus.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    if sample_corpus is not None and Path(sample_corpus).is_dir():
        shutil.copytree(sample_corpus, partial, ignore=_NOT_COPIED)
    else:
        partial.mkdir()
    if (sample_index is not None and (Path(sample_index) / MANIFEST).is_file()
            and not index.exists()):
        shutil.copytree(sample_index, index, ignore=_NOT_COPIED)
    partial.rename(corpus)  # last: a library whose corpus exists is complete
    return corpus, index
