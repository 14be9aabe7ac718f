"""Train the learned abstention from the shared data, with a fixed seed.

    python benchmarks/train_abstention.py [--out rag/search/models/abstention.json]

Near misses from DRCD (each question asked against the index holding its own
paragraph and against the one that lacks it, see nearmiss.py) give, for every
search, the evidence features (rag/search/evidence.py, the same code path as
search) and whether the best passage answers. DRCD documents are split 70/30
by a hash of their id: a logistic regression is fitted on the 70%, and the
abstention threshold is set on it for a false-abstention rate of at most
`--max-false-abstentions`; the held-out 30% and CMRC (its answerable questions,
and cmrc-xdoc's off-topic unanswerable ones) report how it does. Writes the
model (JSON: feature names, scaling, weights, threshold, encoder, data) and
benchmarks/results/abstention.{md,json}. Features are cached under
benchmarks/.cache/abstention (delete it to recompute).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from nearmiss import CACHE, DATASETS, MemoEncoder, build_dataset  # noqa: E402

from rag import Retriever, build_index, load_encoder  # noqa: E402
from rag.evaluate import Question, is_hit  # noqa: E402
from rag.search.abstainer import Abstainer, calibration_error  # noqa: E402
from rag.search.evidence import FEATURES, evidence  # noqa: E402

SEED = 20261129
TRAIN_SHARE = 0.7
FEATURE_CACHE = ROOT / "benchmarks" / ".cache" / "abstention"
DEFAULT_OUT = ROOT / "rag" / "search" / "models" / "abstention.json"


def held_out(doc: str) -> bool:
    """A fixed 30% of DRCD documents, whatever else changes."""
    digest = hashlib.blake2b(f"{SEED}:{doc}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64 >= TRAIN_SHARE


def featurize(name: str, encoder) -> dict:
    """Features, labels and groups of every (question, variant) of a near-miss set."""
    cached = FEATURE_CACHE / f"{name}.npz"
    if cached.exists():
        data = np.load(cached, allow_pickle=False)
        return {k: data[k] for k in data.files}
    files, convert, across = DATASETS[name]
    data = build_dataset(name, files, convert=convert, across_docs=across)
    retrievers = {}
    for fold, articles in data["articles"].items():
        if articles:
            folder = CACHE / name / fold
            build_index(articles, folder, encoder=encoder, progress=False)
            retrievers[fold] = Retriever.load(folder, encoder=encoder, rebuild=False,
                                              progress=False)
            retrievers[fold].abstainer = None  # the hand rules' decision is recorded too
    rows, labels, answerable, docs, top5, hand, reasons = [], [], [], [], [], [], []
    started = time.perf_counter()
    for n, v in enumerate(data["variants"]):
        try:
            state = retrievers[v["index"]].trace(v["question"], k=5)
        except ValueError:  # an empty question in the data
            continue
        hits = state.ranked_hits()
        q = Question(v["qid"], v["question"], tuple(v["answers"]), "", v["article_id"])
        ranks = [i for i, h in enumerate(hits) if v["answerable"] and is_hit(h, q)]
        rows.append(evidence(state))
        labels.append(bool(ranks) and ranks[0] == 0)
        top5.append(bool(ranks))
        answerable.append(v["answerable"])
        docs.append(v["doc"])
        hand.append(state.abstained)
        reasons.append(state.reason)
        if n % 1000 == 999:
            rate = (n + 1) / (time.perf_counter() - started)
            print(f"[{name}] {n + 1}/{len(data['variants'])} searches, {rate:.0f}/s",
                  file=sys.stderr, flush=True)
    out = {"x": np.array(rows, dtype=np.float32), "top1": np.array(labels),
           "top5": np.array(top5), "answerable": np.array(answerable),
           "doc": np.array(docs), "hand": np.array(hand), "reason": np.array(reasons),
           "features": np.array(FEATURES)}
    FEATURE_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(cached, **out)
    return out


def rates(abstain: np.ndarray, answerable: np.ndarray) -> dict:
    """Abstention on unanswerable questions (recall) and on answerable ones (false)."""
    una, ans = ~answerable, answerable
    right, wrong = int(abstain[una].sum()), int(abstain[ans].sum())
    return {"answerable": int(ans.sum()), "unanswerable": int(una.sum()),
            "recall": right / una.sum() if una.any() else None,
            "false_abstention_rate": wrong / ans.sum() if ans.any() else None,
            "precision": right / (right + wrong) if right + wrong else None}


def curve(p: np.ndarray, answerable: np.ndarray) -> list[dict]:
    """Recall and false-abstention rate at every threshold worth listing."""
    points = []
    for t in np.unique(np.round(np.quantile(p, np.linspace(0, 0.95, 96)), 4)):
        points.append({"threshold": float(t), **rates(p < t, answerable)})
    return points


def at_budget(points: list[dict], budget: float) -> dict | None:
    ok = [x for x in points if x["false_abstention_rate"] is not None
          and x["false_abstention_rate"] <= budget + 1e-12 and x["recall"] is not None]
    return max(ok, key=lambda x: x["recall"]) if ok else None


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--max-false-abstentions", type=float, default=0.01,
                        help="false-abstention rate the threshold allows on the training part")
    parser.add_argument("--report", default=str(ROOT / "benchmarks" / "results" / "abstention"))
    args = parser.parse_args(argv)
    encoder = MemoEncoder(load_encoder("m3e-small"))
    drcd = featurize("drcd", encoder)
    test = np.array([held_out(d) for d in drcd["doc"]])
    train = ~test
    model = Abstainer.fit(drcd["x"][train], drcd["top1"][train], FEATURES, encoder=encoder.name,
                          seed=SEED)
    p_train = model.probabilities(drcd["x"][train])
    model = model.with_threshold(p_train, drcd["answerable"][train],
                                 args.max_false_abstentions)
    model.card.update(data="DRCD dev + test (CC BY-SA 3.0, Delta Research Center), near misses "
                      "as in benchmarks/nearmiss.py; 70% of documents",
                      trained=time.strftime("%Y-%m-%d"), examples=int(train.sum()))
    model.save(args.out)
    report = {"model": Path(args.out).name, "threshold": model.threshold,
              "weights": dict(zip(FEATURES, model.weights.round(4).tolist(), strict=True)),
              "sets": {}}
    sets = {"drcd-train": (drcd, train), "drcd-heldout": (drcd, test)}
    for name in ("cmrc", "cmrc-xdoc"):
        data = featurize(name, encoder)
        sets[name] = (data, np.ones(len(data["x"]), dtype=bool))
    for name, (data, keep) in sets.items():
        p = model.probabilities(data["x"][keep])
        answerable = data["answerable"][keep]
        points = curve(p, answerable)
        report["sets"][name] = {
            "at_threshold": rates(p < model.threshold, answerable),
            "at_1%": at_budget(points, 0.01), "at_2%": at_budget(points, 0.02),
            "at_5%": at_budget(points, 0.05),
            "ece": calibration_error(p, data["top1"][keep]), "curve": points,
        }
    Path(args.report).with_suffix(".json").write_text(json.dumps(report, indent=1), "utf-8")
    print(json.dumps({k: {m: v for m, v in s.items() if m != "curve"}
                      for k, s in report["sets"].items()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
