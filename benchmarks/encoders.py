"""One table to choose the encoder by: each model x mode on every set, and what it costs.

    python benchmarks/encoders.py [--models m3e-small,e5-small] [--skip-costs]

Rows: each encoder's hybrid (its fitted profile; for a profile with a fusion
weighting, also with the fusion_weighting rule off) and dense modes, BM25 once
(no encoder), and the two encoders fused (three-way hybrid: the e5 search's
candidates and score plus m3e's weighted z-score, the weight chosen on the pooled
development sets; measured offline, kept only if it pays).
Sets: the seed page's development questions (seed_qa_dev as given; all dev sets
pooled: dev, extra, blind1-5; the colloquial development set apart), the frozen
fresh set (scored once per release) and its colloquial questions, the
conversations, CMRC 2018 trial (open retrieval), DRCD held-out documents
(answerable questions over the near-miss fold indexes) and the near-miss
benchmark (from train_abstention.py's report for that encoder).
Costs, each encoder in a fresh process: build (passages/s), search p50/p95,
index bytes a passage, RSS, cold start.

Writes benchmarks/results/encoders.{md,json}. Indexes are cached under
benchmarks/.cache (the seed and DRCD ones shared with fit_encoder.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from abstention_data import DEV_SETS  # noqa: E402
from nearmiss import MemoEncoder, cache_for, drcd_folds  # noqa: E402
from train_abstention import held_out  # noqa: E402

from rag import Retriever, build_index, load_encoder  # noqa: E402
from rag.evaluate import (  # noqa: E402
    Question,
    evaluate,
    evaluate_conversations,
    is_hit,
    load_conversations,
    load_questions,
    load_squad,
    report_of,
)

COLLOQUIAL_DEV = DATA / "seed_qa_colloquial.jsonl"
CHECKPOINT = ROOT / "benchmarks" / ".cache" / "encoders-rows.json"  # the rows so far
FRESH = DATA / "seed_qa_fresh.jsonl"
CONVERSATIONS = {"conv dev": DATA / "seed_conv_dev.jsonl",
                 "conv fresh": DATA / "seed_conv_fresh.jsonl"}
SETS = ("seed_qa_dev", "dev", "colloquial dev", "fresh", "fresh colloquial", "conv dev",
        "conv fresh",
        "cmrc trial", "drcd held-out")


def seed_retriever(encoder) -> Retriever:
    folder = cache_for(encoder.name) / "seed"
    build_index(ROOT / "corpus", folder, encoder=encoder, progress=False)
    return Retriever.load(folder, encoder=encoder, rebuild=False, progress=False)


def cmrc_retriever(encoder) -> tuple[Retriever, list[Question]]:
    articles, questions = load_squad(SHARED / "eval" / "cmrc2018_trial.json")
    folder = cache_for(encoder.name) / "cmrc-open"
    build_index(articles, folder, encoder=encoder, progress=False)
    return Retriever.load(folder, encoder=encoder, rebuild=False, progress=False), questions


def drcd_held_out(encoder) -> tuple[dict, list]:
    """Retrievers over the two fold indexes and the answerable questions of held-out documents."""
    data, retrievers = drcd_folds(encoder)
    asked = [(v["index"], Question(v["qid"], v["question"], tuple(v["answers"]), "",
                                   v["article_id"]))
             for v in data["variants"] if v["answerable"] and held_out(v["doc"])]
    return retrievers, asked


def _summary(report: dict) -> dict:
    keep = ("answerable", "unanswerable", "hit@1", "hit@5", "mrr@5", "abstained_unanswerable",
            "false_abstentions", "p50_ms", "ctx@1")
    return {k: report["overall"][k] for k in keep}


def quality(retriever, mode: str, extra: dict) -> dict:
    """One row of the table: every set for one retriever (with its settings) and mode."""
    dev = [q for p in DEV_SETS for q in load_questions(p)]
    out = {"seed_qa_dev": _summary(evaluate(retriever, load_questions(DEV_SETS[0]), mode=mode)),
           "dev": _summary(evaluate(retriever, dev, mode=mode)),
           "colloquial dev": _summary(evaluate(retriever, load_questions(COLLOQUIAL_DEV),
                                               mode=mode))}
    fresh = evaluate(retriever, load_questions(FRESH), mode=mode)
    out["fresh"] = _summary(fresh)
    out["fresh colloquial"] = _summary(report_of(
        [r for r in fresh["rows"] if r["type"] == "colloquial"], mode=mode))
    for name, path in CONVERSATIONS.items():
        out[name] = _summary(evaluate_conversations(retriever, load_conversations(path),
                                                    mode=mode))
    cmrc, cmrc_questions = extra["cmrc"]
    out["cmrc trial"] = _summary(evaluate(cmrc.with_params(retriever.params), cmrc_questions,
                                          mode=mode))
    retrievers, asked = extra["drcd"]
    rows = []
    for fold, q in asked:
        res = retrievers[fold].with_params(retriever.params).search(q.question, k=5, mode=mode)
        rank = next((i + 1 for i, h in enumerate(res.hits) if is_hit(h, q)), None)
        rows.append({"id": q.id, "type": "", "answerable": True, "rank": rank,
                     "abstained": res.abstained, "seconds": 0.0, "ctx1": 0, "ctx5": 0})
    out["drcd held-out"] = _summary(report_of(rows, mode=mode))
    return out


def near_miss(model: str) -> dict | None:
    """Held-out DRCD near misses, from train_abstention.py's report for `model`."""
    path = RESULTS / f"abstention-{model}.json"
    if not path.exists():
        return None
    sets = json.loads(path.read_text("utf-8"))["sets"]["drcd-heldout"]
    shipped = sets["hand rules + learned"]

    def at_1pct(curve):
        return max((p["recall"] for p in curve if p["false_rate"] is not None
                    and p["false_rate"] <= 0.01 and p["recall"] is not None), default=0.0)

    return {"recall": shipped["recall"], "false_rate": shipped["false_rate"],
            "recall_at_1pct": at_1pct(sets["curve_learned"]),
            "recall_at_1pct_with_rules": at_1pct(sets["curve"]), "ece": sets["ece"]}


