"""Speed and memory: query latency, build throughput, cold start, stores, scale curve.

    python benchmarks/speed.py [--quick] [--model NAME] [--sizes 10000,100000,1000000]
                               [--out benchmarks/results/speed]

Writes <out>.json, <out>.md and <out>.png and prints the Markdown report.
Every measurement that needs its own memory peak runs in a subprocess of this
script (`--worker KIND SPEC.json`); ratios (search / bare encode, build / bare
encode) are always taken from timings interleaved in one process, because the
machine is shared and absolute numbers drift.

The scale curve is synthetic; benchmarks/scale.py says exactly how it is made.
The store column (FAISS and milvus-lite on the same passages) is benchmarks/stores.py.
The report (targets, tables, plot) is benchmarks/speed_report.py.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

import bench_common  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import (  # noqa: E402
    bare_passages,
    bare_queries,
    profile_search,
    rss_mb,
    serve_worker,
    summary_ms,
)
from scale import worker_scale_build, worker_scale_search  # noqa: E402
from speed_report import check_targets, plot, to_markdown  # noqa: E402
from stores import measure_speed as measure_stores  # noqa: E402

# -- small helpers ----------------------------------------------------------------


def questions(n: int) -> list[str]:
    """Seed questions first, then CMRC questions from different articles, up to n."""
    from rag.evaluate import load_questions, load_squad

    out = [q.question for q in load_questions(SHARED / "seed_qa_dev.jsonl")]
    _, cmrc = load_squad(SHARED / "cmrc2018_trial.json")
    seen = set()
    for q in cmrc:
        if len(out) >= n:
            break
        if q.article_id not in seen:
            seen.add(q.article_id)
            out.append(q.question)
    return out[:n]


def run_worker(kind: str, spec: dict, timeout: float | None = None) -> dict:
    """Run one measurement in a fresh interpreter; returns its JSON result."""
    return bench_common.run_worker(__file__, kind, spec, timeout)


# -- workers (each in its own process) -----------------------------------------------


def worker_latency(spec: dict) -> dict:
    """Warm Retriever.search vs bare model.encode([query]), interleaved."""
    from rag import Retriever
    from rag.encoders import load_encoder
    from rag.index import load_index

    base = rss_mb()["rss_mb"]
    t = time.perf_counter()
    encoder = load_encoder(spec["model"])
    model_load_s = time.perf_counter() - t
    after_model = rss_mb()["rss_mb"]
    t = time.perf_counter()
    stored = load_index(spec["index"])
    load_index_s = time.perf_counter() - t
    after_index = rss_mb()["rss_mb"]
    del stored
    gc.collect()
    t = time.perf_counter()
    retriever = Retriever.load(spec["index"], encoder=encoder, rebuild=False, progress=False)
    retriever_load_s = time.perf_counter() - t

    queries = spec["queries"]
    floor = bare_queries(encoder)  # what the brief calls the floor: the model alone

    def bare(q):
        return floor([q])

    from rag.text import normalize

    retriever.warm_up()  # as the chat does when it starts
    for q in queries[:5]:  # and the first calls' own lazy imports
        retriever.search(q, k=5)
        bare(normalize(q))
    enc_t, search_t = [], []
    for rep in range(spec["repeats"]):
        for i, q in enumerate(queries):
            nq = normalize(q.strip())
            pair = [("e", nq), ("s", q)] if (i + rep) % 2 == 0 else [("s", q), ("e", nq)]
            for what, text in pair:
                t = time.perf_counter()
                if what == "e":
                    bare(text)
                    enc_t.append(time.perf_counter() - t)
                else:
                    retriever.search(text, k=5)
                    search_t.append(time.perf_counter() - t)
    enc, srch = summary_ms(enc_t), summary_ms(search_t)
    out = {
        "index": spec["index"],
        "chunks": len(retriever.stored.chunks),
        "model": encoder.name,
        "queries": len(queries),
        "repeats": spec["repeats"],
        "model_load_s": round(model_load_s, 3),
        "load_index_s": round(load_index_s, 3),
        "retriever_load_s": round(retriever_load_s, 3),
        "model_rss_mb": round(after_model - base, 1),
        "index_rss_mb": round(after_index - after_model, 1),
        "encode": enc,
        "search": srch,
        "ratio_p50": round(srch["p50_ms"] / enc["p50_ms"], 3),
        "ratio_p95": round(srch["p95_ms"] / enc["p95_ms"], 3),
        "search_minus_encode_p50_ms": round(srch["p50_ms"] - enc["p50_ms"], 3),
    }
    out["profile"] = profile_search(retriever, queries)
    return out


def worker_build(spec: dict) -> dict:
    """CMRC build throughput vs bare encode; no-op rebuild; add one article."""
    from rag import build_index
    from rag.encoders import load_encoder
    from rag.evaluate import load_squad
    from rag.index import ChunkParams, chunk_articles, embed_text, load_index, search_text
    from rag.index.keywords import build_bm25

    articles, _ = load_squad(SHARED / "cmrc2018_trial.json")
    if spec.get("limit"):
        articles = articles[: spec["limit"]]
    base, extra = articles[:-1], articles[-1]
    t = time.perf_counter()
    encoder = load_encoder(spec["model"])
    model_load_s = time.perf_counter() - t
    by_id = {a.id: a for a in base}
    chunks = chunk_articles(base, ChunkParams())
    texts = [embed_text(c, by_id[c.article_id]) for c in chunks]
    encoder.encode_passages(texts[:64])  # warm-up
    bare = bare_passages(encoder)
    work = Path(spec["workdir"]) / "cmrc-index"
    enc_s, build_s, report = [], [], None
    for _ in range(spec["repeats"]):  # interleaved: both see the same machine load
        t = time.perf_counter()
        bare(texts)
        enc_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        report = build_index(base, work, encoder=encoder, force=True, progress=False)
        build_s.append(time.perf_counter() - t)
    n = report.chunks
    # Parts of a build other than the encoder, timed alone.
    t = time.perf_counter()
    chunk_articles(base, ChunkParams())
    chunk_s = time.perf_counter() - t
    t = time.perf_counter()
    build_bm25([search_text(c, by_id[c.article_id]) for c in chunks])
    bm25_s = time.perf_counter() - t
    t = time.perf_counter()
    noop = build_index(base, work, encoder=encoder, progress=False)
    noop_s = time.perf_counter() - t
    extra_chunks = len(chunk_articles([extra], ChunkParams()))
    t = time.perf_counter()
    added = build_index(articles, work, encoder=encoder, progress=False)
    add_s = time.perf_counter() - t
    stored = load_index(work)
    np.save(Path(spec["workdir"]) / "pool_vectors.npy", np.asarray(stored.vectors))
    enc_rate = n / min(enc_s)
    build_rate = n / min(build_s)
    return {
        "articles": len(base),
        "chunks": n,
        "model": encoder.name,
        "repeats": spec["repeats"],
        "model_load_s": round(model_load_s, 3),
        "bare_encode_s": [round(x, 3) for x in enc_s],
        "build_s": [round(x, 3) for x in build_s],
        "bare_encode_passages_per_s": round(enc_rate, 2),
        "build_passages_per_s": round(build_rate, 2),
        # Each build against the bare encoding run just before it (same machine
        # load), the median over the pairs: one slow run on a shared machine
        # must not decide the ratio.
        "build_over_encode_throughput": round(
            statistics.median(e / b for e, b in zip(enc_s, build_s, strict=True)), 3),
        "chunking_s": round(chunk_s, 3),
        "bm25_build_s": round(bm25_s, 3),
        "noop_rebuild_s": round(noop_s, 3),
        "noop_up_to_date": noop.up_to_date,
        "noop_embedded": noop.embedded,
        "add_one_article_s": round(add_s, 3),
        "add_one_embedded": added.embedded,
        "add_one_article_chunks": extra_chunks,
        "add_one_total_chunks": added.chunks,
    }


WORKERS = {
    "latency": worker_latency,
    "build": worker_build,
    "scale_build": worker_scale_build,
    "scale_search": worker_scale_search,
}


# -- the orchestrating run -------------------------------------------------------------


def prepare_pools(workdir: Path, model: str, queries: list[str]) -> dict:
    """Sentence pool (seed corpus + CMRC) and the real embeddings of its
    sentences and of the queries."""
    from rag.encoders import load_encoder
    from rag.evaluate import load_squad
    from rag.index import split_sentences
    from rag.ingest import load_corpus
    from rag.text import normalize

    texts = [a.body for a in load_corpus(ROOT / "corpus")]
    texts += [a.body for a in load_squad(SHARED / "cmrc2018_trial.json")[0]]
    sentences = sorted(
        {t[a:b].strip() for t in texts for a, b in split_sentences(t) if len(t[a:b].strip()) >= 4}
    )
    (workdir / "sentences.json").write_text(json.dumps(sentences, ensure_ascii=False), "utf-8")
    encoder = load_encoder(model)
    qvecs = encoder.encode_queries([normalize(q.strip()) for q in queries])
    np.save(workdir / "query_vectors.npy", qvecs)
    if not (workdir / "sentence_vectors.npy").exists():  # ~1 min with m3e-small; reused
        np.save(workdir / "sentence_vectors.npy",
                encoder.encode_passages(sentences, progress=True))
    return {"sentences": len(sentences), "queries": len(queries)}


def cold_start(index: Path, query: str, model: str, runs: int) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "rag",
        "search",
        query,
        "--json",
        "--index",
        str(index),
        "--model",
        model,
    ]
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        walls.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise RuntimeError(f"cold start failed: {proc.stderr[-2000:]}")
        json.loads(proc.stdout)
    imports = [
        sys.executable,
        "-c",
        "import rag.cli, numpy, faiss, bm25s, jieba"
        + (", sentence_transformers" if not model.startswith("hash-") else ""),
    ]
    t = time.perf_counter()
    subprocess.run(imports, check=True, cwd=ROOT, env=env)
    import_s = time.perf_counter() - t
    return {
        "runs": runs,
        "wall_s": [round(w, 3) for w in walls],
        "wall_median_s": round(statistics.median(walls), 3),
        "imports_s": round(import_s, 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2k synthetic size, few queries (CI)")
    parser.add_argument("--model", default=None,
                        help="default: the default encoder (rag.DEFAULT_MODEL); hash-256 for "
                        "smoke runs")
    parser.add_argument(
        "--sizes", default=None, help="synthetic sizes, default 10000,100000,1000000"
    )
    parser.add_argument("--queries", type=int, default=None, help="distinct questions (default 50)")
    parser.add_argument("--repeats", type=int, default=None, help="passes over the questions")
    parser.add_argument("--vectors", choices=("sentence-mean", "noisy-copies"),
                        default="sentence-mean", help="how synthetic vectors are made")
    parser.add_argument("--noise", type=float, default=0.5,
                        help="noise norm of --vectors noisy-copies")
    parser.add_argument("--recall-queries", type=int, default=200,
                        help="questions whose exact top 10 measure recall")
    parser.add_argument(
        "--latency-size",
        type=int,
        default=100_000,
        help="synthetic size also timed with the real encoder (0: none)",
    )
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "speed"))
    parser.add_argument("--workdir", default=None, help="keep temporary indexes here")
    parser.add_argument(
        "--replot",
        action="store_true",
        help="only rewrite <out>.md and <out>.png from an existing <out>.json",
    )
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        return serve_worker(args.worker, WORKERS)

    out = Path(args.out)
    if args.replot:
        report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        report["targets"] = check_targets(report)
        out.with_suffix(".json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), "utf-8"
        )
        out.with_suffix(".md").write_text(to_markdown(report), "utf-8")
        plot(report, out.with_suffix(".png"))
        print(to_markdown(report))
        return 0
    from rag.encoders import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    sizes = [
        int(s)
        for s in (args.sizes or ("2000" if args.quick else "10000,100000,1000000")).split(",")
        if s
    ]
    n_queries = args.queries or (10 if args.quick else 50)
    repeats = args.repeats or (2 if args.quick else 4)
    latency_size = 0 if args.quick else args.latency_size
    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="rag-speed-"))
    workdir.mkdir(parents=True, exist_ok=True)
    queries = questions(n_queries)

    from rag import build_index

    report = {
        "model": model,
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "vectors": args.vectors,
        "noise": args.noise,
        "queries": n_queries,
        "recall_queries": max(n_queries, args.recall_queries),
        "repeats": repeats,
        "latency": {},
        "scale": [],
    }

    def save():
        report["targets"] = check_targets(report)
        out.with_suffix(".json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), "utf-8"
        )
        out.with_suffix(".md").write_text(to_markdown(report), "utf-8")

    def log(msg):
        print(f"[speed {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    try:
        # Seed index: a private copy built from ./corpus, so concurrent edits of ./index don't matter.  # noqa: E501
        seed_index = workdir / "seed-index"
        log("building seed index copy")
        build_index(ROOT / "corpus", seed_index, model=model, progress=False)
        # The latency questions come first: the fixed encoder finds their vectors.
        recall_queries = questions(max(n_queries, args.recall_queries))
        report["pools"] = prepare_pools(workdir, model, recall_queries)

        log("latency on seed index")
        report["latency"]["seed"] = run_worker(
            "latency",
            {"model": model, "index": str(seed_index), "queries": queries, "repeats": repeats},
        )
        save()
        log("cold start")
        report["cold_start"] = cold_start(seed_index, queries[0], model, 2 if args.quick else 3)
        report["cold_start"]["load_index_s"] = report["latency"]["seed"]["load_index_s"]
        report["cold_start"]["model_load_s"] = report["latency"]["seed"]["model_load_s"]
        save()
        log("build throughput (CMRC)")
        report["build"] = run_worker(
            "build",
            {
                "model": model,
                "workdir": str(workdir),
                "repeats": 1 if args.quick else 3,
                "limit": 40 if args.quick else 0,
            },
        )
        save()
        if importlib.util.find_spec("pymilvus") is None:
            report["notes"] = ["stores: pymilvus is not installed, milvus-lite not measured"]
        else:
            log("stores: FAISS and milvus-lite on the same passages")
            report["stores"] = measure_stores(workdir, 2000 if args.quick else 10_000, queries,
                                              log)
        save()
        for n in sizes:
            index = workdir / f"syn-{n}"
            log(f"scale {n}: build")
            entry = {
                "n": n,
                "build": run_worker(
                    "scale_build",
                    {
                        "n": n,
                        "model": model,
                        "workdir": str(workdir),
                        "index": str(index),
                        "vectors": args.vectors,
                        "noise": args.noise,
                    },
                ),
            }
            report["scale"].append(entry)
            save()
            log(f"scale {n}: search")
            entry["search"] = run_worker(
                "scale_search",
                {
                    "n": n,
                    "workdir": str(workdir),
                    "index": str(index),
                    "queries": queries,
                    "repeats": 2 if args.quick else (3 if n >= 1_000_000 else 6),
                    "mode_budget_s": 20 if args.quick else 60,
                },
            )
            save()
            if n == latency_size:
                log(f"latency with the real encoder on {n}")
                report["latency"][f"synthetic-{n}"] = run_worker(
                    "latency",
                    {
                        "model": model,
                        "index": str(index),
                        "queries": queries,
                        "repeats": max(2, repeats // 2),
                    },
                )
                save()
            if not args.workdir:
                shutil.rmtree(index, ignore_errors=True)
    finally:
        report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        save()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    plot(report, out.with_suffix(".png"))
    print(to_markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
