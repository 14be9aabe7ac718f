"""Adding the user's files to the library: checked, copied into the corpus
folder, indexed. `rag add` and the chat's upload both call `add_files`.

The corpus folder stays the source of truth: a file is copied into it (under
`added/`, a folder keeping its layout below its own name) and the index is
rebuilt from the folder, which embeds only the new passages. Each file is
read with its loader before anything is copied, so a file that cannot be
read, is too big, is of an unknown type, or gives an article an id the
corpus already uses is reported with the reason and changes nothing, while
the other files of the batch still go in. An article whose text is already
in the corpus is not added again: a file holding only such articles is not
copied, and such an article inside a file that is copied is listed as
excluded, so the copy already indexed stays the one cited.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..index import BuildReport, build_index
from ..ingest import CorpusError, Skipped, loader_for, suffixes, walk
from ..ingest.duplicates import Duplicate, content_key
from ..ingest.exclusions import Exclusion
from .changes import Changes, free_path, is_companion, library_lock
from .fetch import fetch_pages, is_url
from .listing import ArticleEntry, corpus_sources, entries, with_index_model

log = logging.getLogger("rag")

MAX_FILE_BYTES = 50 * 1024 * 1024  # a newspaper PDF is a few MB; more is an archive or a mistake
ADDED_FOLDER = "added"


@dataclass(frozen=True)
class Problem(Skipped):
    """A file that was not added (`path`, as given), and why (`reason`)."""

    def to_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class AddedFile:
    source: str  # as given
    file: str  # where it went, relative to the corpus folder
    articles: tuple[ArticleEntry, ...]
    renamed: bool = False  # `file` got a number: its name was taken

    def to_dict(self) -> dict:
        return {"source": self.source, "file": self.file, "renamed": self.renamed,
                "articles": [a.to_dict() for a in self.articles]}


@dataclass(frozen=True)
class AddReport:
    added: tuple[AddedFile, ...] = ()
    problems: tuple[Problem, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()  # `file` is the path given
    build: BuildReport | None = None  # None when nothing was added

    @property
    def articles(self) -> int:
        return sum(len(f.articles) for f in self.added)

    @property
    def embedded(self) -> int:
        return self.build.embedded if self.build and not self.build.up_to_date else 0

    @property
    def reused(self) -> int:
        return self.build.reused if self.build else 0

    def to_dict(self) -> dict:
        return {"added": [f.to_dict() for f in self.added], "articles": self.articles,
                "embedded": self.embedded, "reused": self.reused,
                "duplicates": [d.to_dict() for d in self.duplicates],
                "problems": [p.to_dict() for p in self.problems],
                "build": self.build.to_dict() if self.build else None}


@dataclass
class _Plan:
    """What the batch will do, decided before anything is written."""

    ids: dict[str, str]  # article id -> its file, in the corpus or planned
    keys: dict[str, tuple[str, str]]  # content key -> (id, file) of the copy kept
    copies: list[tuple[Path, PurePosixPath, bool]]  # (source, destination, renamed)
    exclusions: list[Exclusion]
    problems: list[Problem]
    duplicates: list[Duplicate]


def add_files(paths, corpus_dir: str | Path, index_dir: str | Path, *,
              max_bytes: int = MAX_FILE_BYTES, **build_options) -> AddReport:
    """Add the article files (or folders of them) at `paths` to the corpus
    folder and update the index; `build_options` go to `build_index`
    (encoder, model, backend, progress…; the index's model by default).
    A path that is a web address (http:// or https://) is fetched and saved
    as a page (library/fetch.py); the report names it by its address."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise ValueError("give at least one file, folder or web address to add")
    if any(is_url(p) for p in paths):
        with tempfile.TemporaryDirectory(prefix="rag-fetch-") as folder:
            saved, failed = fetch_pages([p for p in paths if is_url(p)], Path(folder),
                                        max_bytes=max_bytes)
            address = {str(path): url for path, url in saved.items()}
            files = [p for p in paths if not is_url(p)] + list(saved)
            report = (add_files(files, corpus_dir, index_dir, max_bytes=max_bytes,
                                **build_options) if files else AddReport())
        return named_by_address(report, address, [Problem(e.url, e.reason) for e in failed])
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if corpus_dir.exists() and not corpus_dir.is_dir():
        raise ValueError(f"corpus {corpus_dir} is not a folder")
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with library_lock(corpus_dir):
        known = corpus_sources(corpus_dir, index_dir)
        plan = _Plan({i: s.file for i, s in known.articles.items()},
                     {s.key: (i, s.file) for i, s in known.articles.items()}, [], [], [], [])
        for source, dest in _expand(paths, corpus_dir, plan.problems):
            _check(source, dest, corpus_dir, max_bytes, plan)
        if not plan.copies:
            return AddReport((), tuple(plan.problems), tuple(plan.duplicates))
        with Changes(corpus_dir) as changes:
            for source, dest, _ in plan.copies:
                changes.copy_in(source, dest)
            if plan.exclusions:
                changes.set_exclusions(changes.exclusions() + plan.exclusions)
            build = build_index(corpus_dir, index_dir, **with_index_model(index_dir, build_options))
        sources = corpus_sources(corpus_dir, index_dir)
        by_file = sources.by_file()
        added = tuple(
            AddedFile(str(src), dest.as_posix(),
                      tuple(entries(index_dir, sources, by_file.get(dest.as_posix(), []))), renamed)
            for src, dest, renamed in plan.copies)
        return AddReport(added, tuple(plan.problems), tuple(plan.duplicates), build)


def named_by_address(report: AddReport, address: dict[str, str],
                     failed: list[Problem]) -> AddReport:
    """`report` with fetched pages named by their web address, not the
    temporary file they were saved in, and the pages not fetched first."""
    def named(path: str) -> str:
        return address.get(path, path)

    return replace(
        report, added=tuple(replace(f, source=named(f.source)) for f in report.added),
        problems=(*failed, *(replace(p, path=named(p.path)) for p in report.problems)),
        duplicates=tuple(replace(d, file=named(d.file)) for d in report.duplicates))


def _expand(paths, corpus_dir: Path, problems: list[Problem]):
    """(file, where it goes in the corpus folder) for every article file at
    `paths`; what cannot be added is put in `problems`."""
    inside = corpus_dir.resolve()
    given = {Path(p).resolve() for p in paths}
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(Problem(str(path), "no such file or folder"))
        elif path.resolve().is_relative_to(inside) or inside.is_relative_to(path.resolve()):
            problems.append(Problem(str(path), f"is part of the corpus folder {corpus_dir} "
                                    "already; `rag build` indexes what is there"))
        elif path.is_dir():
            files, skipped = walk(path)
            problems.extend(Problem(s.path, s.reason) for s in skipped)
            folder = PurePosixPath(ADDED_FOLDER, path.resolve().name.lstrip(".") or "folder")
            wanted = set(suffixes())
            for file in files:
                # As when a corpus folder is read: other files (photos, a page
                # manifest, which travels with its page, READMEs) are not articles.
                if (file.suffix.lower() in wanted and not is_companion(file)
                        and not file.stem.upper().startswith("README")
                        and loader_for(file) is not None):
                    yield file, folder / file.relative_to(path).as_posix()
        elif is_companion(path):
            pages = [p for p in path.parent.iterdir() if not is_companion(p)
                     and p.name.startswith(path.name.removesuffix(".page.yaml") + ".")]
            if not any(p.resolve() in given for p in pages):
                problems.append(Problem(str(path), "a page manifest: add its page (the .txt "
                                        "or .pdf beside it) and it comes along"))
        elif path.stem.upper().startswith("README"):
            problems.append(Problem(str(path), "files named README… are not read as articles "
                                    "in a corpus folder; rename it"))
        else:
            yield path, PurePosixPath(ADDED_FOLDER, path.name.lstrip(".") or "article")


def _check(source: Path, dest: PurePosixPath, corpus_dir: Path, max_bytes: int,
           plan: _Plan) -> None:
    """Read `source` as it will be read from the corpus and decide: copy it,
    skip it as a duplicate, or refuse it (a Problem)."""
    try:
        size = source.stat().st_size
    except OSError as exc:
        plan.problems.append(Problem(str(source), f"cannot be read: {exc.strerror or exc}"))
        return
    if size > max_bytes:
        plan.problems.append(Problem(str(source), f"is {_size(size)}, over the "
                                     f"{_size(max_bytes)} limit for one file"))
        return
    loader = loader_for(source)
    if loader is None and source.suffix.lower() in suffixes():  # a photo, not a page
        plan.problems.append(Problem(str(source), "does not look like a scanned page (a "
                                     "photo, or not an image at all): images are read only "
                                     "when they are pages of print"))
        return
    if loader is None:
        kind = f"type {source.suffix}" if source.suffix else "file without a suffix"
        plan.problems.append(Problem(str(source), f"unknown {kind}: articles are "
                                     f"{', '.join(suffixes())} files"))
        return
    target = free_path(corpus_dir, dest, set(plan.ids) | {p.with_suffix("").as_posix()
                                                          for _, p, _ in plan.copies})
    dest_rel = PurePosixPath(target.relative_to(corpus_dir).as_posix())
    try:
        found = loader.load(source, dest_rel.with_suffix("").as_posix())
    except CorpusError as exc:
        plan.problems.extend(Problem(str(source), _reason(p, source)) for p in exc.problems)
        return
    except Exception as exc:  # noqa: BLE001 - a parser's crash on one upload must not stop the rest
        log.debug("reading %s failed", source, exc_info=True)
        plan.problems.append(Problem(str(source), f"cannot be read ({type(exc).__name__}: "
                                     f"{exc})"))
        return
    _decide(source, dest_rel, dest != dest_rel, found, plan)


def _decide(source: Path, dest: PurePosixPath, renamed: bool, found, plan: _Plan) -> None:
    file = dest.as_posix()
    keys, ids, duplicates, clashes = {}, {}, [], []
    for article in found:
        key = content_key(article)
        kept = plan.keys.get(key) or keys.get(key)
        if kept is not None:
            duplicates.append(Duplicate(article.id, str(source), *kept))
        elif article.id in plan.ids or article.id in ids:
            clashes.append(f"article id {article.id!r} is in the corpus already "
                           f"({plan.ids.get(article.id, file)}); give the article another id")
        else:
            keys[key], ids[article.id] = (article.id, file), file
    if clashes:
        plan.problems.extend(Problem(str(source), c) for c in clashes)
        return
    plan.duplicates.extend(duplicates)
    if not ids:
        return  # every article is in the corpus already: nothing to copy
    plan.copies.append((source, dest, renamed))
    plan.ids.update(ids)
    plan.keys.update(keys)
    # A copy of an article of another file is left out explicitly: by path
    # order alone the new file could win and the indexed article change its id.
    plan.exclusions.extend(Exclusion(d.id, file, f"duplicate of {d.same_as}")
                           for d in duplicates if d.same_as_file != file)


def _reason(problem: str, source: Path) -> str:
    """A loader's problem without the path it starts with (Problem names it)."""
    text = str(problem)
    return text[len(str(source)):].lstrip(":, ") if text.startswith(str(source)) else text


def _size(n: int) -> str:
    return f"{n / 2**20:.3g} MB" if n >= 2**20 else f"{n / 1024:.3g} KB"
