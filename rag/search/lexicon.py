"""What reading a question needs to know of the corpus: its BM25 vocabulary
(which words and place names it holds, what an English word may translate
to) and its bylines (which articles a question names by their author).
Built once per index, lazily: a question costs the same whatever the corpus size."""

from __future__ import annotations

from functools import cached_property

from .bylines import Bylines


class Lexicon:
    def __init__(self, vocab, authors: list[str], affiliations: list[str]):
        self.vocab = vocab  # token -> id, as the BM25 index holds it
        self._authors = authors
        self._affiliations = affiliations

    @cached_property
    def bylines(self) -> Bylines:
        return Bylines(self._authors, self._affiliations)

    @cached_property
    def authors(self) -> frozenset[str]:
        """Every author's name (folded): a question may name one."""
        return frozenset(a for a in self.bylines.authors if len(a) >= 2)

    def warm_up(self) -> None:
        _ = self.bylines, self.authors
