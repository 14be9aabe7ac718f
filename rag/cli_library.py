"""The library commands of `rag`: add files, remove articles, list them.

    rag add PATH…        [--corpus DIR] [--index DIR] [--json]
    rag remove ID…       [--corpus DIR] [--index DIR] [--json]
    rag list             [--corpus DIR] [--index DIR] [--json]

A shell over rag.library, kept apart from cli.py's search commands. A file
that cannot be added is a `rag: error: …` line and exit code 2, while the
others still go in; an unknown id changes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .cli import EXIT_USAGE, UserError, _print_json


def add_commands(sub, common) -> None:
    """Register add, remove and list on the `rag` parser's subcommands."""
    env = os.environ
    corpus_help = ("corpus folder (default: $RAG_CORPUS, else your library's, ./library/corpus "
                   "or $RAG_LIBRARY/corpus, started from the bundled sample on first use)")

    add = sub.add_parser("add", parents=[common],
                         help="copy article files, or fetch web pages, into the library and "
                         "index them")
    add.add_argument("paths", nargs="+", metavar="PATH_OR_URL",
                     help="article files or folders, or web addresses (http:// or https://) "
                     "of pages to fetch (robots.txt respected)")
    add.add_argument("--corpus", default=env.get("RAG_CORPUS") or None, help=corpus_help)
    add.set_defaults(run=cmd_add)

    remove = sub.add_parser("remove", parents=[common],
                            help="take articles out of the corpus folder and the index")
    remove.add_argument("ids", nargs="+", metavar="ARTICLE_ID", help="ids that `rag list` shows")
    remove.add_argument("--corpus", default=env.get("RAG_CORPUS") or None, help=corpus_help)
    remove.set_defaults(run=cmd_remove)

    listing = sub.add_parser("list", parents=[common],
                             help="the indexed articles with their passages and files")
    listing.add_argument(
        "--corpus", default=env.get("RAG_CORPUS") or None,
        help="corpus folder to bring the index up to date with first (default: $RAG_CORPUS, "
        "else the folder recorded in the index)")
    listing.set_defaults(run=cmd_list)


def folders(args) -> None:
    """Fill in the index (and corpus) folders not given. What a user adds
    goes to their library (rag/library/userlib.py), never into the bundled
    corpus/ and index/; searches read the library once there is one."""
    from .library.userlib import has_library, library_dir, library_paths, seed_library

    if not hasattr(args, "index"):
        return
    library = library_dir()
    if args.command in ("add", "remove"):
        if args.corpus is None and args.index is None:
            if args.command == "add":
                seed_library(library, sample_corpus="corpus", sample_index="index")
            args.corpus, args.index = (str(p) for p in library_paths(library))
        else:  # a folder named outright: the pair as before
            args.corpus, args.index = args.corpus or "corpus", args.index or "index"
    elif args.index is None:
        use_library = args.command != "build" and has_library(library)
        args.index = str(library_paths(library)[1]) if use_library else "index"


def _build_options(args) -> dict:
    _folder_index_only(args.command)
    return {"model": args.model, "backend": args.backend, "progress": True}


def _folder_index_only(command: str) -> None:
    """The library commands keep a corpus folder and a folder index in step;
    with $RAG_STORE naming Milvus they would quietly change another index."""
    from .index.milvus import parse_store

    try:
        target = parse_store(os.environ.get("RAG_STORE"))
    except ValueError as err:
        raise UserError(f"$RAG_STORE: {err}") from None
    if target is not None:
        raise UserError(f"`rag {command}` works on a folder index, and $RAG_STORE names "
                        f"{target.name}: put the files in the corpus folder and run "
                        f"`rag build --store {target.name}` (it upserts only what changed)")


def _corpus(path: str) -> Path:
    corpus = Path(path)
    if corpus.exists() and not corpus.is_dir():
        raise UserError(f"corpus {corpus} is not a folder")
    return corpus


def cmd_add(args) -> int:
    from .library import add_files

    report = add_files(args.paths, _corpus(args.corpus), args.index, **_build_options(args))
    if args.json:
        _print_json(report.to_dict())
    else:
        for line in _add_lines(report):
            print(line)
    for problem in report.problems:
        print(f"rag: error: {problem} (not added)", file=sys.stderr)
    return EXIT_USAGE if report.problems else 0


def _add_lines(report) -> list[str]:
    lines = []
    for f in report.added:
        where = f"{f.source} as {f.file}" + (" (the name was taken)" if f.renamed else "")
        if len(f.articles) == 1:
            a = f.articles[0]
            lines.append(f"added {where}: 《{a.title}》 ({a.id}, {a.passages} passages)")
        else:
            lines.append(f"added {where}: {len(f.articles)} articles")
            lines += [f"  《{a.title}》 ({a.id}, {a.passages} passages)" for a in f.articles]
    copied = {f.source for f in report.added}
    for d in report.duplicates:
        what = f"left out {d.id} of {d.file}" if d.file in copied else f"not added: {d.file}"
        lines.append(f"{what}: the same text as {d.same_as} ({d.same_as_file}), "
                     "already in the library")
    if report.build is not None:
        lines.append(_index_line(report.build))
    elif not report.problems:
        lines.append("nothing to add: every article is in the library already")
    return lines


def cmd_remove(args) -> int:
    from .ingest.exclusions import EXCLUSIONS_FILE
    from .library import remove_articles

    corpus = _corpus(args.corpus)
    report = remove_articles(args.ids, corpus, args.index, **_build_options(args))
    if args.json:
        _print_json(report.to_dict())
        return 0
    for r in report.removed:
        what = f"copy {r.id} of {r.copy_of}" if r.copy_of else r.id
        how = (f"{r.file} moved to {r.moved_to}" if r.moved_to
               else f"left out of {r.file} (listed in {corpus / EXCLUSIONS_FILE})")
        print(f"removed {what} 《{r.title}》: {how}")
    print(_index_line(report.build))
    return 0


def cmd_list(args) -> int:
    from .index import recorded_corpus
    from .library import list_articles

    corpus = Path(args.corpus) if args.corpus is not None else recorded_corpus(Path(args.index))
    if corpus is not None and not corpus.is_dir():
        if args.corpus is not None:
            raise UserError(f"corpus folder {corpus} does not exist")
        corpus = None  # the recorded folder is gone: list the index as it is
    for entry in list_articles(args.index, corpus, **_build_options(args)):
        if args.json:
            _print_json(entry.to_dict())
        else:
            fields = (entry.id, f"《{entry.title}》", entry.author or "-", entry.date or "-",
                      f"{entry.passages} passages", entry.file or "-")
            print("  ".join(fields))
    return 0


def _index_line(build) -> str:
    return (f"index {build.index_dir}: {build.articles} articles, {build.chunks} passages; "
            f"{build.embedded if not build.up_to_date else 0} embedded, {build.reused} reused "
            f"({build.seconds:.1f} s)")
