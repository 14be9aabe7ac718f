"""Chinese-aware passages: whole sentences, a few at a time, inside one paragraph.

A chunk is always an exact slice of its article body (`body[start:end]`), so
what a reader is shown is a quote, and its offsets point back into the article.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ..types import Article, Chunk, chunk_id

# A sentence ends at 。！？；… (or ASCII .!?; followed by a space/end), plus any
# closing quotes or brackets right after it: “……。” belongs to the sentence.
_SENTENCE_END = re.compile(r"(?:[。！？；!?;]+|…+|\.(?=\s|$))[”’」』）)\]】]*")
# Where an over-long sentence may be cut when nothing better exists.
_CLAUSE_END = re.compile(r"[，、：,:]")


@dataclass(frozen=True)
class ChunkParams:
    """How passages are cut; saved in the index manifest."""

    max_chars: int = 250
    overlap: int = 1  # sentences shared by neighbouring passages
    hard_max: int = 300  # a single sentence longer than this is cut at clauses

    def to_dict(self) -> dict:
        return asdict(self)


def split_sentences(text: str, *, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in `text`, covering all of it but
    the whitespace between sentences."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a + offset, b + offset))
    return result


def _cut_long(text: str, start: int, end: int, hard_max: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at clause marks (or anywhere) into pieces ≤ hard_max."""
    pieces = []
    while end - start > hard_max:
        window = text[start : start + hard_max]
        cuts = [m.end() for m in _CLAUSE_END.finditer(window)]
        cut = cuts[-1] if cuts and cuts[-1] > hard_max // 3 else hard_max
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def _windows(sentences: list[tuple[int, int]], max_chars: int, overlap: int):
    """Group consecutive sentences into passages of at most max_chars (a lone
    longer sentence makes its own passage); neighbours share `overlap` sentences."""
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j][1] - sentences[i][0] <= max_chars:
            j += 1
        yield sentences[i][0], sentences[j - 1][1]
        if j >= len(sentences):
            break
        i = max(j - overlap, i + 1)


def chunk_article(article: Article, params: ChunkParams | None = None) -> list[Chunk]:
    params = params or ChunkParams()
    body = article.body
    chunks = []
    for para in article.paragraphs():
        sentences = []
        for a, b in split_sentences(para.text, offset=para.start):
            sentences.extend(_cut_long(body, a, b, params.hard_max))
        for start, end in _windows(sentences, params.max_chars, params.overlap):
            chunks.append(
                Chunk(
                    id=chunk_id(article.id, start, end),
                    article_id=article.id,
                    text=body[start:end],
                    start=start,
                    end=end,
                    paragraph=para.number,
                    section=para.section,
                )
            )
    return chunks


def chunk_articles(articles, params: ChunkParams | None = None) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, params)]
