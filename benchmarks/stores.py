"""Index stores side by side: FAISS (the index folder) and Milvus.

    python benchmarks/stores.py [--speed] [--quality] [--passages 10000]
                                [--out benchmarks/results/stores]

--speed: the same synthetic passages (2-5 real sentences each, as scale.py
  makes them) built into each store by `build_index`, then opened in a fresh
  process: build throughput, open time, first and warm query latency (p50 /
  p95 by mode), the memory the store adds to the process, size on disk.
  Passages and questions get dense 512-number unit vectors drawn from a hash
  of their text (m3e-small's size, and as incompressible as its vectors, for
  no model time): the model costs every store the same, and is timed in
  speed.py's own tables. benchmarks/speed.py runs this part into its
  report.
--quality: the CMRC 2018 trial (1,002 questions, open retrieval over its 256
  passages) with m3e-small: FAISS, Milvus with our own BM25 as sparse vectors,
  Milvus with its BM25 function (jieba analyzer): hit@1 / hit@5 by mode; and
  fusion alone (no re-ranking or abstention) in our code against Milvus's RRF
  and weighted rankers over the same two candidate lists.

The Milvus measured here is milvus-lite, embedded: a pure-Python engine for
tests, not a cluster, and no guide to a cluster's speed.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from bench_common import dir_mb, run_worker, serve_worker, summary_ms  # noqa: E402

from rag.encoders import SymmetricEncoder  # noqa: E402

MODES = ("hybrid", "dense", "bm25")


class RandomEncoder(SymmetricEncoder):
    """A dense unit vector drawn from a hash of each text: a model's size and
    spread, no model's cost."""

    name, dim = "random-512", 512

    def encode(self, texts, *, progress=False):
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
            vector = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = vector / np.linalg.norm(vector)
        return out


def stores(workdir: Path) -> dict[str, dict]:
    """What is compared: name -> where its index goes."""
    return {
        "faiss": {"index": str(workdir / "faiss-index"), "store": None},
        "milvus-lite": {"index": str(workdir / "unused"),
                        "store": f"milvus://{workdir}/stores.db?collection=speed"},
    }


# -- speed ----------------------------------------------------------------------------------


def measure_speed(workdir: Path, passages: int, questions: list[str], log=print) -> dict:
    """Build and search each store on the same passages (each step in its own process)."""
    from rag.evaluate import load_squad
    from rag.index import split_sentences
    from rag.ingest import load_corpus

    texts = [a.body for a in load_corpus(ROOT / "corpus")]
    texts += [a.body for a in load_squad(SHARED / "cmrc2018_trial.json")[0]]
    sentences = sorted({t[a:b].strip() for t in texts for a, b in split_sentences(t)
                        if len(t[a:b].strip()) >= 4})
    (workdir / "store-sentences.json").write_text(json.dumps(sentences, ensure_ascii=False))
    out = {"passages_asked": passages, "model": RandomEncoder.name, "stores": {}}
    for name, where in stores(workdir).items():
        spec = {**where, "workdir": str(workdir), "passages": passages, "questions": questions}
        log(f"stores: {name} build")
        built = run_worker(__file__, "store_build", spec)
        log(f"stores: {name} search")
        out["stores"][name] = {"build": built, "search": run_worker(__file__, "store_search", spec)}
    return out


def worker_store_build(spec: dict) -> dict:
    from scale import synth_corpus

    from rag import build_index

    sentences = json.loads((Path(spec["workdir"]) / "store-sentences.json").read_text())
    articles, _, _ = synth_corpus(spec["passages"], sentences, np.random.default_rng(0))
    started = time.perf_counter()
    report = build_index(articles, spec["index"], encoder=RandomEncoder(), store=spec["store"],
                         progress=False)
    seconds = time.perf_counter() - started
    disk = Path(spec["store"].split("://", 1)[1].split("?")[0]) if spec["store"] else \
        Path(spec["index"])
    return {"articles": report.articles, "chunks": report.chunks,
            "build_s": round(seconds, 2), "passages_per_s": round(report.chunks / seconds, 1),
            "disk_mb": dir_mb(disk)}


def worker_store_search(spec: dict) -> dict:
    from rag import Retriever
    from rag.text import tokenize

    tokenize("預熱")  # jieba's dictionary is not the store
    import faiss  # noqa: F401
    import pymilvus  # noqa: F401

    encoder = RandomEncoder()
    gc.collect()
    before = _rss()
    started = time.perf_counter()
    retriever = Retriever.load(spec["index"], encoder=encoder, store=spec["store"],
                               rebuild=False, progress=False)
    open_s = time.perf_counter() - started
    questions = spec["questions"]
    started = time.perf_counter()
    retriever.search(questions[0], k=5)
    first_s = time.perf_counter() - started
    out = {"open_s": round(open_s, 3), "first_query_s": round(first_s, 3)}
    for mode in MODES:
        for q in questions[:3]:
            retriever.search(q, k=5, mode=mode)
        times = []
        for q in questions:
            started = time.perf_counter()
            retriever.search(q, k=5, mode=mode)
            times.append(time.perf_counter() - started)
        out[mode] = summary_ms(times)
    out["store_rss_mb"] = round(_rss() - before, 1)
    return out


