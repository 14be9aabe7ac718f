"""Loading a user's corpus folder into Articles.

Each file goes to the loader registered for it (see registry.py). Every
problem is collected and reported at once, naming the file, so a user fixes
the whole folder in one go; a bad article file is never skipped.

Only files inside the folder are read: a symbolic link that leads out of it
(or nowhere) is skipped and listed with the reason, so a link can neither
pull in files the owner never meant to publish nor vanish silently. Links
inside the folder are followed; linked folders are not descended into.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..types import Article
from .common import CorpusError
from .duplicates import Duplicate, content_key
from .exclusions import EXCLUSIONS_FILE, Exclusion, read_exclusions
from .registry import loader_for, suffixes


@dataclass(frozen=True)
class Skipped:
    """A path in the corpus folder that was not read, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Corpus:
    """A loaded corpus folder: its articles (sorted by id), the file each came
    from, the paths skipped, the articles left out as copies of others, and
    those left out by the folder's exclusion list."""

    articles: list[Article]
    sources: dict[str, Path] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    keys: dict[str, str] = field(default_factory=dict)  # article id -> content_key


def load_corpus(folder: str | Path) -> list[Article]:
    """All articles under `folder` (recursively), sorted by id."""
    return read_corpus(folder).articles


def read_corpus(folder: str | Path) -> Corpus:
    """All articles under `folder`, where each came from, and what was skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError([f"corpus folder {folder} does not exist"])
    problems: list[str] = []
    seen: dict[str, Path] = {}
    articles: list[Article] = []
    excluding = {(e.id, e.file): e for e in read_exclusions(folder)}
    keys: dict[str, str] = {}
    first: dict[str, tuple[str, str]] = {}  # content key -> (id, file) of the copy kept
    duplicates, excluded = [], []
    files, skipped = walk(folder)
    for path in _candidates(files):
        loader = loader_for(path)
        if loader is None:  # a companion file (a page manifest's .yaml) or another format
            continue
        rel = path.relative_to(folder).as_posix()
        try:
            found = loader.load(path, path.relative_to(folder).with_suffix("").as_posix())
        except CorpusError as exc:
            problems.extend(exc.problems)
            continue
        for article in found:
            if (entry := excluding.get((article.id, rel))) is not None:
                excluded.append(entry)
                continue
            key = content_key(article)
            if key in first:  # before the id check: one file saved twice is no error
                duplicates.append(Duplicate(article.id, rel, *first[key]))
                continue
            if article.id in seen:
                problems.append(f"{path}: duplicate article id {article.id!r} "
                                f"(also in {seen[article.id]})")
                continue
            seen[article.id], keys[article.id], first[key] = path, key, (article.id, rel)
            articles.append(article)
    if problems:
        raise CorpusError(problems, folder)
    if not articles:
        raise CorpusError([f"no articles found in {folder} (looked for {', '.join(suffixes())})"])
    return Corpus(sorted(articles, key=lambda a: a.id), dict(seen), skipped, tuple(duplicates),
                  tuple(excluded), keys)


def corpus_stamp(folder: str | Path) -> str:
    """A cheap summary of the folder's files (names, sizes, modification
    times): while it is unchanged the corpus is too, and need not be read and
    fingerprinted again, which takes minutes for a big archive."""
    folder = Path(folder)
    return stamp_files(folder, walk(folder)[0])


def stamp_files(folder: Path, files: list[Path]) -> str:
    """corpus_stamp of the `files` that walk(folder) found."""
    digest = hashlib.sha256()
    for path in files:
        info = path.stat()
        rel = path.relative_to(folder).as_posix()
        digest.update(f"{rel}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    # Hidden, so not among `files`, but it changes what the folder holds.
    try:
        digest.update(b"\0excluded\0" + (folder / EXCLUSIONS_FILE).read_bytes())
    except FileNotFoundError:
        pass
    return digest.hexdigest()


def candidate_files(folder: Path) -> list[Path]:
    """Files a loader may read: inside the folder, not hidden (.git, editor
    swap files), not a README."""
    return _candidates(walk(folder)[0])


def _candidates(files: list[Path]) -> list[Path]:
    wanted = set(suffixes())
    return [p for p in files
            if p.suffix.lower() in wanted and not p.stem.upper().startswith("README")]


def walk(folder: Path) -> tuple[list[Path], tuple[Skipped, ...]]:
    """(the folder's files that are not hidden and lie inside it, sorted;
    the links skipped because they lead out of it or nowhere)."""
    root = folder.resolve()
    wanted = set(suffixes())
    files, skipped = [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            reason = _leaves(path, root)
            if reason:
                # Reported when it would have been read: an article file or a folder.
                if path.suffix.lower() in wanted or path.is_dir():
                    skipped.append(Skipped(str(path), reason))
                continue
        if path.is_file():
            files.append(path)
    return files, tuple(skipped)


def _leaves(link: Path, root: Path) -> str:
    """Why the symbolic link `link` must not be followed, or "" if it may."""
    target = os.readlink(link)
    try:
        resolved = link.resolve(strict=True)
    except FileNotFoundError:
        return f"a broken symbolic link (to {target})"
    except (OSError, RuntimeError):  # a loop: RuntimeError before Python 3.13
        return f"a symbolic link that loops (to {target})"
    if not resolved.is_relative_to(root):
        return f"a symbolic link to {resolved}, outside the corpus folder"
    return ""
