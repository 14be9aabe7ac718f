"""Which file of the corpus folder each indexed article came from.

`rag list` shows it, `rag remove` needs it (move the file aside, or list the
article as excluded when its file holds others), and `rag add` checks new
articles against the corpus's ids and texts. Reading the corpus again for
that would parse every PDF; instead each build that reads the corpus leaves
this summary beside the index, keyed by the corpus stamp: it is used only
while the folder's files are exactly as they were when it was written.
Hidden, like the stamp: it describes the corpus folder on this machine.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..ingest import Corpus
from ..ingest.duplicates import Duplicate

SOURCES_FILE = ".corpus-sources.json"


@dataclass(frozen=True)
class Source:
    file: str  # relative to the corpus folder, with forward slashes
    key: str  # ingest.duplicates.content_key of its text
    title: str = ""


@dataclass(frozen=True)
class CorpusSources:
    """The corpus folder as last read: each indexed article's file, content
    key and title, and the copies left out as duplicates."""

    articles: dict[str, Source] = field(default_factory=dict)
    duplicates: tuple[Duplicate, ...] = ()

    def by_file(self) -> dict[str, list[str]]:
        """file -> ids of the indexed articles it holds."""
        out: dict[str, list[str]] = {}
        for article_id, source in self.articles.items():
            out.setdefault(source.file, []).append(article_id)
        return out

    def to_dict(self) -> dict:
        return {"articles": {i: [s.file, s.key, s.title] for i, s in self.articles.items()},
                "duplicates": [d.to_dict() for d in self.duplicates]}

    @classmethod
    def from_dict(cls, data: dict) -> CorpusSources:
        return cls({i: Source(*v) for i, v in data["articles"].items()},
                   tuple(Duplicate(**d) for d in data["duplicates"]))


def sources_of(corpus: Corpus, folder: Path) -> CorpusSources:
    """The summary of a corpus `folder` as `read_corpus` loaded it."""
    return CorpusSources(
        {a.id: Source(Path(corpus.sources[a.id]).relative_to(folder).as_posix(),
                      corpus.keys[a.id], a.title) for a in corpus.articles},
        corpus.duplicates)


def write_sources(index_dir: Path, stamp: str | None, sources: CorpusSources | None) -> None:
    """Keep `sources` beside the index for the corpus as stamped `stamp`."""
    if stamp is None or sources is None:  # built from a list of articles
        return
    tmp = index_dir / f"{SOURCES_FILE}.{os.getpid()}"
    try:
        tmp.write_text(json.dumps({"stamp": stamp, **sources.to_dict()}, ensure_ascii=False),
                       "utf-8")
        os.replace(tmp, index_dir / SOURCES_FILE)
    except OSError:  # a read-only index: the corpus is read again when it is needed
        tmp.unlink(missing_ok=True)


def read_sources(index_dir: Path, stamp: str) -> CorpusSources | None:
    """The summary kept beside the index, if it describes the corpus as
    stamped `stamp` (see ingest.corpus_stamp); else None."""
    try:
        data = json.loads((Path(index_dir) / SOURCES_FILE).read_text(encoding="utf-8"))
        if data.get("stamp") != stamp:
            return None
        return CorpusSources.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
