"""Loading a user's corpus folder into Articles.

Each file goes to the loader registered for it (see registry.py). Every
problem is collected and reported at once, naming the file, so a user fixes
the whole folder in one go; a bad article file is never skipped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..types import Article
from .common import CorpusError
from .registry import loader_for, suffixes


def load_corpus(folder: str | Path) -> list[Article]:
    """All articles under `folder` (recursively), sorted by id."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError([f"corpus folder {folder} does not exist"])
    problems: list[str] = []
    seen: dict[str, Path] = {}
    articles: list[Article] = []
    for path in candidate_files(folder):
        loader = loader_for(path)
        if loader is None:  # a companion file (a page manifest's .yaml) or another format
            continue
        default_id = path.relative_to(folder).with_suffix("").as_posix()
        try:
            found = loader.load(path, default_id)
        except CorpusError as exc:
            problems.extend(exc.problems)
            continue
        for article in found:
            if article.id in seen:
                problems.append(f"{path}: duplicate article id {article.id!r} "
                                f"(also in {seen[article.id]})")
                continue
            seen[article.id] = path
            articles.append(article)
    if problems:
        raise CorpusError(problems, folder)
    if not articles:
        raise CorpusError([f"no articles found in {folder} (looked for {', '.join(suffixes())})"])
    return sorted(articles, key=lambda a: a.id)


def corpus_stamp(folder: str | Path) -> str:
    """A cheap summary of the folder's files (names, sizes, modification
    times): while it is unchanged the corpus is too, and need not be read and
    fingerprinted again, which takes minutes for a big archive."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        info = path.stat()
        digest.update(f"{rel.as_posix()}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def candidate_files(folder: Path) -> list[Path]:
    """Files a loader may read: not hidden (.git, editor swap files), not a README."""
    files = []
    wanted = set(suffixes())
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.suffix.lower() in wanted and not path.stem.upper().startswith("README"):
            files.append(path)
    return files
