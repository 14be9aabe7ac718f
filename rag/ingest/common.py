"""What every loader shares: the error that lists a folder's problems, reading
text in the encodings people use, and assembling an Article."""

from __future__ import annotations

import re
from pathlib import Path

from ..text.normalization import SURROGATE
from ..types import Article
from .layout import assemble_body, join_lines

META_KEYS = ("author", "affiliation", "date", "source", "url", "deck", "byline")


class CorpusError(ValueError):
    """One or more corpus files cannot be turned into articles."""

    def __init__(self, problems: list[str], folder: str | Path = ""):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in corpus {folder}:" if folder else ""
        lines = [head] if head else []
        super().__init__("\n".join(lines + [f"- {p}" for p in self.problems]))


def as_text(value) -> str:
    """A metadata value as text; YAML reads 2025-06-30 as a date."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value).strip()


def read_text(path: Path) -> str:
    """A text file as str: UTF-8 (with or without BOM) or GBK/GB18030, with
    Unix line ends; an unreadable, binary or empty file is a CorpusError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError([f"{path}: cannot read file: {exc.strerror or exc}"]) from exc
    if b"\x00" in data:
        raise CorpusError([f"{path}: looks like a binary file, not text"])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CorpusError([f"{path}: not UTF-8 or GBK/GB18030 text"])
    if not text.strip():
        raise CorpusError([f"{path}: file is empty"])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_blocks(text: str) -> list[str]:
    """Paragraphs of plain text: blank-line separated blocks with their lines
    joined, or one paragraph per line when the text has no blank lines."""
    text = text.strip("\n")
    if not re.search(r"\n[^\S\n]*\n", text):
        return [ln.strip() for ln in text.split("\n") if ln.strip()]
    blocks = re.split(r"\n[^\S\n]*\n", text)
    return [p for p in (join_lines(b.split("\n")) for b in blocks) if p]


def make_article(path: Path, article_id, title, blocks: list[tuple[bool, str]],
                 meta: dict) -> Article:
    """An Article from (is_heading, text) blocks and a metadata mapping."""
    body, sections = assemble_body(blocks)
    if not body:
        raise CorpusError([f"{path}: article {article_id!r} has no body text"])
    fields = {k: as_text(meta.get(k)) for k in META_KEYS}
    texts = {"id": as_text(article_id), "title": as_text(title), "text": body, **fields}
    for name, value in texts.items():
        if bad := SURROGATE.search(value):
            # Only a JSON or YAML escape such as "\ud800" makes one: no file decodes to it.
            raise CorpusError([f"{path}: article {texts['id']!r}: its {name} holds half a "
                               f"character (the lone surrogate U+{ord(bad.group()):04X}, at "
                               f"character {bad.start() + 1}); fix the escape in the file"])
    return Article(id=texts["id"], title=texts["title"], body=body, sections=sections,
                   **fields)
