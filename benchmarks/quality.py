"""Retrieval quality: seed-page QA, conversations and CMRC 2018 open retrieval.

    python benchmarks/quality.py [--qa FILE ...] [--cmrc FILE] [--modes hybrid,dense,bm25]
    python benchmarks/quality.py --ablate        # each rule switched off in turn (hybrid)
    python benchmarks/quality.py --store milvus:///tmp/q.db   # the same, the indexes in Milvus

Writes benchmarks/results/quality.{md,json} (or ablation.{md,json}) and prints
the Markdown. Every report names the pipeline that produced it (the stages and
the rules switched off). Uses the public API: build_index, Retriever, search.

The frozen blind sets (seed_qa_fresh, seed_nearmiss_fresh, seed_conv_fresh) are
scored once per release and reported apart from the sets whose misses informed rules.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
DATA = ROOT / "benchmarks" / "data"
sys.path.insert(0, str(ROOT))

from rag import CATALOGUE, Retriever, build_index  # noqa: E402
from rag.evaluate import (  # noqa: E402
    evaluate,
    evaluate_conversations,
    format_table,
    load_conversations,
    load_questions,
    load_squad,
    report_of,
)

DEV_SETS = [SHARED / "seed_qa_dev.jsonl", DATA / "seed_qa_extra.jsonl",
            *(DATA / f"seed_qa_blind{n}.jsonl" for n in ("", "2", "3", "4", "5")),
            DATA / "seed_nearmiss_news.jsonl"]  # near misses about the page, and controls
FRESH = DATA / "seed_qa_fresh.jsonl"
NEARMISS_FRESH = DATA / "seed_nearmiss_fresh.jsonl"  # frozen, like seed_qa_fresh
CONVERSATIONS = [DATA / "seed_conv_dev.jsonl", DATA / "seed_conv_fresh.jsonl"]
# The summary rows of the ablation table, in order.
SUMMARY_SETS = ["seed_qa_dev", "seed_qa_blind (all, pooled)", "seed_qa_fresh",
                "seed_nearmiss_news", "seed_nearmiss_fresh", "seed_conv_dev", "seed_conv_fresh",
                "cmrc2018_trial"]


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", nargs="*",
                        default=[str(p) for p in [*DEV_SETS, FRESH, NEARMISS_FRESH]],
                        help="QA files in the seed_qa_dev.jsonl format (over --corpus)")
    parser.add_argument("--conv", nargs="*", default=[str(p) for p in CONVERSATIONS],
                        help="conversation files (seed_conv_fresh.jsonl format; none to skip)")
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--cmrc", default=str(SHARED / "cmrc2018_trial.json"),
                        help="SQuAD-format file for open retrieval ('' to skip)")
    parser.add_argument("--cmrc-index", default=str(ROOT / "benchmarks" / ".cache" / "cmrc-index"))
    parser.add_argument("--modes", default="hybrid,dense,bm25")
    parser.add_argument("--model", default=None)
    parser.add_argument("--limit", type=int, default=0, help="only the first N CMRC questions")
    parser.add_argument("--ablate", action="store_true",
                        help="switch each rule off in turn (hybrid only) and report its effect")
    parser.add_argument("--store", default=None,
                        help="milvus://…: the seed and CMRC indexes as collections NAME_seed "
                        "and NAME_cmrc there (default: index folders)")
    parser.add_argument("--rules", default="",
                        help="with --ablate: only these rules (comma-separated; default all)")
    parser.add_argument("--out", default=None,
                        help="output path without suffix (default results/quality or ablation)")
    args = parser.parse_args(argv)

    retriever = Retriever.load(args.index, corpus=args.corpus, model=args.model,
                               store=_store(args.store, "seed"))
    suites = Suites(args, retriever)
    results = ROOT / "benchmarks" / "results"
    if args.ablate:
        chosen = [r for r in CATALOGUE if not args.rules or r.name in args.rules.split(",")]
        text, data = ablate(suites, retriever, chosen)
        out = Path(args.out or results / "ablation")
    else:
        reports = []
        for mode in args.modes.split(","):
            reports += suites.run(retriever, mode)
        reports.sort(key=lambda r: (_set_order(r["set"]), r["mode"] != "hybrid", r["mode"]))
        text = format_table(reports, "Retrieval quality") + "\n\n" + _pipeline_note(retriever)
        data = {"pipeline": list(retriever.pipeline),
                "params": retriever.params.to_dict(), "reports": reports}
        out = Path(args.out or results / "quality")
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return 0


class Suites:
    """Every question set, loaded once; `run` scores one retriever in one mode."""

    def __init__(self, args, retriever):
        self.qa = [(Path(f).stem, load_questions(f)) for f in args.qa]
        self.conversations = [(Path(f).stem, load_conversations(f)) for f in args.conv]
        self.cmrc = None
        if args.cmrc:
            articles, questions = load_squad(args.cmrc)
            store = _store(args.store, "cmrc")
            build_index(articles, args.cmrc_index, model=args.model or retriever.encoder.name,
                        encoder=retriever.encoder, progress=False, store=store)
            self.cmrc = (Retriever.load(args.cmrc_index, encoder=retriever.encoder, store=store),
                         questions[: args.limit] if args.limit else questions)

    def run(self, retriever, mode: str) -> list[dict]:
        reports = []
        for name, questions in self.qa:
            # What a reader sees: the quotes too (not on CMRC: its thousand
            # questions' sentences would cost minutes to embed).
            reports.append({**evaluate(retriever, questions, mode=mode, quotes=True),
                            "set": name})
        # The blind sets pooled: those written blind that later informed rules.
        blind = [r for r in reports if r["set"].startswith("seed_qa_blind")]
        if len(blind) > 1:
            rows = [row for r in blind for row in r["rows"]]
            reports.append(report_of(rows, mode=mode, name="seed_qa_blind (all, pooled)"))
        for name, conversations in self.conversations:
            rep = evaluate_conversations(retriever, conversations, mode=mode)
            reports.append({**rep, "set": name})
        if self.cmrc is not None:
            cmrc, questions = self.cmrc
            cmrc = cmrc.with_params(retriever.params)
            reports.append({**evaluate(cmrc, questions, mode=mode), "set": "cmrc2018_trial"})
        return reports


def ablate(suites: Suites, retriever, rules=CATALOGUE) -> tuple[str, dict]:
    """Each rule off in turn: its effect is baseline minus that run."""
    started = time.time()
    runs = {"(all rules on)": _summaries(suites.run(retriever, "hybrid"))}
    for rule in rules:
        print(f"[ablate] -{rule.name}", file=sys.stderr, flush=True)
        off = retriever.with_params(retriever.params.without(rule.name))
        runs[rule.name] = _summaries(suites.run(off, "hybrid"))
    base = runs["(all rules on)"]
    lines = ["### Ablation: each rule switched off in turn (hybrid)", "",
             "Each cell is the change when the rule is off (off minus on): hit@1 / hit@5 "
             "on answerable questions, the first quote holding the answer (q), then "
             "unanswerable questions abstained on, and false abstentions. A rule pays where "
             "switching it off costs (negative hit or q, fewer abstentions on unanswerable, "
             "more false abstentions). `·` = no change.", "",
             "| rule | stage | " + " | ".join(SUMMARY_SETS) + " |",
             "|---|---|" + "---|" * len(SUMMARY_SETS),
             "| (all rules on) | | " + " | ".join(_cell(base.get(s)) for s in SUMMARY_SETS) + " |"]
    for rule in rules:
        cells = [_delta(base.get(s), runs[rule.name].get(s)) for s in SUMMARY_SETS]
        lines.append(f"| {rule.name} | {rule.stage} | " + " | ".join(cells) + " |")
    lines += ["", "Per set (hit@1, abstained/unanswerable, false abstentions) with the rule off:",
              "", "| rule | " + " | ".join(runs[next(iter(runs))].keys()) + " |",
              "|---|" + "---|" * len(base)]
    for name, summary in runs.items():
        lines.append(f"| {name} | " + " | ".join(_cell(summary.get(s)) for s in base) + " |")
    lines += ["", _pipeline_note(retriever),
              f"Run {time.strftime('%Y-%m-%d %H:%M')}, {time.time() - started:.0f} s."]
    return "\n".join(lines), {"pipeline": list(retriever.pipeline), "runs": runs,
                              "rules": [r.__dict__ for r in rules]}


def _summaries(reports: list[dict]) -> dict:
    return {r["set"]: r["overall"] for r in reports}


def _cell(s: dict | None) -> str:
    if s is None:
        return "–"
    unans = f" · {s['abstained_unanswerable']}/{s['unanswerable']}" if s["unanswerable"] else ""
    quote = f" · q{s['quote@1']:.3f}" if s.get("quote@1") is not None else ""
    return f"{s['hit@1']:.3f}{quote}{unans} · {s['false_abstentions']}fa"


def _delta(on: dict | None, off: dict | None) -> str:
    if on is None or off is None:
        return "–"
    parts = []
    for key, fmt in (("hit@1", "{:+.3f}"), ("hit@5", "{:+.3f}"), ("quote@1", "q{:+.3f}")):
        if on.get(key) is None or off.get(key) is None:
            continue
        d = off[key] - on[key]
        parts.append(fmt.format(d) if abs(d) > 1e-9 else "·")
    d_abst = off["abstained_unanswerable"] - on["abstained_unanswerable"]
    d_false = off["false_abstentions"] - on["false_abstentions"]
    parts.append(f"{d_abst:+d}abst" if d_abst else "·")
    parts.append(f"{d_false:+d}fa" if d_false else "·")
    return " ".join(parts)


def _store(spec: str | None, part: str):
    """The Milvus collection for one part of the benchmark, or None (a folder)."""
    from dataclasses import replace

    from rag.index.milvus import parse_store

    target = parse_store(spec)
    return None if target is None else replace(target, collection=f"{target.collection}_{part}")


def _set_order(name: str) -> int:
    order = [Path(p).stem for p in DEV_SETS] + ["seed_qa_blind (all, pooled)", "seed_qa_fresh",
                                                "seed_nearmiss_fresh", "seed_conv_dev",
                                                "seed_conv_fresh", "cmrc2018_trial"]
    return order.index(name) if name in order else len(order)


def _pipeline_note(retriever) -> str:
    return f"Pipeline: {' > '.join(retriever.pipeline)}."


if __name__ == "__main__":
    sys.exit(main())
