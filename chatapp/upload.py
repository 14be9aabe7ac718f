"""Articles added from the chat: the upload on the 文章 tab.

`Library` holds the retriever the app searches. An upload goes through
`rag.add_files` (each file read with its loader, copied into the corpus
folder under added/, the index rebuilt embedding only the new passages; one
add at a time per corpus folder), then the index is opened again and the new
retriever replaces the old one in one assignment.

Every request reads `library.retriever` once and keeps that object to its
end, so a question asked during an upload is answered from the old index
(whose files it holds open: the build's rename of the new folder into place
does not pull them away) and one asked after from the new one; no request
mixes the two. Nothing half-built is served: the build writes a new folder
and renames it into place, and the swap waits until the new retriever has
loaded and warmed up.
"""

from __future__ import annotations

import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from rag import MAX_FILE_BYTES, AddReport, IndexLossWarning, Retriever, add_files
from rag.ingest import loaders, suffixes
from rag.library import Problem
from rag.library.add import named_by_address
from rag.library.fetch import FetchError, fetch_page, is_url, save_page
from rag.library.userlib import seed_library

from .labels import labels
from .reasons import reason_text
from .render import esc

PROGRESS_INTERVAL = 0.25  # seconds between progress updates within a step
OPENING = "opening the new index"  # the step after rag's own, told as (OPENING, 0, 0)


def types_text() -> str:
    """The article formats as a reader knows them, each by its loader's first
    suffix (MD, not also MARKDOWN): TXT、MD、JSONL、PDF…"""
    names = (loader.suffixes[0].lstrip(".").upper() for loader in loaders())
    return "、".join(dict.fromkeys(names))


def size_text(n: int) -> str:
    return f"{n / 2**20:.3g} MB" if n >= 2**20 else f"{max(n, 1) / 1024:.3g} KB"


class NotOpened(RuntimeError):
    """The files were added, but the new index could not be opened: the app
    goes on searching the old one."""


class Library:
    """The retriever the app searches, and where uploads go. `corpus_dir`
    None means uploads are off (a read-only deployment). With `sample`
    (the bundled corpus and index folders), `corpus_dir` and `index_dir` are
    the user's library (rag/library/userlib.py), started from the sample at
    the first upload, so that the sample itself is never written to."""

    def __init__(self, retriever: Retriever, *, index_dir: str | Path | None = None,
                 corpus_dir: str | Path | None = None, max_bytes: int = MAX_FILE_BYTES,
                 sample: tuple[str | Path, str | Path] | None = None):
        if corpus_dir is not None and index_dir is None:
            raise ValueError("uploads need the index folder as well as the corpus folder")
        self.retriever = retriever
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.corpus_dir = Path(corpus_dir) if corpus_dir is not None else None
        self.max_bytes = max_bytes
        self.sample = sample
        self._lock = threading.Lock()  # one upload at a time: swaps land in build order

    @property
    def uploads(self) -> bool:
        return self.corpus_dir is not None

    def refusal(self, path: Path, say: dict) -> str | None:
        """Why the app does not take `path` (its type or size), or None."""
        suffix = path.suffix.lower()
        if suffix not in suffixes():
            key = "bad_type" if suffix else "no_suffix"
            return say[key].format(suffix=suffix, types=types_text())
        if not path.is_file():
            return None  # add_files says what it is (missing, a folder)
        size = path.stat().st_size
        if size > self.max_bytes:
            return say["too_big"].format(size=size_text(size), limit=size_text(self.max_bytes))
        return None

    def add(self, paths, *, progress=False, language: str = "zh") -> AddReport:
        """Add the files at `paths`; the report's problems name those the
        app refused too, in the order given. `progress` is rag's: a function
        (what, done, total), told (OPENING, 0, 0) last. A failure of the
        whole batch (the corpus folder busy or not writable) raises, and the
        library is as it was."""
        if not self.uploads:
            raise RuntimeError("uploads are off in this app")
        say = labels(language)
        paths = [Path(p) for p in paths]
        refused = [(p, why) for p in paths if (why := self.refusal(p, say))]
        wanted = [p for p in paths if p not in {r for r, _ in refused}]
        report = AddReport()
        with self._lock:
            current = self.retriever
            if wanted and self.sample is not None:
                seed_library(self.corpus_dir.parent, sample_corpus=self.sample[0],
                             sample_index=self.sample[1])
            if wanted:
                report = add_files(wanted, self.corpus_dir, self.index_dir,
                                   max_bytes=self.max_bytes, encoder=current.encoder,
                                   progress=progress)
            if report.added:
                if callable(progress):
                    progress(OPENING, 0, 0)
                try:
                    fresh = Retriever.load(self.index_dir, corpus=self.corpus_dir,
                                           encoder=current.encoder, params=current.params,
                                           progress=progress)
                    fresh.warm_up()  # the first question after the swap does not pay for it
                except (ValueError, RuntimeError, OSError) as error:
                    raise NotOpened(str(error)) from error
                self.retriever = fresh
        problems = [Problem(str(p), why) for p, why in refused] + list(report.problems)
        order = {str(p): i for i, p in enumerate(paths)}
        problems.sort(key=lambda x: order.get(x.path, len(order)))
        return replace(report, problems=tuple(problems))


    def add_url(self, url: str, *, progress=False, language: str = "zh") -> AddReport:
        """Fetch the page at `url` and add it as a saved page; a FetchError
        (its reason_zh for the chat) when it cannot be fetched."""
        if not self.uploads:
            raise RuntimeError("uploads are off in this app")
        page = fetch_page(url, max_bytes=self.max_bytes)
        with tempfile.TemporaryDirectory(prefix="rag-fetch-") as folder:
            saved = save_page(page, Path(folder))
            report = self.add([saved], progress=progress, language=language)
        return named_by_address(report, {str(saved): url}, [])


