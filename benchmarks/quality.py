"""Retrieval quality: seed-page QA and CMRC 2018 open retrieval, for each mode.

    python benchmarks/quality.py [--qa FILE ...] [--cmrc FILE] [--modes hybrid,dense,bm25]

Writes benchmarks/results/quality.json and .md and prints the Markdown table.
Uses the same public API as users: rag.build_index, Retriever.load, search.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

from rag import Retriever, build_index  # noqa: E402
from rag.evaluate import (  # noqa: E402
    evaluate,
    format_table,
    load_questions,
    load_squad,
    report_of,
)


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ours = ROOT / "benchmarks" / "data"
    default_qa = [SHARED / "seed_qa_dev.jsonl", ours / "seed_qa_extra.jsonl",
                  ours / "seed_qa_blind.jsonl", ours / "seed_qa_blind2.jsonl",
                  ours / "seed_qa_blind3.jsonl", ours / "seed_qa_blind4.jsonl",
                  ours / "seed_qa_blind5.jsonl"]
    parser.add_argument("--qa", nargs="*", default=[str(p) for p in default_qa],
                        help="QA files in the seed_qa_dev.jsonl format (over --corpus)")
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--cmrc", default=str(SHARED / "cmrc2018_trial.json"),
                        help="SQuAD-format file for open retrieval ('' to skip)")
    parser.add_argument("--cmrc-index", default=str(ROOT / "benchmarks" / ".cache" / "cmrc-index"))
    parser.add_argument("--modes", default="hybrid,dense,bm25")
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "quality"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N CMRC questions")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")

    reports = []
    retriever = Retriever.load(args.index, corpus=args.corpus, model=args.model)
    for qa_file in args.qa:
        questions = load_questions(qa_file)
        for mode in modes:
            rep = evaluate(retriever, questions, mode=mode)
            rep["set"] = Path(qa_file).stem
            reports.append(rep)
    # The blind sets pooled: the closest estimate here of held-out questions.
    blind = [r for r in reports if r["set"].startswith("seed_qa_blind")]
    if len({r["set"] for r in blind}) > 1:
        for mode in modes:
            rows = [row for r in blind if r["mode"] == mode for row in r["rows"]]
            reports.append(report_of(rows, mode=mode, name="seed_qa_blind (all, pooled)"))
    if args.cmrc:
        articles, questions = load_squad(args.cmrc)
        if args.limit:
            questions = questions[: args.limit]
        build_index(articles, args.cmrc_index, model=args.model or retriever.encoder.name,
                    encoder=retriever.encoder)
        cmrc = Retriever.load(args.cmrc_index, encoder=retriever.encoder)
        for mode in modes:
            rep = evaluate(cmrc, questions, mode=mode)
            rep["set"] = "cmrc2018_trial"
            reports.append(rep)

    table = format_table(reports, "Retrieval quality")
    print(table)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    out.with_suffix(".json").write_text(
        json.dumps(reports, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
