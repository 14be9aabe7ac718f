"""Passages as the word-coverage checks read them: folded and split into
sentences once, then cached, since the same passages come back as candidates
query after query."""

from __future__ import annotations

import functools

from ..index import StoredIndex, search_text, split_sentences
from ..index.mentions import LazyMentions
from ..text import fold
from ..types import Article, Chunk


class FoldedPassages:
    """Coverage of a question's words by passage i of an index (by row)."""

    def __init__(self, stored: StoredIndex, *, cache_size: int = 20_000):
        self.stored = stored
        # Bounded so that a long-running server over a big corpus does not grow forever.
        self._folded = functools.lru_cache(maxsize=cache_size)(self._fold_passage)
        # Typed mentions of each passage and its sentences (index/mentions.py);
        # an index that stores none (Milvus) has them tagged when first read.
        self.mentions = (stored.mentions if stored.mentions is not None
                         else LazyMentions(lambda i: self.chunk(i)[0].text))

    def chunk(self, i: int) -> tuple[Chunk, Article]:
        return self.stored.chunks.locate(i)

    def text(self, i: int) -> str:
        """Passage i's folded search text: the passage and its article's
        title/author/affiliation/section (what BM25 matched it on)."""
        return self._folded(i)[0]

    def body(self, i: int) -> str:
        """Passage i's own folded text, without its article's metadata."""
        return self._folded(i)[1]

    def sentences(self, i: int) -> list[str]:
        """Passage i's folded sentences."""
        return self._folded(i)[2]

    def coverage(self, i: int, words: list[str]) -> float:
        """Share of the question's words found in passage i's search text."""
        if not words:
            return 0.0
        text = self.text(i)
        return sum(w in text for w in words) / len(words)

    def sentence_coverage(self, i: int, words: list[str]) -> float:
        """Largest share of the question's words (weighted by length: longer
        words say more) found together in one sentence of passage i."""
        total = sum(len(w) for w in words)
        best = 0
        for sentence in self._folded(i)[2]:
            best = max(best, sum(len(w) for w in words if w in sentence))
        return best / total

    def cache_clear(self) -> None:
        self._folded.cache_clear()

    def _fold_passage(self, i: int) -> tuple[str, str, list[str]]:
        chunk, article = self.chunk(i)
        text = fold(chunk.text)
        sentences = [text[a:b] for a, b in split_sentences(text)]
        meta = search_text(chunk, article)[: -len(chunk.text)]  # it ends with the passage
        return fold(meta) + text, text, sentences