def _rss() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def speed_markdown(s: dict) -> list[str]:
    rows = s["stores"]
    n = next(iter(rows.values()))["build"]["chunks"]
    lines = [
        "## Stores: FAISS and milvus-lite on the same passages",
        "",
        f"{n:,} synthetic passages (2-5 real sentences each) and 50 questions (seed QA + "
        "CMRC) with dense unit vectors drawn from a hash of their text (512 numbers, as "
        "m3e-small's), so that the store, not the model, is timed. *open*: "
        "`Retriever.load` in a fresh process; *first query*: the first search after "
        "opening (milvus-lite does much of its loading then); *memory*: what opening and searching "
        "added to the process (milvus-lite's engine runs inside it). milvus-lite is "
        "Milvus's pure-Python embedded engine, a stand-in for tests: these are not a "
        "cluster's numbers. Generated by `benchmarks/stores.py` (also run by "
        "`benchmarks/speed.py`).",
        "",
        "| store | build passages/s | open s | first query s | hybrid p50 / p95 ms | "
        "dense p50 / p95 | bm25 p50 / p95 | memory MB | disk MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        b, q = r["build"], r["search"]
        lines.append(
            f"| {name} | {b['passages_per_s']} | {q['open_s']} | {q['first_query_s']} | "
            + " | ".join(f"{q[m]['p50_ms']:.1f} / {q[m]['p95_ms']:.1f}" for m in MODES)
            + f" | {q['store_rss_mb']} | {b['disk_mb']} |")
    return [*lines, ""]


# -- quality ----------------------------------------------------------------------------------


class CachedEncoder:
    """The model, each distinct text encoded once (the same vectors, fewer calls)."""

    def __init__(self, encoder):
        self.encoder, self.name, self.dim = encoder, encoder.name, encoder.dim
        self._seen: dict[str, np.ndarray] = {}

    def encode_passages(self, texts, *, progress=False):
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            for t, v in zip(missing, self.encoder.encode_passages(missing, progress=progress),
                            strict=True):
                self._seen[t] = v
        return np.stack([self._seen[t] for t in texts])

    def encode_queries(self, texts):
        return self.encoder.encode_queries(texts)


def measure_quality(workdir: Path, cmrc: Path, limit: int = 0, log=print) -> dict:
    from rag import RetrievalParams, Retriever, build_index, load_encoder
    from rag.evaluate import evaluate, load_squad

    articles, questions = load_squad(cmrc)
    questions = questions[:limit] if limit else questions
    encoder = CachedEncoder(load_encoder("m3e-small"))
    fusion_only = RetrievalParams(stages=("dense", "keyword", "fusion"))
    configs = {
        "faiss": (str(workdir / "cmrc-faiss"), None),
        "milvus, own BM25": ("unused", f"milvus://{workdir}/quality.db?collection=cmrc_own"
                                       "&bm25=own"),
        "milvus, Milvus BM25": ("unused", f"milvus://{workdir}/quality.db?collection="
                                          "cmrc_milvus&bm25=milvus"),
    }
    out = {"questions": len(questions), "passages": None, "rows": []}
    for name, (index, store) in configs.items():
        log(f"quality: {name}")
        report = build_index(articles, index, encoder=encoder, store=store, progress=False)
        out["passages"] = report.chunks
        retriever = Retriever.load(index, encoder=encoder, store=store)
        for mode in MODES:
            out["rows"].append(_row(name, mode, "ours", evaluate(retriever, questions,
                                                                 mode=mode)))
        out["rows"].append(_row(name, "hybrid", "ours, fusion only", evaluate(
            retriever.with_params(fusion_only), questions, mode="hybrid")))
        if store is not None:
            for label, ranker in _rankers():
                out["rows"].append(_row(name, "hybrid", label,
                                        _ranked(retriever, questions, ranker)))
    return out


def _rankers():
    from pymilvus import RRFRanker, WeightedRanker

    return [("Milvus RRF (k=60)", RRFRanker(60)),
            ("Milvus weighted 0.5 / 0.5", WeightedRanker(0.5, 0.5)),
            ("Milvus weighted 0.2 dense / 0.8 BM25", WeightedRanker(0.2, 0.8))]


def _ranked(retriever, questions, ranker) -> dict:
    """Milvus's hybrid search with `ranker` over the dense and keyword
    candidates (50 each, as ours), scored like `evaluate`."""
    from pymilvus import AnnSearchRequest

    from rag.evaluate import is_hit, report_of
    from rag.index.milvus.keywords import SparseBM25
    from rag.index.milvus.store import HIT_FIELDS

    index, keywords = retriever.stored.store.index, retriever.keywords
    n = retriever.params.candidates
    rows = []
    for q in questions:
        started = time.perf_counter()
        try:
            query = retriever.analyze(q.question)
        except ValueError:  # an empty question: a miss, as `evaluate` counts it
            rows.append({"id": q.id, "type": q.type, "answerable": True, "rank": None,
                         "abstained": True, "seconds": 0.0, "ctx1": 0, "ctx5": 0})
            continue
        vector = retriever.encoder.encode_queries([query.text])[0]
        dense = AnnSearchRequest([vector.tolist()], "dense",
                                 {"metric_type": "IP", "params": {"ef": 128}}, limit=n)
        if isinstance(keywords, SparseBM25):
            words = AnnSearchRequest([keywords.query_vector(list(query.tokens)) or {0: 0.0}],
                                     "sparse", {"metric_type": "IP"}, limit=n)
        else:
            words = AnnSearchRequest([query.text], "bm25", {"metric_type": "BM25"}, limit=n)
        found = index.client.hybrid_search(index.passages_table, [dense, words], ranker=ranker,
                                           limit=5, output_fields=HIT_FIELDS)[0]
        hits = [retriever.hit(int(row), 0.0) for row in index.remember(found)]
        ranks = [i + 1 for i, h in enumerate(hits) if is_hit(h, q)]
        rows.append({"id": q.id, "type": q.type, "answerable": True,
                     "rank": ranks[0] if ranks else None, "abstained": False,
                     "seconds": time.perf_counter() - started, "ctx1": 0, "ctx5": 0})
    return report_of(rows, mode="hybrid")


def _row(store: str, mode: str, fusion: str, report: dict) -> dict:
    s = report["overall"]
    return {"store": store, "mode": mode, "fusion": fusion, "hit@1": round(s["hit@1"], 3),
            "hit@5": round(s["hit@5"], 3), "mrr@5": round(s["mrr@5"], 3),
            "false_abstentions": s["false_abstentions"], "p50_ms": round(s["p50_ms"], 1)}


def quality_markdown(q: dict) -> list[str]:
    lines = [
        "## Stores: CMRC 2018 trial quality",
        "",
        f"{q['questions']} questions, open retrieval over {q['passages']} passages, m3e-small. "
        "*ours*: the full pipeline; *fusion only*: dense + keyword candidates fused by our "
        "score fusion, no sentence bonus or abstention; *Milvus …*: the same two candidate "
        "lists fused by Milvus's `hybrid_search` rankers (no re-ranking or abstention either). "
        "Latency is milvus-lite's (embedded, pure Python), not a cluster's.",
        "",
        "| store | mode | fusion | hit@1 | hit@5 | MRR@5 | false abstentions | p50 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {r['store']} | {r['mode']} | {r['fusion']} | {r['hit@1']:.3f} | "
              f"{r['hit@5']:.3f} | {r['mrr@5']:.3f} | {r['false_abstentions']} | {r['p50_ms']} |"
              for r in q["rows"]]
    return [*lines, ""]


# -- the run -------------------------------------------------------------------------------------


WORKERS = {"store_build": worker_store_build, "store_search": worker_store_search}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--cmrc", default=str(SHARED / "cmrc2018_trial.json"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N CMRC questions")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "stores"))
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return serve_worker(args.worker, WORKERS)
    if not (args.speed or args.quality):
        args.speed = args.quality = True
    out = Path(args.out)
    saved = json.loads(out.with_suffix(".json").read_text()) if out.with_suffix(
        ".json").exists() else {}

    def log(message):
        print(f"[stores {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="rag-stores-") as tmp:
        if args.speed:
            from speed import questions

            saved["speed"] = measure_speed(Path(tmp), args.passages, questions(50), log)
        if args.quality:
            saved["quality"] = measure_quality(Path(tmp), Path(args.cmrc), args.limit, log)
    saved["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    text = markdown(saved)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(saved, ensure_ascii=False, indent=1))
    out.with_suffix(".md").write_text(text)
    print(text)
    return 0


def markdown(saved: dict) -> str:
    lines = ["# Index stores: FAISS and Milvus", "",
             f"Run {saved.get('finished')}, {os.cpu_count()} CPUs (shared).", ""]
    if "quality" in saved:
        lines += quality_markdown(saved["quality"])
    if "speed" in saved:
        lines += speed_markdown(saved["speed"])
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
