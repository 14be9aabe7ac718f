"""Saved web pages (.html, .htm): the article's main text, title, author,
source and date, without navigation, comments, ads, related links, captions
or the editor's line.

trafilatura (Apache-2.0) decides what the main text is (favor_precision,
comments off) and reads the metadata (its date comes from htmldate). What it
leaves to us: its paragraphs are refined in web_blocks.py (<br> runs,
captions, headings it drops or keeps twice), and the writer and the paper
are read from the lines Chinese news pages print (web_credits.py): the meta
tags of portals name ids, the portal or the editor.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..types import Article
from . import web_blocks as wb
from . import web_credits as wc
from .common import CorpusError, make_article
from .layout import CREDIT_ROLE as _ROLE
from .layout import affiliation_from_byline, credit_names, split_byline
from .registry import Loader

_DATELINE = re.compile(r"^\S*\s*\d{4}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}.{0,40}来源")
_META_AUTHOR = ("author", "article:author", "byline", "dc.creator", "sailthru.author")
# …-新华网, _网易财经, --观点--人民网, | BBC News 中文: the site after the headline.
_SITE_SUFFIX = re.compile(r"(?:\s*(?:--?|_|\||｜|–|—)\s*[^-_|｜–—]{1,16})+$")
_SITE_WORD = re.compile(r"网|报|新闻|财经|频道|News|中文|Daily|Times|Post|\.com", re.I)
_LEAD = 4  # blocks at the start that may hold credits and datelines
# The line under a headline: a date and the credits, 界面新闻记者 | X 编辑 | Y 2025/07/16.
_INFO_LINE = re.compile(r"^(?=.{0,100}$)(?=.*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
                        r"(?=.*(?:记者|编辑|作者|来源))")
_THE_END = re.compile(r"\s*[（(]完[）)]$")
_FOOTER_SOURCE = re.compile(r"^(?:本文|稿件|文章)?来源\s*[：:]\s*(\S{2,20})$")
# The line browsers (and `rag add URL`) write at the top of a saved page.
_SAVED_FROM = re.compile(rb"<!-- saved from url=\(\d{4}\)(\S+?) -->")


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
    page = _Page(tree, doc)
    blocks = wb.with_headings(wb.body_blocks(doc.body), tree)
    blocks = wb.drop_captions(blocks, wb.captions(tree))
    blocks = wb.dedupe_headings(page.lead(blocks), page.title)
    blocks = page.tail(blocks)
    return [make_article(path, default_id, page.title or path.stem, blocks, {
        "author": page.author(),
        "date": doc.date or "",
        "source": page.source(),
        "url": doc.url or _saved_from(data),
        "deck": _deck(tree, page.title),
        "byline": page.note or page.credit,
        "affiliation": affiliation_from_byline(page.note),
    })]


class _Page:
    """What one page says about itself, gathered while its blocks are read."""

    def __init__(self, tree, doc):
        self.tree, self.doc = tree, doc
        self.title = strip_site(doc.title or "", (doc.sitename or "",))
        self.credit = self.note = ""
        self.writers = ""
        self.sources: dict[str, str] = {}  # where a source was read -> the paper

    def lead(self, blocks: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
        """The blocks without the credit, dateline and site lines before the
        text; what they say is kept."""
        blocks = list(blocks)
        sites = {self.doc.sitename or "", _meta(self.tree, ("og:site_name",))}
        i = 0
        while i < min(len(blocks), _LEAD):
            heading, text = blocks[i]
            if heading:
                if text == self.title:
                    blocks.pop(i)
                    continue
                i += 1
                continue
            if text in sites or wc.is_editorial(text) or wc.is_masthead(text):
                blocks.pop(i)
            elif _DATELINE.match(text) or text.startswith(("来源：", "来源:")) or \
                    _INFO_LINE.search(text):
                self._found("header", wc.HEADER_SOURCE.search(text))
                blocks.pop(i)
            elif (found := wc.reprint(text)) is not None:
                self.sources.setdefault("reprint", found[0])
                self._credit(found[1], text)
                blocks.pop(i)
            elif (lede := wc.split_lede(text)) is not None:
                agency, names, rest = lede
                if wc.agency_source(agency):
                    self.sources.setdefault("dateline", wc.agency_source(agency))
                if names:
                    self._credit(names, text)
                if rest:
                    blocks[i] = (False, rest)
                    break
                blocks.pop(i)
            elif (names := wc.writers(text)) is not None and not self.writers:
                self._credit(names, text)
                blocks.pop(i)
            else:
                break
        return blocks

    def tail(self, blocks: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
        """The blocks without editor lines, widget notices and the print
        edition's note at the end; a trailing （作者单位：…） is kept as the note."""
        blocks = list(blocks)
        while blocks and not blocks[-1][0]:
            text = blocks[-1][1]
            head, found = split_byline(text)
            printed = wc.PRINT_NOTE.match(text)
            if wc.is_editorial(text) or wb.is_widget(text) or text in ("（完）", "(完)") \
                    or _INFO_LINE.search(text):  # credits trafilatura moved after the text
                blocks.pop()
            elif footer := _FOOTER_SOURCE.match(text):
                self.sources.setdefault("footer", footer.group(1))
                blocks.pop()
            elif _THE_END.search(text):  # （完）, the agency's end mark, after the last sentence
                blocks[-1] = (False, _THE_END.sub("", text))
            elif printed:
                self.sources.setdefault("print", printed.group("paper"))
                blocks.pop()
            elif found and not self.note:
                self.note = found
                blocks[-1:] = [(False, head)] if head else []
            else:
                break
        while blocks and blocks[-1][0]:  # a heading with nothing under it
            blocks.pop()
        return blocks

    def _credit(self, names: str, line: str) -> None:
        if names and not self.writers:
            self.writers, self.credit = names, line

    def _found(self, where: str, match) -> None:
        if match:
            self.sources.setdefault(where, match.group(1))

    def author(self) -> str:
        if self.writers:
            return self.writers
        header = self._header()
        if header.get("author"):
            return header["author"]
        sites = (self.doc.sitename or "", self.source(), _meta(self.tree, ("og:site_name",)))
        return (wc.person(_meta(self.tree, _META_AUTHOR), site_names=sites)
                or wc.person(self.doc.author or "", site_names=sites))

    def source(self) -> str:
        """The paper: a reprint's 来源, the print edition, an agency's
        dateline, the page's source tag, the 来源 line above the text, and
        only then the site itself."""
        header = self._header()
        for where in ("reprint", "print"):
            if self.sources.get(where):
                return self.sources[where]
        meta = re.sub(r"^来源\s*[：:]\s*", "", _meta(self.tree, ("source",)))
        stated = (meta or self.sources.get("header") or header.get("source")
                  or self.sources.get("footer") or "")
        agency = self.sources.get("dateline", "")
        # 新华社…电 on a page whose 来源 is 新华网: the agency, not its website.
        if agency and (not stated or (stated.endswith("网") and not agency.endswith("网"))):
            return agency
        return stated or _meta(self.tree, ("og:site_name",)) or self.doc.sitename or ""

    def _header(self) -> dict[str, str]:
        """作者：X and 来源：Y in the short lines between the headline and the text."""
        if not hasattr(self, "_header_found"):
            self._header_found = _header_lines(self.tree, self.title)
        return self._header_found


