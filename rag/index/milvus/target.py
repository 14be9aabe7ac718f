"""Where a Milvus index lives: `--store milvus://…` read into a target.

    milvus:///abs/path/news.db          embedded milvus-lite (a local path ending in .db)
    milvus://news.db                    the same, relative to the working folder
    milvus://host:19530                 a Milvus server or cluster (plain gRPC)
    milvus://user:password@host:19530   ... with credentials (or ?token=, or $MILVUS_TOKEN
                                        at the command line)
    …?collection=news&db=archive&secure=true&bm25=milvus

`collection` names the index (default `rag`): its collections are
`<collection>_passages`, `<collection>_articles` and, for our own BM25,
`<collection>_vocab`. `bm25` chooses the keyword side: `own` (our
tokenizer's BM25 as sparse vectors, the default for a new index) or `milvus`
(Milvus's BM25 function with its jieba analyzer); without it a build keeps
the index's own, and naming the other rebuilds it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote

SCHEME = "milvus://"
DEFAULT_PORT = 19530
DEFAULT_COLLECTION = "rag"
BM25_KINDS = ("own", "milvus")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")
_QUERY_KEYS = {"collection", "db", "token", "secure", "bm25"}


@dataclass(frozen=True)
class MilvusTarget:
    uri: str  # what pymilvus connects to: a local .db path or http(s)://host:port
    collection: str = DEFAULT_COLLECTION
    db: str = ""
    bm25: str | None = None  # the keyword side asked for; None: the index's own, else "own"
    token: str = field(default="", repr=False)

    @property
    def embedded(self) -> bool:
        return not self.uri.startswith(("http://", "https://"))

    @property
    def name(self) -> str:
        """The target as the user wrote it, credentials left out (for messages)."""
        where = self.uri if self.embedded else self.uri.split("://", 1)[1]
        return f"{SCHEME}{where}?collection={self.collection}"

    def table(self, kind: str) -> str:
        return f"{self.collection}_{kind}"

    def with_token(self, token: str | None) -> MilvusTarget:
        """The target with `token` when it names none itself."""
        return replace(self, token=token) if token and not self.token else self

    def lock_path(self) -> Path:
        """What the build lock is taken beside: the .db file, else a file in
        the user's cache named after the server and collection. (The lock
        keeps builds on this machine apart, not builds on other machines.)"""
        if self.embedded:
            return Path(f"{self.uri}-{self.collection}")
        digest = hashlib.sha256(f"{self.uri}/{self.db}/{self.collection}".encode()).hexdigest()
        return Path.home() / ".cache" / "rag-news" / "milvus-builds" / digest[:16]

    def client(self, *, create: bool = False):
        """A connected pymilvus client; an IndexLoadError (one line) when Milvus
        cannot be reached, its file is held by another process, or (unless
        `create`) there is no such file."""
        from ..manifest import IndexLoadError

        if self.embedded and not create and not Path(self.uri).exists():
            raise IndexLoadError(f"no index in {self.name} (there is no {self.uri}); build one "
                                 f"with `rag build --store {self.name}`")
        try:
            from pymilvus import MilvusClient
        except ImportError as err:
            raise IndexLoadError(
                "the Milvus store needs pymilvus and milvus-lite: "
                "pip install 'rag-news[milvus]'") from err
        # pymilvus logs every failed call with its traceback before raising;
        # failures reach the user as our own one-line errors instead.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        if self.embedded:
            Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            return MilvusClient(uri=self.uri, token=self.token, db_name=self.db, timeout=30)
        except Exception as err:  # pymilvus raises its own, grpc's and the lite engine's
            message = getattr(err, "message", None) or str(err)
            hint = ("another process has it open: serve it with `milvus-lite server` and "
                    "use milvus://host:port" if "lock" in message.lower() else message)
            raise IndexLoadError(f"cannot open {self.name}: {_one_line(hint)}") from err


def is_milvus(spec) -> bool:
    return isinstance(spec, MilvusTarget) or (isinstance(spec, str) and spec.startswith(SCHEME))


def parse_store(spec, *, token: str | None = None) -> MilvusTarget | None:
    """`--store` read: None for the folder's own FAISS store ("faiss" or
    nothing), a MilvusTarget for milvus://…; a ValueError for anything else."""
    if spec is None or (isinstance(spec, str) and spec.strip() in ("", "faiss")):
        return None
    if isinstance(spec, MilvusTarget):
        return spec.with_token(token)
    if not isinstance(spec, str) or not spec.startswith(SCHEME):
        raise ValueError(f"unknown store {spec!r}: use faiss (the index folder) or "
                         f"milvus://PATH.db or milvus://HOST:PORT [?collection=NAME]")
    rest, _, query = spec[len(SCHEME):].partition("?")
    options = _options(query, spec)
    userinfo, at, hostpart = rest.rpartition("@")
    if rest.startswith("/") or rest.endswith(".db") or "/" in hostpart:
        uri = _local_path(rest, spec)
        userinfo = ""
    else:
        uri = _server(hostpart, spec, secure=options.get("secure", "") in ("1", "true", "yes"))
    collection = options.get("collection", DEFAULT_COLLECTION)
    if not _NAME.fullmatch(collection):
        raise ValueError(f"{spec}: a collection name is letters, digits and _ (not starting "
                         f"with a digit), not {collection!r}")
    bm25 = options.get("bm25")
    if bm25 is not None and bm25 not in BM25_KINDS:
        raise ValueError(f"{spec}: bm25 is one of {', '.join(BM25_KINDS)}, not {bm25!r}")
    own_token = options.get("token") or (unquote(userinfo) if at else "")
    return MilvusTarget(uri, collection, options.get("db", ""), bm25, own_token).with_token(token)


def _options(query: str, spec: str) -> dict[str, str]:
    options = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    unknown = sorted(set(options) - _QUERY_KEYS)
    if unknown:
        raise ValueError(f"{spec}: unknown option(s) {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(_QUERY_KEYS))})")
    return options


def _local_path(rest: str, spec: str) -> str:
    path = Path(unquote(rest)).expanduser()
    if path.suffix != ".db":
        raise ValueError(f"{spec}: an embedded Milvus (milvus-lite) path ends in .db, e.g. "
                         f"milvus:///srv/rag/news.db; a server is milvus://host:port")
    return str(path.resolve())


def _server(hostpart: str, spec: str, *, secure: bool) -> str:
    host, colon, port = hostpart.rpartition(":") if ":" in hostpart else (hostpart, "", "")
    if not colon:
        host, port = hostpart, str(DEFAULT_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{spec}: expected milvus://host:port (e.g. milvus://127.0.0.1:19530) "
                         f"or a path ending in .db")
    return f"{'https' if secure else 'http'}://{host}:{port}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]