THREE_WAY_WEIGHTS = (0.02, 0.05, 0.1, 0.15)


def three_way(asked: list[tuple[Retriever, Retriever, Question]], weights=THREE_WAY_WEIGHTS
              ) -> dict[float, list]:
    """The e5 hybrid's candidates and scores plus w x m3e's z-score (same corpus,
    same chunks: rows align), for each w: the rank of the first answering hit."""
    ranks: dict[float, list] = {w: [] for w in weights}
    for e5, m3e, q in asked:
        if not q.answers:
            continue
        try:
            state = e5.trace(q.question, k=5)
        except ValueError:  # an empty question in the data: a miss, as `evaluate` counts it
            state = None
        if state is None or not len(state.rows):
            for w in weights:
                ranks[w].append(None)
            continue
        vector = m3e.encoder.encode_queries([state.text])[0]
        z = m3e.calibration.z_scores(m3e.store.vectors(state.rows) @ vector, vector)
        for w in weights:
            order = np.argsort(-(state.scores + w * z), kind="stable")[:5]
            hits = [e5.hit(int(state.rows[j]), 0.0) for j in order]
            ranks[w].append(next((i + 1 for i, h in enumerate(hits) if is_hit(h, q)), None))
    return ranks


def _hits(ranks: list) -> dict:
    n = len(ranks)
    return {"answerable": n, "hit@1": sum(r == 1 for r in ranks) / n,
            "hit@5": sum(r is not None for r in ranks) / n,
            "mrr@5": sum(1 / r for r in ranks if r) / n}


