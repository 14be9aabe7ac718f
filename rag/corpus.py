"""Loading a user's corpus folder into Articles.

Understood files: newspaper pages (`X.txt` with an `X.page.yaml` manifest),
Markdown with YAML front matter, plain text (UTF-8 or GBK/GB18030) and JSON
Lines. Every problem is collected and reported at once, naming the file, so a
user fixes the whole folder in one go; a bad article file is never skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from .layout import assemble_body, join_lines
from .page import PageError, as_text, load_page, manifest_path_for
from .types import Article

SUFFIXES = (".md", ".markdown", ".txt", ".jsonl")
META_KEYS = ("author", "affiliation", "date", "source", "url", "deck", "byline")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;]|\.(\s|$)")


class CorpusError(ValueError):
    """One or more corpus files cannot be turned into articles."""

    def __init__(self, problems: list[str], folder: str | Path = ""):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in corpus {folder}:" if folder else ""
        lines = [head] if head else []
        super().__init__("\n".join(lines + [f"- {p}" for p in self.problems]))


def load_corpus(folder: str | Path) -> list[Article]:
    """All articles under `folder` (recursively), sorted by id."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError([f"corpus folder {folder} does not exist"])
    problems: list[str] = []
    seen: dict[str, Path] = {}
    articles: list[Article] = []
    for path in _candidate_files(folder):
        try:
            found = _load_file(path, folder)
        except CorpusError as exc:
            problems.extend(exc.problems)
            continue
        for article in found:
            if article.id in seen:
                problems.append(f"{path}: duplicate article id {article.id!r} "
                                f"(also in {seen[article.id]})")
                continue
            seen[article.id] = path
            articles.append(article)
    if problems:
        raise CorpusError(problems, folder)
    if not articles:
        raise CorpusError([f"no articles found in {folder} (looked for .md, .txt, .jsonl)"])
    return sorted(articles, key=lambda a: a.id)


def corpus_stamp(folder: str | Path) -> str:
    """A cheap summary of the folder's files (names, sizes, modification
    times): while it is unchanged the corpus is too, and need not be read and
    fingerprinted again, which takes minutes for a big archive."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        info = path.stat()
        digest.update(f"{rel.as_posix()}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _candidate_files(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue  # hidden files and folders (.git, editor swap files…)
        if path.suffix.lower() in SUFFIXES and not path.stem.upper().startswith("README"):
            files.append(path)
    return files


def _load_file(path: Path, folder: Path) -> list[Article]:
    default_id = path.relative_to(folder).with_suffix("").as_posix()
    suffix = path.suffix.lower()
    if suffix == ".txt" and manifest_path_for(path).exists():
        try:
            return list(load_page(path).articles)
        except (PageError, OSError, UnicodeDecodeError) as exc:
            raise CorpusError([f"{path}: {exc}"]) from exc
    text = _readas_text(path)
    if suffix == ".jsonl":
        return _load_jsonl(path, text)
    if suffix == ".txt":
        return [_load_txt(path, text, default_id)]
    return [_load_markdown(path, text, default_id)]


def _readas_text(path: Path) -> str:
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


def _article(path: Path, article_id, title, blocks, meta: dict) -> Article:
    body, sections = assemble_body(blocks)
    if not body:
        raise CorpusError([f"{path}: article {article_id!r} has no body text"])
    fields = {k: as_text(meta.get(k)) for k in META_KEYS}
    return Article(id=as_text(article_id), title=as_text(title), body=body, sections=sections,
                   **fields)


def _load_txt(path: Path, text: str, default_id: str) -> Article:
    lines = text.strip().split("\n")
    first = lines[0].strip()
    title = path.stem
    if len(first) <= 40 and not _SENTENCE_PUNCT.search(first) and len(lines) > 1:
        title, text = first, "\n".join(lines[1:]).strip("\n")
    blocks = [(False, p) for p in text_blocks(text)]
    return _article(path, default_id, title, blocks, {})


def _load_markdown(path: Path, text: str, default_id: str) -> Article:
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
    return _article(path, meta.get("id") or default_id, title or path.stem, blocks, meta)


def _load_jsonl(path: Path, text: str) -> list[Article]:
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
            articles.append(_article(path, record["id"], record["title"], blocks, record))
        except CorpusError as exc:
            problems.extend(f"{where}: {p.split(': ', 1)[-1]}" for p in exc.problems)
    if problems:
        raise CorpusError(problems)
    return articles
