"""What the library holds: each indexed article with its passages and file.

`rag list` prints it; `add_files` uses it to say how many passages each new
article got. Counts come from the index itself, so they are what searches see.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..index import build_index, read_manifest
from ..index.sources import CorpusSources, read_sources, sources_of
from ..index.tables import ArticleTable, ChunkTable
from ..ingest import candidate_files, corpus_stamp, read_corpus


@dataclass(frozen=True)
class ArticleEntry:
    id: str
    title: str
    author: str
    date: str
    passages: int
    file: str  # relative to the corpus folder ("" when the index was built from a list)

    def to_dict(self) -> dict:
        return asdict(self)


def list_articles(index_dir: str | Path, corpus_dir: str | Path | None = None,
                  **build_options) -> list[ArticleEntry]:
    """Every article of the index, in id order. With `corpus_dir` the index
    is first brought up to date with it (nothing to do when it is), so the
    list is the folder's; `build_options` go to `build_index`."""
    index_dir = Path(index_dir)
    if corpus_dir is not None:
        build_index(corpus_dir, index_dir, **with_index_model(index_dir, build_options))
    return entries(index_dir, corpus_sources(Path(corpus_dir), index_dir)
                   if corpus_dir is not None else None)


def entries(index_dir: Path, sources: CorpusSources | None,
            ids: list[str] | None = None) -> list[ArticleEntry]:
    """The index's articles (or those of `ids`) with passage counts and files."""
    read_manifest(index_dir)  # a missing or foreign index says so, not "no such file"
    articles = ArticleTable(index_dir)
    counts = np.bincount(ChunkTable(index_dir, articles).article_rows,
                         minlength=len(articles))
    rows = range(len(articles)) if ids is None else [articles.row(i) for i in ids]
    files = sources.articles if sources is not None else {}
    out = []
    for row in rows:
        a = articles[row]
        source = files.get(a.id)
        out.append(ArticleEntry(a.id, a.title, a.author, a.date, int(counts[row]),
                                source.file if source else ""))
    return out


def corpus_sources(corpus_dir: Path, index_dir: Path) -> CorpusSources:
    """The corpus folder as it is now: from the summary the last build left
    beside the index when the folder has not changed since, else read."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir() or not candidate_files(corpus_dir):
        return CorpusSources()
    known = read_sources(index_dir, corpus_stamp(corpus_dir))
    return known if known is not None else sources_of(read_corpus(corpus_dir), corpus_dir)


def with_index_model(index_dir: Path, options: dict) -> dict:
    """Build with the index's own model unless another is asked for: adding
    one article must not re-embed the corpus with the default model."""
    options = dict(options)
    if options.get("model") is None and options.get("encoder") is None:
        try:
            options["model"] = read_manifest(index_dir)["model"]
        except (OSError, RuntimeError, KeyError):
            options.pop("model", None)
    return options