def _header_lines(tree, title: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if tree is None:
        return found
    started = False
    for el in tree.iter("h1", "div", "p", "span", "td", "font"):
        text = wb.text_of(el)
        if el.tag == "h1":
            started = started or text == title or not title
            continue
        if not started or not text or len(text) > 100:
            continue
        if len(text) > 60 and not ("作者" in text or "来源" in text):
            break  # the article's text: the header is over
        if (match := wc.HEADER_AUTHOR.search(text)) and "author" not in found:
            names = wc.writers(match.group(1)) or credit_names(match.group(1))
            if names:
                found["author"] = names
        elif len(text) <= 40 and _ROLE.search(text) and "author" not in found:
            if names := wc.writers(text):  # 界面新闻记者 | 周姝祺 in a span of its own
                found["author"] = names
        if (match := wc.HEADER_SOURCE.search(text)) and "source" not in found:
            found["source"] = match.group(1)
    return found


def _saved_from(data: bytes) -> str:
    match = _SAVED_FROM.search(data[:4096])
    return match.group(1).decode("utf-8", errors="replace") if match else ""


def strip_site(title: str, sites=()) -> str:
    """A <title> without the site name portals append (…-新华网, _网易财经)."""
    title = title.strip()
    match = _SITE_SUFFIX.search(title)
    if match and match.start() > 0:
        tail = match.group()
        if _SITE_WORD.search(tail) or any(s and s in tail for s in sites):
            return title[: match.start()].strip()
    return title


def _meta(tree, names: tuple[str, ...]) -> str:
    if tree is None:
        return ""
    for el in tree.iter("meta"):
        key = (el.get("name") or el.get("property") or "").lower()
        if key in names and (el.get("content") or "").strip():
            return el.get("content").strip()
    return ""


def _deck(tree, title: str) -> str:
    """A subtitle set right after the headline (<h1> then <h2>–<h4>)."""
    if tree is None:
        return ""
    for h1 in tree.iter("h1"):
        if wb.text_of(h1) != title:
            continue
        nxt = h1.getnext()
        if nxt is not None and nxt.tag in ("h2", "h3", "h4") and 0 < len(wb.text_of(nxt)) <= 60:
            return wb.text_of(nxt)
    return ""


LOADER = Loader("webpage", (".html", ".htm"), load,
                describe="saved web pages: main text, title, author, source, date (trafilatura)")