def three_way_row(seeds: dict, extras: dict) -> dict:
    """Three-way hybrid on every single-question set; the m3e weight is chosen
    on the pooled development sets (conversations need the chat path: not run)."""
    e5, m3e = seeds["e5-small"], seeds["m3e-small"]
    sets = {"seed_qa_dev": load_questions(DEV_SETS[0]),
            "dev": [q for p in DEV_SETS for q in load_questions(p)],
            "colloquial dev": load_questions(COLLOQUIAL_DEV), "fresh": load_questions(FRESH)}
    ranks = {name: three_way([(e5, m3e, q) for q in qs]) for name, qs in sets.items()}
    fresh = load_questions(FRESH)
    ranks["fresh colloquial"] = three_way([(e5, m3e, q) for q in fresh if q.type == "colloquial"])
    (c5, questions), (cm, _) = extras["e5-small"]["cmrc"], extras["m3e-small"]["cmrc"]
    ranks["cmrc trial"] = three_way([(c5, cm, q) for q in questions])
    (d5, asked), (dm, _) = extras["e5-small"]["drcd"], extras["m3e-small"]["drcd"]
    ranks["drcd held-out"] = three_way([(d5[f], dm[f], q) for f, q in asked])
    best = max(THREE_WAY_WEIGHTS, key=lambda w: (_hits(ranks["dev"][w])["hit@1"], -w))
    return {"m3e_weight": best, **{name: _hits(r[best]) for name, r in ranks.items()}}


COST_SCRIPT = """
import json, os, sys, time
started = time.perf_counter()
from rag import Retriever, load_encoder
from rag.evaluate import load_questions, load_squad
from rag.index import ChunkParams, chunk_articles, embed_text
model, index, questions = sys.argv[1], sys.argv[2], sys.argv[3:]
retriever = Retriever.load(index, rebuild=False, progress=False)
retriever.search("灵活就业人员能领生育津贴吗？", k=5)
cold = time.perf_counter() - started
qs = [q.question for p in questions for q in load_questions(p)]
for q in qs[:10]:
    retriever.search(q, k=5)
times = []
for q in qs:
    t = time.perf_counter(); retriever.search(q, k=5); times.append(time.perf_counter() - t)
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
rss = int(status["VmRSS"].split()[0]) / 1024  # serving: model, index, question tables
articles, _ = load_squad(os.environ["CMRC"])
by_id = {a.id: a for a in articles}
chunks = chunk_articles(articles, ChunkParams())[:300]
texts = [embed_text(c, by_id[c.article_id]) for c in chunks]
encoder = retriever.encoder.inner
encoder.encode_passages(texts[:16])
t = time.perf_counter()
encoder.encode_passages(texts)
rate = len(texts) / (time.perf_counter() - t)
times.sort()
print(json.dumps({"cold_start_s": cold, "search_p50_ms": 1000 * times[len(times) // 2],
                  "search_p95_ms": 1000 * times[int(len(times) * 0.95)],
                  "build_passages_per_s": rate,
                  "rss_mb": rss}))
"""


