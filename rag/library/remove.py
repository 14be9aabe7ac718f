"""Removing articles from the library, without deleting anything.

An article whose file holds nothing else that is indexed has its file moved
into the corpus folder's hidden `.removed/` (with its page manifest), where
no build reads it and the user can take it back. An article of a file that
holds others (a JSON Lines line, one article of a newspaper page) is listed
in the folder's exclusion list (ingest/exclusions.py). Copies of a removed
article left out as duplicates go too: otherwise the next build would index
the copy and the article would come back under another name. The index is
then rebuilt from the folder, so none of its passages, vectors or BM25
postings remain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ..index import BuildReport, build_index
from ..ingest.exclusions import Exclusion
from .changes import Changes, library_lock
from .listing import corpus_sources, with_index_model


class UnknownArticleError(ValueError):
    """Ids that name no indexed article; nothing was changed."""

    def __init__(self, message: str, ids: list[str]):
        super().__init__(message)
        self.ids = ids


@dataclass(frozen=True)
class RemovedArticle:
    id: str
    title: str
    file: str  # relative to the corpus folder
    moved_to: str = ""  # where its file went; "" when it is listed as excluded instead
    copy_of: str = ""  # set for a duplicate removed with the article it copies

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RemoveReport:
    removed: tuple[RemovedArticle, ...]
    build: BuildReport

    def to_dict(self) -> dict:
        return {"removed": [r.to_dict() for r in self.removed], "build": self.build.to_dict()}


def remove_articles(ids, corpus_dir: str | Path, index_dir: str | Path,
                    **build_options) -> RemoveReport:
    """Take the articles `ids` out of the corpus folder and the index;
    `build_options` go to `build_index` (the index's model by default).
    Unknown ids are an UnknownArticleError naming them all, and change nothing."""
    if isinstance(ids, str):
        ids = [ids]
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValueError("give the id of at least one article to remove (see `rag list`)")
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise ValueError(f"corpus folder {corpus_dir} does not exist")
    with library_lock(corpus_dir):
        known = corpus_sources(corpus_dir, index_dir)
        _check_known(ids, known)
        if len(known.articles) == len(ids):
            raise ValueError("that would remove every article of the corpus, and an index "
                             "needs at least one")
        # (id, file, copy_of) of everything to take out
        targets = [(i, known.articles[i].file, "") for i in ids]
        targets += [(d.id, d.file, d.same_as)
                    for d in known.duplicates if d.same_as in ids]
        by_file = known.by_file()
        gone = set(ids)
        removed = []
        with Changes(corpus_dir) as changes:
            exclusions = changes.exclusions()
            moved: dict[str, str] = {}
            for file in dict.fromkeys(f for _, f, _ in targets):
                if set(by_file.get(file, ())) <= gone:  # nothing indexed stays in it
                    moved[file] = changes.move_aside(file)
            exclusions = [e for e in exclusions if e.file not in moved]
            for article_id, file, copy_of in targets:
                if file not in moved:
                    exclusions.append(Exclusion(article_id, file))
                title = known.articles[copy_of or article_id].title
                removed.append(RemovedArticle(article_id, title, file, moved.get(file, ""),
                                              copy_of))
            changes.set_exclusions(exclusions)
            build = build_index(corpus_dir, index_dir, **with_index_model(index_dir, build_options))
        return RemoveReport(tuple(removed), build)


def _check_known(ids: list[str], known) -> None:
    unknown = [i for i in ids if i not in known.articles]
    if not unknown:
        return
    copies = {d.id: d.same_as for d in known.duplicates}
    notes = [f"{i!r} (a copy of {copies[i]!r}, which is the one indexed)" if i in copies
             else repr(i) for i in unknown]
    raise UnknownArticleError(
        f"unknown article id{'s' if len(unknown) > 1 else ''} {', '.join(notes)}; nothing was "
        "removed (`rag list` shows the ids)", unknown)