def open_library(args, *, uploads: bool, store=None) -> Library:
    """The index the app serves and where uploads go: the user's library
    (--library) once it holds anything, else the sample (--index, --corpus),
    which uploads never write to: the first one starts the library from it."""
    from rag.library.userlib import has_library, library_dir, library_paths

    index, corpus = args.index, args.corpus
    folder = library_dir(getattr(args, "library", None))
    lib_corpus, lib_index = library_paths(folder)
    if store is None and has_library(folder):
        index, corpus = str(lib_index), str(lib_corpus)
    retriever = Retriever.load(index, corpus=corpus, model=args.model, progress=True,
                               backend=args.backend, store=store)
    if not uploads:
        return Library(retriever)
    return Library(retriever, index_dir=lib_index, corpus_dir=lib_corpus,
                   sample=(args.corpus, args.index))


@dataclass(frozen=True)
class Uploaded:
    html: str  # what the upload did, for the reader
    added: tuple[str, ...] = ()  # ids of the new articles


def upload(library: Library, paths, *, progress=None, language: str = "zh") -> Uploaded:
    """Add the uploaded files and say what happened. `progress` is shown the
    steps: a gr.Progress, or any function (value, desc=, total=, unit=)."""
    say = labels(language)
    paths = [Path(p) for p in paths or []]
    if not paths:
        return Uploaded("")
    show = progress if progress is not None else (lambda *args, **kwargs: None)
    shown = [0.0]  # when the page was last told

    def report(what: str, done: int, total: int) -> None:
        # Tokenizing reports every passage: a step's start, its end and a few
        # updates a second are what a reader can see.
        now = time.monotonic()
        if not total:  # a step without a count: the counted work is done
            show(1.0, desc=say.get(what, what))
        elif done in (0, total) or now - shown[0] >= PROGRESS_INTERVAL:
            shown[0] = now
            show((done, total), desc=say.get(what, what), unit=say["unit"])

    show(0.0, desc=say["reading"].format(n=len(paths)))
    return _outcome(library, language,
                    lambda: library.add(paths, progress=report, language=language))


