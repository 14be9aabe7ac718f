"""Markdown (.md) with optional YAML front matter: `#` headings become
sections, and a leading heading is the title."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..types import Article
from .common import CorpusError, as_text, make_article, read_text
from .layout import join_lines
from .registry import Loader

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def load(path: Path, default_id: str) -> list[Article]:
    text = read_text(path)
    meta: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise CorpusError([f"{path}: front matter is not valid YAML: {exc}"]) from exc
        if not isinstance(meta, dict):
            raise CorpusError([f"{path}: front matter must be a mapping of key: value"])
        text = text[match.end():]
    blocks: list[tuple[bool, str]] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append((False, join_lines(pending)))
            pending.clear()

    for line in text.split("\n"):
        heading = _MD_HEADING.match(line.strip())
        if heading or not line.strip():
            flush()
            if heading and heading.group(1):
                blocks.append((True, heading.group(1)))
        else:
            pending.append(line)
    flush()
    title = as_text(meta.get("title"))
    if blocks and blocks[0][0] and (not title or blocks[0][1] == title):
        # A leading heading is the title, not a section of the article.
        title = title or blocks[0][1]
        blocks = blocks[1:]
    return [make_article(path, meta.get("id") or default_id, title or path.stem, blocks, meta)]


LOADER = Loader("markdown", (".md", ".markdown"), load, describe="Markdown, YAML front matter")
