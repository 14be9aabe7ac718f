"""Saved web pages (.html, .htm): the article's main text, title, author and
date, without navigation, comments, ads, related links or the editor's line.

trafilatura (Apache-2.0) decides what the main text is and reads the
metadata (its date comes from htmldate). Two things it leaves to us: on pages
that do not mark the article with <article>, like most Chinese news sites,
it drops <h2>–<h6> section headings, which are recovered from the page where
they stand between the paragraphs it kept; and the lines Chinese sites put
inside the article (本报记者…, （责编：…）, 责任编辑：…) are sorted out here.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..types import Article
from .common import CorpusError, make_article
from .layout import affiliation_from_byline, credit_names, split_byline
from .registry import Loader

# Lines inside the article text that are not the article.
_EDITORIAL = re.compile(r"^[（(]?\s*(?:责任编辑|责编|编辑|审核|校对|审校|值班编辑|监制|"
                        r"来源|本文来源|原标题|作者)\s*[：:].{0,60}?[）)]?$")
_DATELINE = re.compile(r"^\S*\s*\d{4}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}.{0,40}来源")
_SENTENCE_END = re.compile(r"[。！？!?…]$")
_META_AUTHOR = ("author", "article:author", "byline", "dc.creator", "sailthru.author")


def load(path: Path, default_id: str) -> list[Article]:
    import trafilatura

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError([f"{path}: cannot read file: {exc.strerror or exc}"]) from exc
    tree = trafilatura.load_html(data) if data.strip() else None
    doc = None
    if tree is not None:
        doc = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False,
                                          include_tables=True, include_formatting=True,
                                          favor_precision=True)
        tree = trafilatura.load_html(data)  # extraction prunes the tree it is given
    if doc is None or doc.body is None or not len(doc.body):
        raise CorpusError([f"{path}: no main text found (not an article page, or the text "
                           "is loaded by script)"])
    title = (doc.title or "").strip() or path.stem
    blocks = _with_headings(_blocks(doc.body), tree)
    while blocks and blocks[0][0] and blocks[0][1] == title:
        blocks.pop(0)  # the headline, kept as the article's first heading
    credit = ""
    while blocks and not blocks[0][0] and (_EDITORIAL.match(blocks[0][1])
                                           or _DATELINE.match(blocks[0][1])
                                           or credit_names(blocks[0][1])):
        text = blocks.pop(0)[1]
        if credit_names(text) and not credit:
            credit = text
    note = ""
    while blocks and not blocks[-1][0]:
        text = blocks[-1][1]
        head, found = split_byline(text)
        if _EDITORIAL.match(text) or text in ("（完）", "(完)"):
            blocks.pop()
        elif found and not note:
            note = found
            blocks[-1:] = [(False, head)] if head else []
        else:
            break
    meta_author = _meta(tree, _META_AUTHOR)
    author = (credit_names(credit) or credit_names(doc.author or "")
              or credit_names(meta_author) or (doc.author or meta_author or "").strip())
    return [make_article(path, default_id, title, blocks, {
        "author": author,
        "date": doc.date or "",
        "source": _source(tree) or doc.sitename or "",
        "url": doc.url or "",
        "deck": _deck(tree, title),
        "byline": note or credit,
        "affiliation": affiliation_from_byline(note),
    })]


def _text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _blocks(body) -> list[tuple[bool, str]]:
    """(is_heading, text) for trafilatura's output elements; a paragraph all
    in bold without a sentence end is a section heading (<p><strong>…)."""
    blocks = []
    for el in body:
        if el.tag == "list":
            blocks += [(False, _text(item)) for item in el if _text(item)]
            continue
        if el.tag == "table":
            for row in el.iter("row"):
                cells = [_text(c) for c in row if _text(c)]
                if cells:
                    blocks.append((False, " | ".join(cells)))
            continue
        text = _text(el)
        if not text:
            continue
        bold = el.tag == "p" and len(el) == 1 and el[0].tag == "hi" and \
            _text(el[0]) == text and not (el.text or "").strip()
        heading = el.tag == "head" or (bold and len(text) <= 40
                                       and not _SENTENCE_END.search(text))
        blocks.append((heading, text))
    return blocks


def _with_headings(blocks: list[tuple[bool, str]], tree) -> list[tuple[bool, str]]:
    """Put back the <h2>–<h6> headings printed between kept paragraphs."""
    if tree is None:
        return blocks
    texts = [t for h, t in blocks if not h]
    before: dict[int, list[str]] = {}
    pending: list[str] = []
    i = 0
    for el in tree.iter("p", "div", "h2", "h3", "h4", "h5", "h6"):
        text = _text(el)
        if i < len(texts) and text == texts[i]:
            if pending and i > 0:
                before[i] = pending
            pending = []
            i += 1
        elif el.tag[0] == "h" and text and 0 < i < len(texts):
            pending.append(text)
    out, n = [], 0
    for heading, text in blocks:
        if not heading:
            out += [(True, h) for h in before.get(n, ())]
            n += 1
        out.append((heading, text))
    return out


def _meta(tree, names: tuple[str, ...]) -> str:
    if tree is None:
        return ""
    for el in tree.iter("meta"):
        key = (el.get("name") or el.get("property") or "").lower()
        if key in names and (el.get("content") or "").strip():
            return el.get("content").strip()
    return ""


def _source(tree) -> str:
    """The paper a news site credits (<meta name="source" content="来源：工人日报">)."""
    source = _meta(tree, ("source", "og:site_name"))
    return re.sub(r"^来源\s*[：:]\s*", "", source)


def _deck(tree, title: str) -> str:
    """A subtitle set right after the headline (<h1> then <h2>–<h4>)."""
    if tree is None:
        return ""
    for h1 in tree.iter("h1"):
        if _text(h1) != title:
            continue
        nxt = h1.getnext()
        if nxt is not None and nxt.tag in ("h2", "h3", "h4") and 0 < len(_text(nxt)) <= 60:
            return _text(nxt)
    return ""


LOADER = Loader("webpage", (".html", ".htm"), load,
                describe="saved web pages: main text, title, author, date (trafilatura)")
