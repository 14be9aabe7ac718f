"""Newspaper pages as extracted from PDF (`X.txt`), rebuilt into articles by
the page manifest beside them (`X.page.yaml`).

Pull quotes and labels sit between articles and titles and names stand far
from their bodies: a small per-page manifest (YAML next to the raw file) says
what cannot be inferred (which lines are which article, titles, authors, pull
quotes). The general layout rules (line joining, paragraphs, headings,
bylines) live in `layout.py`, so the next page needs only a new manifest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..types import Article
from .common import CorpusError, as_text
from .layout import (
    Line,
    affiliation_from_byline,
    assemble_body,
    join_lines,
    layout_blocks,
    split_byline,
)
from .registry import Loader

MANIFEST_SUFFIX = ".page.yaml"


class PageError(ValueError):
    """The page manifest does not fit the raw page."""


@dataclass(frozen=True)
class SetAside:
    """Page text that belongs to no article body (pull quote, column label…)."""

    kind: str
    text: str
    line: int


@dataclass(frozen=True)
class Page:
    articles: tuple[Article, ...]
    set_aside: tuple[SetAside, ...] = ()


# ------------------------------------------------------------------ manifest


class _Lines:
    """The raw page's non-blank lines, with anchor lookup and claim tracking."""

    def __init__(self, raw_text: str):
        self.lines: list[Line] = []
        blank = False
        for number, text in enumerate(raw_text.splitlines(), start=1):
            if text.strip():
                self.lines.append(Line(number, text.strip(), blank))
                blank = False
            else:
                blank = True
        self.owner: dict[int, str] = {}  # index into self.lines -> who claimed it

    def find(self, anchor: str, what: str) -> int:
        anchor = str(anchor).strip()
        hits = [i for i, ln in enumerate(self.lines) if ln.text.startswith(anchor)]
        if len(hits) > 1:  # a whole line quoted exactly names that line
            hits = [i for i in hits if self.lines[i].text == anchor] or hits
        if not hits:
            raise PageError(f"{what}: no line starts with {anchor!r}")
        if len(hits) > 1:
            numbers = ", ".join(str(self.lines[i].number) for i in hits)
            raise PageError(f"{what}: {anchor!r} starts lines {numbers}; quote more of it")
        return hits[0]

    def find_text(self, text: str, what: str) -> tuple[int, int]:
        """Consecutive lines whose joined text is exactly `text`."""
        target = re.sub(r"\s+", "", str(text))
        found = []
        for i in range(len(self.lines)):
            joined = ""
            for j in range(i, len(self.lines)):
                joined += re.sub(r"\s+", "", self.lines[j].text)
                if not target.startswith(joined):
                    break
                if joined == target:
                    found.append((i, j + 1))
                    break
        if len(found) != 1:
            problem = "is not on the page" if not found else "appears more than once"
            raise PageError(f"{what}: {str(text)!r} {problem} as whole lines "
                            "(mark manifest-supplied text with `supplied`)")
        return found[0]

    def claim(self, lo: int, hi: int, who: str, around_set_aside: bool = False) -> list[Line]:
        """Lines lo..hi-1 for `who`. A body may run around a pull quote printed
        inside it (`around_set_aside`); any other overlap is a manifest error."""
        if hi <= lo:
            raise PageError(f"{who}: ends before it starts (line {self.lines[lo].number})")
        taken = []
        for i in range(lo, hi):
            owner = self.owner.get(i)
            if owner and around_set_aside and owner.startswith("set_aside"):
                continue
            if owner:
                raise PageError(f"{who} overlaps {owner} at line {self.lines[i].number}")
            self.owner[i] = who
            taken.append(self.lines[i])
        return taken

    def unclaimed(self) -> list[Line]:
        return [ln for i, ln in enumerate(self.lines) if i not in self.owner]


def _block(lines: _Lines, spec, who: str, around_set_aside: bool = False) -> list[Line]:
    if not isinstance(spec, dict) or "starts" not in spec:
        raise PageError(f"{who}: expected a mapping with `starts` (and optional `ends`)")
    lo = lines.find(spec["starts"], f"{who} starts")
    hi = lines.find(spec["ends"], f"{who} ends") + 1 if spec.get("ends") else lo + 1
    return lines.claim(lo, hi, who, around_set_aside)