def costs(model: str) -> dict:
    """Measured in a fresh process so cold start and memory are the model's own."""
    index = cache_for(model) / "seed"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
           "CMRC": str(SHARED / "eval" / "cmrc2018_trial.json")}
    done = subprocess.run([sys.executable, "-c", COST_SCRIPT, model, str(index),
                           *map(str, DEV_SETS)], env=env, capture_output=True, text=True,
                          check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    cmrc = cache_for(model) / "cmrc-open"
    from rag.index import load_index

    passages = len(load_index(cmrc).chunks)
    size = sum(p.stat().st_size for p in cmrc.rglob("*") if p.is_file())
    dense = sum(p.stat().st_size for p in cmrc.glob("dense*"))
    return {**out, "index_bytes": size, "dense_bytes": dense, "passages": passages}


def fmt(x, digits=3) -> str:
    return "–" if x is None else f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def markdown(report: dict) -> str:
    lines = ["# Encoders compared", "", (__doc__ or "").split("\n\n")[1].replace("\n", " "), "",
             "hit@1 / hit@5 (MRR@5) on answerable questions; abstentions on unanswerable ones "
             "(caught/all) and false abstentions on answerable ones.", "",
             "| encoder · mode | " + " | ".join(SETS) + " |", "|---|" + "---|" * len(SETS)]
    for name, row in report["rows"].items():
        cells = []
        for s in SETS:
            c = row.get(s)
            if c is None:
                cells.append("–")
                continue
            cell = f"{c['hit@1']:.3f} / {c['hit@5']:.3f}"
            if "mrr@5" in c:
                cell += f" ({c['mrr@5']:.3f})"
            if c.get("unanswerable"):
                cell += f"; {c['abstained_unanswerable']}/{c['unanswerable']}"
            if "false_abstentions" in c:
                cell += f"; {c['false_abstentions']} fa"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Near misses (held-out DRCD documents; hand rules + learned abstention)", "",
              "| encoder | recall (shipped threshold) | false-abstention rate | recall at ≤ 1 % "
              "false: learned alone / with the hand rules | ECE |", "|---|---|---|---|---|"]
    for model, nm in report["near_miss"].items():
        if nm:
            lines.append(f"| {model} | {fmt(nm['recall'])} | {fmt(nm['false_rate'], 4)} "
                         f"| {fmt(nm['recall_at_1pct'])} / "
                         f"{fmt(nm.get('recall_at_1pct_with_rules'))} | {fmt(nm['ece'])} |")
    lines += ["", "## Costs (this 2-core machine; each encoder in a fresh process)", "",
              "| encoder | build passages/s | search p50 / p95 ms | index bytes a passage "
              "(dense part) | RSS MB | cold start s |", "|---|---|---|---|---|---|"]
    for model, c in report["costs"].items():
        per = (f"{c['index_bytes'] / c['passages']:.0f} ({c['dense_bytes'] / c['passages']:.0f})"
               if c.get("passages") else f"{c['index_bytes']} in all")
        lines.append(f"| {model} | {c['build_passages_per_s']:.1f} | {c['search_p50_ms']:.1f} / "
                     f"{c['search_p95_ms']:.1f} | {per} | {c['rss_mb']:.0f} "
                     f"| {c['cold_start_s']:.1f} |")
    lines += ["", f"Run {report['when']}, {report['seconds']} s."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="m3e-small,e5-small")
    parser.add_argument("--skip-costs", action="store_true")
    parser.add_argument("--costs-only", action="store_true",
                        help="measure the costs again; quality rows from the last report")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.costs_only:
        report = json.loads((RESULTS / "encoders.json").read_text("utf-8"))
        report["costs"] = {model: costs(model) for model in args.models.split(",")}
        report["near_miss"] = {model: near_miss(model) for model in args.models.split(",")}
        (RESULTS / "encoders.md").write_text(markdown(report), "utf-8")
        (RESULTS / "encoders.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                               "utf-8")
        print(markdown(report))
        return 0
    rows, seeds, extras, near, cost = {}, {}, {}, {}, {}
    for model in args.models.split(","):
        encoder = MemoEncoder(load_encoder(model))
        seed = seeds[model] = seed_retriever(encoder)
        extra = extras[model] = {"cmrc": cmrc_retriever(encoder), "drcd": drcd_held_out(encoder)}
        print(f"[{model}] hybrid", file=sys.stderr, flush=True)
        rows[f"{model} · hybrid"] = quality(seed, "hybrid", extra)
        if seed.profile.fusion.weights:
            plain = seed.with_params(seed.params.without("fusion_weighting"))
            rows[f"{model} · hybrid, fusion_weighting off"] = quality(plain, "hybrid", extra)
        rows[f"{model} · dense"] = quality(seed, "dense", extra)
        if "bm25 (no encoder)" not in rows:
            rows["bm25 (no encoder)"] = quality(seed, "bm25", extra)
        CHECKPOINT.parent.mkdir(parents=True, exist_ok=True)
        CHECKPOINT.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
        near[model] = near_miss(model)
        if not args.skip_costs:
            cost[model] = costs(model)
    if {"e5-small", "m3e-small"} <= seeds.keys():
        fused = three_way_row(seeds, extras)
        rows[f"e5-small + {fused.pop('m3e_weight')} × m3e-small z · three-way hybrid"] = fused
    report = {"rows": rows, "near_miss": near, "costs": cost,
              "when": time.strftime("%Y-%m-%d %H:%M"),
              "seconds": round(time.perf_counter() - started)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "encoders.json").write_text(json.dumps(report, ensure_ascii=False, indent=1),
                                           "utf-8")
    (RESULTS / "encoders.md").write_text(markdown(report), "utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
