"""Articles and passages on disk, read on demand.

A million passages as Python objects would take gigabytes and seconds to
parse; here they are fixed-size numpy records (52 bytes a passage), turned
into `Article` and `Chunk` objects only when a query touches them, and the
articles' text is read from disk by byte offset.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ..types import Article, Chunk, chunk_id

ARTICLES_JSONL = "articles.jsonl"
ARTICLES_NPY = "articles.npy"
CHUNKS_NPY = "chunks.npy"
KEY_BYTES = 32  # store.content_key is 32 hex digits
BYLINE_COLUMNS = ("id", "author", "affiliation", "date", "source")
FILTER_COLUMNS = ("id", "author", "date", "source")  # what search filters read


def write_articles(folder: Path, articles: Sequence[Article]) -> None:
    offsets, pos = [], 0
    with open(folder / ARTICLES_JSONL, "wb") as f:
        for article in articles:
            line = (json.dumps(article.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
            offsets.append(pos)
            f.write(line)
            pos += len(line)
    # Ids find an article; bylines answer "what did X write" and dates and
    # sources filter a search, without parsing any.
    columns = {name: [getattr(a, name) for a in articles] for name in BYLINE_COLUMNS}
    rows = np.zeros(len(offsets), dtype=[("offset", "<i8")] + [
        (name, f"<U{max([len(v) for v in values] + [1])}") for name, values in columns.items()
    ])
    rows["offset"] = offsets
    for name, values in columns.items():
        rows[name] = values
    np.save(folder / ARTICLES_NPY, rows)


def write_chunks(folder: Path, chunks: Sequence[Chunk], keys: Sequence[str],
                 articles: Sequence[Article]) -> None:
    row_of = {a.id: i for i, a in enumerate(articles)}
    rows = np.zeros(len(chunks), dtype=[
        ("article", "<i4"), ("start", "<i4"), ("end", "<i4"), ("paragraph", "<i4"),
        ("section", "<i4"), ("key", f"S{KEY_BYTES}"),
    ])
    for i, (chunk, key) in enumerate(zip(chunks, keys, strict=True)):
        article = articles[row_of[chunk.article_id]]
        if article.body[chunk.start : chunk.end] != chunk.text:
            raise ValueError(f"chunk {chunk.id} is not its article's body[start:end]")
        rows[i] = (row_of[chunk.article_id], chunk.start, chunk.end, chunk.paragraph,
                   _section_number(article, chunk), key.encode("ascii"))
    np.save(folder / CHUNKS_NPY, rows)


def _section_number(article: Article, chunk: Chunk) -> int:
    """Which of the article's sections the chunk sits under (-1: none)."""
    if not chunk.section:
        return -1
    for n in range(len(article.sections) - 1, -1, -1):
        section = article.sections[n]
        if section.heading == chunk.section and section.start <= chunk.start:
            return n
    raise ValueError(f"chunk {chunk.id}: section {chunk.section!r} is not in its article")


class ArticleTable(Sequence):
    """The indexed articles, parsed one at a time from articles.jsonl."""

    def __init__(self, folder: Path):
        self._rows = np.load(folder / ARTICLES_NPY)  # ~50 bytes an article
        self._path = folder / ARTICLES_JSONL
        self._size = self._path.stat().st_size
        self._fd = os.open(self._path, os.O_RDONLY)  # pread: see NpyFile
        self._row_of: dict[str, int] | None = None
        self._lock = threading.Lock()
        # A query's hits and their follow-ups re-read the same few articles;
        # parsing a long one costs ~0.1 ms.
        self._read = functools.lru_cache(maxsize=256)(self._parse)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._read(_position(i, len(self)))

    def _parse(self, i: int) -> Article:
        start = int(self._rows["offset"][i])
        end = int(self._rows["offset"][i + 1]) if i + 1 < len(self) else self._size
        return Article.from_dict(json.loads(os.pread(self._fd, end - start, start)))

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)

    def __iter__(self) -> Iterator[Article]:
        return (self[i] for i in range(len(self)))

    def row(self, article_id: str) -> int:
        """Row of an article by id; KeyError if it is not in the index."""
        if self._row_of is None:
            with self._lock:  # built once, on first use: most queries never need it
                if self._row_of is None:
                    self._row_of = {str(x): i for i, x in enumerate(self._rows["id"])}
        return self._row_of[article_id]

    def get(self, article_id: str) -> Article:
        return self[self.row(article_id)]

    @property
    def authors(self) -> list[str]:
        return self._rows["author"].tolist()

    @property
    def affiliations(self) -> list[str]:
        return self._rows["affiliation"].tolist()

    def columns(self) -> dict[str, list[str]]:
        """id, author, date and source of every article, in row order (an
        index built before dates and sources were columns parses its articles)."""
        names = self._rows.dtype.names
        if all(c in names for c in FILTER_COLUMNS):
            return {c: self._rows[c].tolist() for c in FILTER_COLUMNS}
        articles = list(self)
        return {c: [getattr(a, c) for a in articles] for c in FILTER_COLUMNS}