def _article(lines: _Lines, spec: dict, page: dict) -> Article:
    art_id = str(spec.get("id") or "").strip()
    if not art_id:
        raise PageError("every article needs an `id`")
    supplied = set(spec.get("supplied") or ())
    meta: dict[str, str] = {}
    for field in ("title", "deck", "author", "byline"):
        value = spec.get(field)
        if value is None:
            continue
        if field in supplied:
            meta[field] = str(value).strip()
        else:
            # Found on the page up to spacing; kept as the manifest spells it
            # (a headline printed in two lines reads with a space between).
            lo, hi = lines.find_text(value, f"article {art_id} {field}")
            lines.claim(lo, hi, f"{art_id} {field}")
            meta[field] = str(value).strip()
    if not meta.get("title"):
        raise PageError(f"article {art_id}: `title` is required")
    # A body may be several ranges, read in the order listed (a PDF page's
    # columns that the automatic reading order put elsewhere).
    parts = spec.get("body") if isinstance(spec.get("body"), list) else [spec.get("body")]
    body_lines = [ln for n, part in enumerate(parts, start=1)
                  for ln in _block(lines, part, f"article {art_id} body"
                                   + (f" part {n}" if len(parts) > 1 else ""), True)]
    if "byline" not in meta:
        body_lines, meta["byline"] = _strip_byline(body_lines)
    body, sections = assemble_body(layout_blocks(body_lines))
    return Article(
        id=art_id,
        title=meta["title"],
        body=body,
        author=meta.get("author", ""),
        affiliation=str(spec.get("affiliation") or affiliation_from_byline(meta.get("byline", ""))),
        date=as_text(spec.get("date", page.get("date"))),
        source=as_text(spec.get("source", page.get("source"))),
        url=as_text(spec.get("url", page.get("url"))),
        deck=meta.get("deck", ""),
        byline=meta.get("byline", ""),
        sections=sections,
    )


def _strip_byline(body_lines: list[Line]) -> tuple[list[Line], str]:
    """Cut the byline note （作者…） off the last body lines: it may span two
    lines or share the last line with the closing sentence."""
    for k in range(1, min(3, len(body_lines)) + 1):
        # The smallest k whose lines hold the whole note; what precedes the
        # note is then part of line -k only.
        head, note = split_byline(join_lines([ln.text for ln in body_lines[-k:]]))
        if note:
            kept = body_lines[:-k]
            if head:
                kept.append(Line(body_lines[-k].number, head, body_lines[-k].blank_before))
            return kept, note
    return body_lines, ""


def repair_page(raw_text: str, manifest: dict) -> Page:
    """Articles and set-aside text of one page, as the manifest lays it out.

    Every non-blank line must be claimed by exactly one article field or
    set-aside block, so nothing on the page is silently lost."""
    if not isinstance(manifest, dict) or not manifest.get("articles"):
        raise PageError("the manifest needs an `articles` list")
    lines = _Lines(raw_text)
    set_aside = []
    for n, spec in enumerate(manifest.get("set_aside") or (), start=1):
        kind = str(spec.get("kind", "")).strip() if isinstance(spec, dict) else ""
        if not kind:
            raise PageError(f"set_aside entry {n} needs a `kind`")
        block = _block(lines, spec, f"set_aside {n} ({kind})")
        set_aside.append(SetAside(kind, join_lines([ln.text for ln in block]), block[0].number))
    articles = []
    for spec in manifest["articles"]:
        if not isinstance(spec, dict):
            raise PageError(f"article entries must be mappings, got {spec!r}")
        articles.append(_article(lines, spec, manifest))
    left = lines.unclaimed()
    if left:
        shown = "; ".join(f"{ln.number}: {ln.text[:20]}" for ln in left[:5])
        raise PageError(f"{len(left)} page line(s) belong to nothing in the manifest: {shown}")
    return Page(tuple(articles), tuple(sorted(set_aside, key=lambda s: s.line)))


def manifest_path_for(raw_path: str | Path) -> Path:
    raw_path = Path(raw_path)
    return raw_path.with_name(raw_path.stem + MANIFEST_SUFFIX)


def read_manifest(manifest_path: str | Path) -> dict:
    try:
        return yaml.safe_load(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PageError(f"cannot read manifest {manifest_path}: {exc}") from exc


def load_page(raw_path: str | Path, manifest_path: str | Path | None = None) -> Page:
    """Read a raw page and its manifest (default: `<stem>.page.yaml` beside it)."""
    manifest_path = Path(manifest_path or manifest_path_for(raw_path))
    manifest = read_manifest(manifest_path)
    raw_text = Path(raw_path).read_text(encoding="utf-8-sig")
    try:
        return repair_page(raw_text, manifest)
    except PageError as exc:
        raise PageError(f"{manifest_path.name}: {exc}") from exc


def load(path: Path, default_id: str) -> list[Article]:
    try:
        return list(load_page(path).articles)
    except (PageError, OSError, UnicodeDecodeError) as exc:
        raise CorpusError([f"{path}: {exc}"]) from exc


def has_manifest(path: Path) -> bool:
    return manifest_path_for(path).exists()


LOADER = Loader("newspaper-page", (".txt",), load, claims=has_manifest,
                describe="newspaper page text + X.page.yaml manifest")
