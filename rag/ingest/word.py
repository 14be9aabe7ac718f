"""Word documents (.docx, read with python-docx): heading-styled paragraphs
become sections; the title and author come from the document properties,
else the title is the first Title-styled paragraph (or a leading heading)
and there is no author. A closing （作者单位：…） note is the byline."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..types import Article
from .common import CorpusError, make_article
from .layout import affiliation_from_byline, join_lines, split_byline
from .registry import Loader

_HEADING_STYLE = re.compile(r"^(heading|标题)\s*\d$", re.I)
# What Word and python-docx put in the author property when nobody set it.
_PLACEHOLDER_AUTHORS = {"python-docx", "administrator", "admin", "user", "微软用户", "作者",
                        "microsoft office user", "windows user", "unknown"}


def load(path: Path, default_id: str) -> list[Article]:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError,
            OSError) as exc:
        raise CorpusError([f"{path}: not a readable Word .docx file (damaged, password-"
                           f"protected, or an old .doc): {type(exc).__name__}"]) from exc
    props = document.core_properties
    blocks: list[tuple[str, str]] = []  # (kind: title|subtitle|heading|text, text)
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):  # a table: one line a row
            for row in item.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    blocks.append(("text", " | ".join(cells)))
            continue
        text = join_lines(item.text.split("\n"))
        if text:
            blocks.append((_kind(item), text))
    title = (props.title or "").strip()
    if not title:
        titled = [t for kind, t in blocks if kind == "title"]
        if titled:
            title = titled[0]
        elif blocks and blocks[0][0] == "heading":
            title = blocks[0][1]
    if title:  # the title printed in the document is not a section of it
        for i, (kind, text) in enumerate(blocks):
            if text == title and kind in ("title", "heading"):
                del blocks[i]
                break
    deck = next((t for kind, t in blocks if kind == "subtitle"), "")
    body = [(kind == "heading", t) for kind, t in blocks if kind != "subtitle"]
    note = ""
    if body and not body[-1][0]:
        head, note = split_byline(body[-1][1])
        if note:
            body[-1:] = [(False, head)] if head else []
    author = (props.author or "").strip()
    if author.lower() in _PLACEHOLDER_AUTHORS:
        author = ""
    return [make_article(path, default_id, title or path.stem, body, {
        "author": author, "deck": deck, "byline": note,
        "affiliation": affiliation_from_byline(note)})]


def _kind(paragraph) -> str:
    style = paragraph.style
    while style is not None:  # a custom style based on a heading is a heading
        name = style.name or ""
        if name == "Title":
            return "title"
        if name == "Subtitle":
            return "subtitle"
        if _HEADING_STYLE.match(name):
            return "heading"
        style = style.base_style
    return "text"


LOADER = Loader("word", (".docx",), load, describe="Word .docx: headings become sections")
