"""Plain text (.txt): a short first line without sentence punctuation is the
title, else the file name is; paragraphs are separated by blank lines."""

from __future__ import annotations

import re
from pathlib import Path

from ..types import Article
from .common import make_article, read_text, text_blocks
from .registry import Loader

_SENTENCE_PUNCT = re.compile(r"[。！？!?；;]|\.(\s|$)")


def load(path: Path, default_id: str) -> list[Article]:
    text = read_text(path)
    lines = text.strip().split("\n")
    first = lines[0].strip()
    title = path.stem
    if len(first) <= 40 and not _SENTENCE_PUNCT.search(first) and len(lines) > 1:
        title, text = first, "\n".join(lines[1:]).strip("\n")
    blocks = [(False, p) for p in text_blocks(text)]
    return [make_article(path, default_id, title, blocks, {})]


LOADER = Loader("text", (".txt",), load, describe="plain text, UTF-8 or GBK")
