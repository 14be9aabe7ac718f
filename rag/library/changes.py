"""Changing the corpus folder so that a failed update leaves it as it was.

`rag add` copies files in and `rag remove` moves them aside or lists
articles as excluded, then the index is rebuilt from the folder. When that
build fails (a full disk, another build that will not finish), the folder is
put back, so the folder and the index keep agreeing. One add or remove at a
time per corpus folder: they read the folder, decide, then write it.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path, PurePosixPath

from ..index.lock import hold_lock
from ..ingest.exclusions import (
    EXCLUSIONS_FILE,
    REMOVED_FOLDER,
    Exclusion,
    read_exclusions,
    write_exclusions,
)
from ..ingest.newspaper import MANIFEST_SUFFIX, manifest_path_for

LOCK_FILE = ".rag-library.lock"  # hidden: never read as an article


def library_lock(corpus_dir: Path, *, wait: float | None = None):
    """Hold the corpus folder's lock for one add or remove."""
    return hold_lock(Path(corpus_dir) / LOCK_FILE, f"change of the corpus at {corpus_dir}",
                     wait=wait)


def companions(path: Path) -> list[Path]:
    """Files that travel with an article file: its page manifest (X.page.yaml)."""
    manifest = manifest_path_for(path)
    return [manifest] if manifest != path and manifest.is_file() else []


def is_companion(path: Path) -> bool:
    return path.name.endswith(MANIFEST_SUFFIX)


class Changes:
    """The changes made to one corpus folder, undone by `undo()`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._created: list[Path] = []  # files and folders, in creation order
        self._moved: list[tuple[Path, Path]] = []
        exclusions = self.folder / EXCLUSIONS_FILE
        self._exclusions = exclusions.read_bytes() if exclusions.exists() else None

    def __enter__(self) -> Changes:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
            self.undo()

    def copy_in(self, source: Path, rel: PurePosixPath) -> None:
        """Copy `source` (and its companions) to `rel` in the folder, never
        over an existing file."""
        target = self.folder / rel
        self._make_parents(target.parent)
        for src, dst in [(source, target)] + [
                (c, manifest_path_for(target)) for c in companions(source)]:
            with open(src, "rb") as f, open(dst, "xb") as g:  # "x": fail rather than overwrite
                self._created.append(dst)
                shutil.copyfileobj(f, g)
            shutil.copystat(src, dst)

    def move_aside(self, rel: str) -> str:
        """Move the folder's file `rel` (and its companions) into the hidden
        REMOVED_FOLDER, under a free name; where it went, relative to the folder."""
        source = self.folder / rel
        target = free_path(self.folder / REMOVED_FOLDER, PurePosixPath(rel))
        self._make_parents(target.parent)
        for src, dst in [(source, target)] + [
                (c, manifest_path_for(target)) for c in companions(source)]:
            src.rename(dst)
            self._moved.append((src, dst))
        parent = source.parent  # no empty added/ folders left behind
        while parent != self.folder and parent.is_relative_to(self.folder):
            try:
                parent.rmdir()
            except OSError:  # not empty
                break
            parent = parent.parent
        return target.relative_to(self.folder).as_posix()

    def exclusions(self) -> list[Exclusion]:
        return list(read_exclusions(self.folder))

    def set_exclusions(self, entries: list[Exclusion]) -> None:
        write_exclusions(self.folder, entries)

    def undo(self) -> None:
        for src, dst in reversed(self._moved):
            with contextlib.suppress(OSError):
                src.parent.mkdir(parents=True, exist_ok=True)
                dst.rename(src)
        for path in reversed(self._created):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        exclusions = self.folder / EXCLUSIONS_FILE
        if self._exclusions is None:
            exclusions.unlink(missing_ok=True)
        else:
            exclusions.write_bytes(self._exclusions)

    def _make_parents(self, folder: Path) -> None:
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        for path in reversed(missing):
            path.mkdir()
            self._created.append(path)


def free_path(folder: Path, rel: PurePosixPath, taken: set[str] = frozenset()) -> Path:
    """`folder / rel`, or `name-2.ext`, `name-3.ext`… when a file of that
    name or article id (the path without its suffix) is there or `taken`."""
    stem, suffix = rel.stem, rel.suffix
    for n in range(1, 10_000):
        name = PurePosixPath(rel.parent, f"{stem}{'' if n == 1 else f'-{n}'}{suffix}")
        if not _occupied(folder, name, taken):
            return folder / name
    raise ValueError(f"no free name for {rel} in {folder}")


def _occupied(folder: Path, rel: PurePosixPath, taken: set[str]) -> bool:
    if rel.with_suffix("").as_posix() in taken:
        return True
    parent = folder / rel.parent
    if not parent.is_dir():
        return False
    stem = rel.stem
    for path in parent.iterdir():
        name = path.name
        if name == rel.name or name == stem + MANIFEST_SUFFIX:
            return True
        # foo.md and foo.txt would both be article "foo"
        if path.is_file() and not is_companion(path) and path.stem == stem:
            return True
    return False
