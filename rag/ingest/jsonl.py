"""JSON Lines (.jsonl): one article a line, `id`, `title`, `text` and
optionally `author`, `affiliation`, `date`, `source`, `url`."""

from __future__ import annotations

import json
from pathlib import Path

from ..types import Article
from .common import CorpusError, as_text, make_article, read_text, text_blocks
from .registry import Loader


def load(path: Path, default_id: str) -> list[Article]:
    text = read_text(path)
    articles, problems = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        missing = [k for k in ("id", "title", "text") if not as_text(record.get(k))]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        blocks = [(False, p) for p in text_blocks(str(record["text"]).strip())]
        try:
            articles.append(make_article(path, record["id"], record["title"], blocks, record))
        except CorpusError as exc:
            problems.extend(f"{where}: {p.split(': ', 1)[-1]}" for p in exc.problems)
    if problems:
        raise CorpusError(problems)
    return articles


LOADER = Loader("jsonl", (".jsonl",), load, describe="JSON Lines, one article a line")