class ChunkTable(Sequence):
    """The indexed passages: fixed-size records, text sliced from the article."""

    def __init__(self, folder: Path, articles: ArticleTable):
        self._rows = np.load(folder / CHUNKS_NPY)  # 52 bytes a passage
        self.articles = articles
        if len(self._rows) and int(self._rows["article"].max()) >= len(articles):
            raise ValueError("chunks.npy refers to articles that are not in articles.jsonl")

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def keys(self) -> np.ndarray:
        """Content hash of each passage's embedded text (ASCII bytes)."""
        return self._rows["key"]

    @property
    def article_rows(self) -> np.ndarray:
        return self._rows["article"]

    @property
    def paragraphs(self) -> np.ndarray:
        """Each passage's paragraph number in its article, from 1."""
        return self._rows["paragraph"]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self.locate(_position(i, len(self)))[0]

    def locate(self, i: int) -> tuple[Chunk, Article]:
        """Passage i and its article."""
        article = self.articles[int(self._rows["article"][i])]
        return self.chunk(i, article), article

    def of_articles(self, article_rows) -> np.ndarray:
        """Rows of every passage of the articles at `article_rows`."""
        return np.flatnonzero(np.isin(self._rows["article"], np.asarray(article_rows)))

    def opening(self, article_rows, max_paragraph: int) -> np.ndarray:
        """Rows of the passages in paragraphs 1..max_paragraph of the articles
        at `article_rows`, in row order."""
        keep = np.isin(self._rows["article"], list(article_rows))
        keep &= self._rows["paragraph"] <= max_paragraph
        return np.flatnonzero(keep)

    def chunk(self, i: int, article: Article) -> Chunk:
        """Passage i, given its article (when the caller already has it)."""
        _, start, end, paragraph, section, _ = self._rows[i].tolist()
        return Chunk(
            id=chunk_id(article.id, start, end),
            article_id=article.id,
            text=article.body[start:end],
            start=start,
            end=end,
            paragraph=paragraph,
            section=article.sections[section].heading if section >= 0 else "",
        )

    def __iter__(self) -> Iterator[Chunk]:
        article_rows = self._rows["article"]
        article, current = None, -1
        for i in range(len(self)):
            row = int(article_rows[i])
            if row != current:  # passages come grouped by article: parse each once
                article, current = self.articles[row], row
            yield self.chunk(i, article)


def _position(i: int, n: int) -> int:
    i = int(i)
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError(f"row {i} out of range ({n} rows)")
    return i


class NpyFile(Sequence):
    """Rows of a .npy array read with os.pread on demand.

    Not memory-mapped on purpose: every page a query touches through a
    mapping stays in the process's resident memory (the kernel maps whole
    cached folios, up to megabytes, per fault), so a server over a big index
    would grow by gigabytes; pages read with pread stay in the kernel's page
    cache, shared and reclaimable. A 2 KB row costs a ~2 µs system call.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        with open(self.path, "rb") as f:
            major, _ = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if major == 1
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(f)
            self._offset = f.tell()
        if fortran:
            raise ValueError(f"{path}: Fortran-ordered arrays are not supported")
        self.shape, self.dtype = shape, np.dtype(dtype)
        self._row_bytes = self.dtype.itemsize * int(np.prod(shape[1:], dtype=np.int64))
        self._fd = os.open(self.path, os.O_RDONLY)

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)

    def __len__(self) -> int:
        return self.shape[0]

    def read(self, start: int, end: int) -> np.ndarray:
        """Rows start..end-1, in one system call."""
        count = max(0, end - start)
        raw = os.pread(self._fd, count * self._row_bytes, self._offset + start * self._row_bytes)
        if len(raw) != count * self._row_bytes:
            raise OSError(f"{self.path} is truncated")
        return np.frombuffer(raw, dtype=self.dtype).reshape((count, *self.shape[1:]))

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            return self.read(start, stop) if step == 1 else self[np.arange(start, stop, step)]
        if np.ndim(i) == 0:
            row = _position(i, len(self))
            return self.read(row, row + 1)[0]
        positions = np.asarray(i, dtype=np.int64)
        positions = np.where(positions < 0, positions + len(self), positions)
        if len(positions) and not (0 <= positions.min() and positions.max() < len(self)):
            raise IndexError(f"rows out of range ({len(self)} rows)")
        size, base = self._row_bytes, self._offset
        raw = b"".join([os.pread(self._fd, size, base + int(p) * size) for p in positions])
        if len(raw) != len(positions) * size:
            raise OSError(f"{self.path} is truncated")
        return np.frombuffer(raw, dtype=self.dtype).reshape((len(positions), *self.shape[1:]))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.mapped(), dtype=dtype)

    def mapped(self) -> np.ndarray:
        """The whole array memory-mapped, for bulk reading (builds, tests)."""
        return np.load(self.path, mmap_mode="r")