def upload_url(library: Library, url: str, *, progress=None, language: str = "zh") -> Uploaded:
    """Fetch and add the page at `url` and say what happened (why not, when
    the page cannot be fetched)."""
    say = labels(language)
    url = (url or "").strip()
    if not url:
        return Uploaded("")
    if not is_url(url):
        return Uploaded(_alert(say["fetch_failed"].format(
            url=url, reason="不是网页地址（应以 http:// 或 https:// 开头）"
            if language == "zh" else "not a web address (http:// or https://)")))
    if progress is not None:
        progress(0.0, desc=say["fetching"])
    return _outcome(library, language, lambda: library.add_url(url, language=language))


def _outcome(library: Library, language: str, add) -> Uploaded:
    """What `add()` did, or why it did nothing, for the reader."""
    say = labels(language)
    try:
        with warnings.catch_warnings(record=True) as caught:  # what a loader warns of
            warnings.simplefilter("always", IndexLossWarning)
            done = add()
    except FetchError as error:
        reason = error.reason_zh if language == "zh" else error.reason
        return Uploaded(_alert(say["fetch_failed"].format(url=error.url, reason=reason)))
    except NotOpened as error:
        return Uploaded(_alert(say["not_opened"].format(reason=error)))
    except (ValueError, RuntimeError, OSError) as error:
        return Uploaded(_alert(say["failed"].format(reason=error)))
    notes = [reason_text(str(w.message), say["lang"]) for w in caught
             if issubclass(w.category, IndexLossWarning)]
    return Uploaded(report_html(done, library.retriever, say, notes),
                    tuple(a.id for f in done.added for a in f.articles))


def _shown(source: str) -> str:
    """A file by its name, a fetched page by its address."""
    return source if is_url(source) else Path(source).name


def report_html(report: AddReport, retriever, say: dict, notes=()) -> str:
    """The articles added (by file), the copies not added again, every file
    not added with its reasons, and the loaders' warnings (`notes`)."""
    n = report.articles
    head = say["added"].format(n=n) if n else say["added_none"]
    out = [f'<div class="upload-report" role="status">'
           f'<p class="upload-head {"ok" if n else "none"}">{esc(head)}</p>']
    if report.added:
        out.append('<ul class="upload-added">')
        for f in report.added:
            items = "".join(
                f'<li>《{esc(a.title)}》<span class="by">{esc(a.author)}</span>'
                f'<span class="n">{esc(say["passages"].format(n=a.passages))}</span></li>'
                for a in f.articles)
            out.append(f'<li><span class="file">{esc(_shown(f.source))}</span> '
                       f'<span class="where">{esc(say["saved_as"].format(file=f.file))}</span>'
                       f"<ul>{items}</ul></li>")
        out.append("</ul>")
    if report.duplicates:
        items = "".join(
            f'<li><span class="file">{esc(_shown(d.file))}</span> '
            f"{esc(say['same_as'].format(title=_title(retriever, d.same_as), file=d.same_as_file))}"
            "</li>" for d in report.duplicates)
        out.append(f'<p class="upload-sub">{esc(say["already"])}</p>'
                   f'<ul class="upload-dupes">{items}</ul>')
    if report.problems:
        reasons: dict[str, list[str]] = {}
        for p in report.problems:
            reasons.setdefault(p.path, []).append(reason_text(p.reason, say["lang"]))
        items = "".join(f'<li><span class="file">{esc(_shown(path))}</span> '
                        f'{esc("；".join(why))}</li>' for path, why in reasons.items())
        out.append(f'<p class="upload-sub">{esc(say["not_added"])}</p>'
                   f'<ul class="upload-problems">{items}</ul>')
    if notes:  # added, but not all of the file's text: the reader must know
        out.append('<ul class="upload-notes">' + "".join(
            f'<li role="alert">{esc(n)}</li>' for n in notes) + "</ul>")
    out.append("</div>")
    return "".join(out)


def _alert(text: str) -> str:
    return f'<div class="upload-report"><p class="error" role="alert">{esc(text)}</p></div>'


def _title(retriever, article_id: str) -> str:
    try:
        return retriever.article(article_id).title
    except KeyError:
        return article_id

