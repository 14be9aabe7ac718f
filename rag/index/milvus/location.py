"""A Milvus index as the retriever meets it: its manifest, whether it is
fresh, and the opened index. The manifest, the corpus stamp and whether a
build is under way are properties of the passages collection."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..folder import StoredIndex
from ..manifest import FORMAT_VERSION, IndexLoadError, StaleIndexError, corpus_fingerprint
from .target import MilvusTarget

MANIFEST = "rag.manifest"
STAMP = "rag.corpus_stamp"
BUILDING = "rag.building"  # "1" from a build's first write to its last


def properties(client, target: MilvusTarget) -> dict | None:
    """The passages collection's properties, or None when there is none."""
    name = target.table("passages")
    if not client.has_collection(name):
        return None
    return dict(client.describe_collection(name).get("properties") or {})


def set_properties(client, target: MilvusTarget, **values: str) -> None:
    client.alter_collection_properties(target.table("passages"), properties=values)


def manifest_of(props: dict | None) -> dict | None:
    try:
        manifest = json.loads((props or {}).get(MANIFEST, ""))
    except ValueError:
        return None
    return manifest if isinstance(manifest, dict) else None


class MilvusLocation:
    """The same questions as of an index folder (see location.py), asked of Milvus."""

    def __init__(self, target: MilvusTarget, *, create: bool = False):
        self.target = target
        self.name = target.name
        self._create = create  # a build may make the embedded file; a reader may not
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = self.target.client(create=self._create)
        return self._client

    def read_manifest(self) -> dict:
        manifest = manifest_of(properties(self.client, self.target))
        if manifest is None:
            raise IndexLoadError(f"no index in {self.name}; build one with "
                                 f"`rag build --store {self.name}`")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexLoadError(
                f"index in {self.name} has format version {manifest.get('format_version')}, "
                f"this version of rag reads {FORMAT_VERSION}; rebuild it with "
                f"`rag build --store {self.name}`")
        return manifest

    def recorded_corpus(self) -> Path | None:
        """The corpus folder it was built from, when this machine has it."""
        try:
            recorded = self.read_manifest().get("corpus_dir")
        except IndexLoadError:
            return None
        return Path(recorded) if recorded and Path(recorded).is_dir() else None

    def check_fresh(self, corpus_dir: Path) -> None:
        from ...ingest import corpus_stamp, read_corpus

        stamp = corpus_stamp(corpus_dir)
        props = properties(self.client, self.target) or {}
        manifest = self.read_manifest()
        if props.get(STAMP) == stamp:
            return
        if manifest.get("corpus_fingerprint") != corpus_fingerprint(
                read_corpus(corpus_dir).articles):
            raise StaleIndexError(
                f"index in {self.name} is stale: the corpus at {corpus_dir} changed since it "
                f"was built; run `rag build --corpus {corpus_dir} --store {self.name}`")
        set_properties(self.client, self.target, **{STAMP: stamp})

    def open(self) -> StoredIndex:
        from .keywords import MilvusBM25, SparseBM25
        from .store import MilvusArticles, MilvusIndex, MilvusPassages, MilvusStore

        manifest = self.read_manifest()
        if (properties(self.client, self.target) or {}).get(BUILDING) == "1":
            raise IndexLoadError(f"index in {self.name} is being built (or its last build was "
                                 f"interrupted); wait for it, or run `rag build --store "
                                 f"{self.name}`")
        tables = ["passages", "articles"] + (["vocab"] if manifest["bm25"]["kind"] == "own"
                                             else [])
        try:
            for table in tables:
                self.client.load_collection(self.target.table(table))
        except Exception as err:  # the collection was dropped or is not ours
            raise IndexLoadError(f"index in {self.name} is damaged ({err}); rebuild it with "
                                 f"`rag build --force --store {self.name}`") from err
        index = MilvusIndex(self.target, self.client, manifest)
        articles = MilvusArticles(index)
        keywords = (SparseBM25 if manifest["bm25"]["kind"] == "own" else MilvusBM25)(index)
        return StoredIndex(manifest, articles, MilvusPassages(index, articles), None, None,
                           MilvusStore(index), keywords)


def corpus_dir_of(corpus) -> str | None:
    """What the manifest records of the corpus: an absolute folder, valid on
    the machine that built it (a cluster index is searched from others)."""
    return os.path.abspath(corpus) if isinstance(corpus, (str, os.PathLike)) else None
