"""Fit what depends on an encoder's vectors, from data, and write its profile.

    python benchmarks/fit_encoder.py --model e5-small   # then train_abstention.py --model e5-small

Writes rag/search/models/MODEL/profile.json (read by profiles.py) and
benchmarks/results/fit-MODEL.md. Cosines differ from model to model, so
every number below is fitted on the model's own searches:

- fusion: hybrid score = rest + w x z (rest: BM25 / best and the re-ranking
  bonuses; z: the cosine's z-score). `constant` is the best single w;
  the weighting (the fusion_weighting rule) is w = base x exp(theta . f),
  f the question's features (stages/fusion.py). Both maximise the softmax
  likelihood of the passages that answer, over DRCD questions of the training
  documents (the 70% split of train_abstention.py) plus drcd_colloquial.jsonl,
  questions in readers' phrasing written blind over training paragraphs.
- low_evidence's bars: the (min_cosine, cosine_per_coverage) that catches the
  most DRCD near misses (each question asked with and without its paragraph)
  and unanswerable seed development questions while abstaining falsely on at
  most 1% of the answerable questions of each group: DRCD, drcd_colloquial,
  and the seed page's development sets (colloquial development set included:
  cosines run lower on news than on Wikipedia, so a bar set on DRCD alone
  abstains on a third of readers' questions about the page). The bar for
  questions without Chinese characters: no training data has them, so it is
  the highest with no false abstention on the development sets' English
  questions, as the old bar was set.

The fusion weighting is fitted on no seed question; the two bars are
settings chosen on the seed development sets, as the old ones were (the
frozen fresh sets are never read). Traces are
cached under benchmarks/.cache/fit (delete to recompute).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from abstention_data import DEV_SETS  # noqa: E402
from nearmiss import MemoEncoder, cache_for, drcd_folds  # noqa: E402
from train_abstention import held_out  # noqa: E402

from rag import RetrievalParams, Retriever, build_index, load_encoder  # noqa: E402
from rag.encoders import DEFAULT_MODEL  # noqa: E402
from rag.evaluate import Question, is_hit, load_questions  # noqa: E402
from rag.search.profiles import WEIGHT_FEATURES, FusionWeighting, Profile  # noqa: E402
from rag.search.stages.fusion import question_features  # noqa: E402

SEED = 20261206
CACHE = ROOT / "benchmarks" / ".cache" / "fit"
COLLOQUIAL = ROOT / "benchmarks" / "data" / "drcd_colloquial.jsonl"
SEED_COLLOQUIAL = ROOT / "benchmarks" / "data" / "seed_qa_colloquial.jsonl"
DRCD_SAMPLE = 2500  # (question, variant) pairs of the training documents
MIN_COVERAGE = RetrievalParams().min_coverage
FALSE_BUDGET = 0.01
# w = 0 while tracing: the score without the dense side; z is added back when fitting.
TRACE_PARAMS = RetrievalParams(dense_weight=0.0)


def _trace(retriever, q: Question, kind: str) -> dict | None:
    try:
        state = retriever.trace(q.question, k=5)
    except ValueError:
        return None
    if state.cosines is None or not len(state.rows):
        return None
    z = retriever.calibration.z_scores(state.cosines, state.query_vector)
    query, passages = state.query, retriever.passages
    words = list(query.words)
    best = int(state.rows[int(np.argmax(state.scores))])
    coverage = (query.translation.coverage(passages.text(best)) if query.translation is not None
                else passages.coverage(best, words))
    labels = [bool(q.answers) and is_hit(retriever.hit(int(r), 0.0), q) for r in state.rows]
    return {"kind": kind, "answerable": bool(q.answers), "rest": state.scores.tolist(),
            "z": z.tolist(), "cos": state.cosines.tolist(), "labels": labels,
            "features": question_features(state, state.rows, z),
            "coverage_best": coverage, "language": query.language}


def collect(encoder) -> list[dict]:
    path = CACHE / f"{encoder.name}.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    data, retrievers = drcd_folds(encoder, TRACE_PARAMS)
    for retriever in retrievers.values():
        retriever.abstainer = None
    train = [v for v in data["variants"] if not held_out(v["doc"])]
    train = random.Random(SEED).sample(train, min(DRCD_SAMPLE, len(train)))
    asked = [(v["index"], Question(v["qid"], v["question"],
                                   tuple(v["answers"]) if v["answerable"] else (), "",
                                   v["article_id"]), "drcd") for v in train]
    fold_of = {a.id: f for f, arts in data["articles"].items() for a in arts}
    for item in map(json.loads, COLLOQUIAL.read_text("utf-8").splitlines()):
        doc, tail = item["doc"], item["pid"].rsplit("-", 1)[-1]
        article = next((a for a in fold_of if a.endswith(f"-{doc}-{tail}")
                        and a.startswith("drcd-")), None)
        if article is None or held_out(doc):
            continue
        asked.append((fold_of[article], Question(item["id"], item["question"],
                                                 tuple(item["answers"]), item["type"], article),
                      "colloquial"))
    out = []
    started = time.perf_counter()
    for n, (fold, q, kind) in enumerate(asked):
        if (row := _trace(retrievers[fold], q, kind)) is not None:
            out.append(row)
        if n % 500 == 499:
            print(f"  {n + 1}/{len(asked)} traced, {(n + 1) / (time.perf_counter() - started):.0f}"
                  "/s", file=sys.stderr, flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in out), "utf-8")
    return out


def seed_development(encoder) -> list[dict]:
    """The seed page's development questions (colloquial ones included), traced over it."""
    folder = cache_for(encoder.name) / "seed"
    build_index(ROOT / "corpus", folder, encoder=encoder, progress=False)
    retriever = Retriever.load(folder, encoder=encoder, rebuild=False, progress=False,
                               params=TRACE_PARAMS)
    retriever.abstainer = None
    questions = [q for p in (*DEV_SETS, SEED_COLLOQUIAL) for q in load_questions(p)]
    return [r for q in questions if (r := _trace(retriever, q, "seed")) is not None]


# -- the fusion weighting ------------------------------------------------------------


def _padded(rows: list[dict]):
    n = max(len(r["rest"]) for r in rows)
    rest, z, pos, mask = (np.zeros((len(rows), n)) for _ in range(4))
    for i, r in enumerate(rows):
        m = len(r["rest"])
        rest[i, :m], z[i, :m], pos[i, :m], mask[i, :m] = r["rest"], r["z"], r["labels"], 1
    feats = np.array([[r["features"][f] for f in WEIGHT_FEATURES] for r in rows])
    return rest, z, pos.astype(bool), mask.astype(bool), feats


def fit_fusion(rows: list[dict]) -> tuple[FusionWeighting, dict]:
    from scipy.optimize import minimize

    rows = [r for r in rows if any(r["labels"])]  # a question no candidate answers teaches nothing
    rest, z, pos, mask, feats = _padded(rows)
    mean, scale = feats.mean(axis=0), feats.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    fz = (feats - mean) / scale
    weights = np.array([2.0 if r["kind"] == "colloquial" else 1.0 for r in rows])

    def loss(theta, adaptive: bool):
        sharp = np.exp(theta[0])
        log_w = theta[1] + (np.clip(fz @ theta[2:], -4, 4) if adaptive else np.zeros(len(rows)))
        s = sharp * (rest + np.exp(log_w)[:, None] * z)
        s = np.where(mask, s, -np.inf)
        top = s.max(axis=1, keepdims=True)
        all_ = np.log(np.exp(s - top).sum(axis=1))
        good = np.log(np.where(pos, np.exp(s - top), 0).sum(axis=1))
        ridge = 0.05 * float(np.sum(theta[2:] ** 2)) if adaptive else 0.0
        return float(np.sum(weights * (all_ - good)) / weights.sum()) + ridge

    k = len(WEIGHT_FEATURES)
    const = minimize(lambda t: loss(np.r_[t, np.zeros(k)], False), np.array([1.0, np.log(0.15)]),
                     method="Nelder-Mead", options={"maxiter": 800, "xatol": 1e-4})
    adapt = minimize(lambda t: loss(t, True), np.r_[const.x, np.zeros(k)], method="L-BFGS-B")
    weighting = FusionWeighting(
        constant=round(float(np.exp(const.x[1])), 4), base=round(float(np.exp(adapt.x[1])), 4),
        features=WEIGHT_FEATURES, mean=tuple(round(float(v), 5) for v in mean),
        scale=tuple(round(float(v), 5) for v in scale),
        weights=tuple(round(float(v), 4) for v in adapt.x[2:]))

    def hit1(w):
        s = np.where(mask, rest + w[:, None] * z, -np.inf)
        return {kind: float(np.mean([pos[i, int(np.argmax(s[i]))] for i, r in enumerate(rows)
                                     if r["kind"] == kind])) for kind in ("drcd", "colloquial")}

    learned = np.array([weighting.weight(r["features"]) for r in rows])
    report = {"questions": len(rows), "loss_constant": const.fun, "loss_weighted": adapt.fun,
              "train_hit1_constant": hit1(np.full(len(rows), weighting.constant)),
              "train_hit1_weighted": hit1(learned),
              "weight_quantiles": np.quantile(learned, [0.1, 0.5, 0.9]).round(3).tolist()}
    return weighting, report


# -- low_evidence's bars -------------------------------------------------------------


def _false_and_caught(rows, bar, per_coverage):
    weak = [r["coverage_best"] < MIN_COVERAGE
            and max(r["cos"]) < bar - per_coverage * r["coverage_best"] for r in rows]
    ans = [w for w, r in zip(weak, rows, strict=True) if r["answerable"]]
    una = [w for w, r in zip(weak, rows, strict=True) if not r["answerable"]]
    return sum(ans) / max(len(ans), 1), sum(una) / max(len(una), 1)


def fit_bars(rows: list[dict], seed: list[dict]) -> tuple[dict, dict]:
    drcd = [r for r in rows if r["kind"] == "drcd"]
    # Readers' phrasing shares few words with the passage, so the cosine bar
    # binds there most: the false-abstention budget holds for them too; and
    # cosines run lower on news than on Wikipedia (long policy passages), so
    # it holds on the seed page's development questions as well.
    readers = [r for r in rows if r["kind"] == "colloquial"]
    chinese = [r for r in seed if r["language"] == "zh"]
    best = None
    for per_coverage in (0.0, 0.05, 0.1, 0.15, 0.2):
        for bar in np.arange(0.40, 0.98, 0.005):
            false, caught = _false_and_caught(drcd, bar, per_coverage)
            false_readers, _ = _false_and_caught(readers, bar, per_coverage)
            false_seed, caught_seed = _false_and_caught(chinese, bar, per_coverage)
            score = caught + caught_seed
            if (max(false, false_readers, false_seed) <= FALSE_BUDGET
                    and (best is None or score > best[0] + 1e-12)):
                best = (score, round(float(bar), 3), per_coverage, caught, false, false_readers,
                        caught_seed, false_seed)
    _, bar, per_coverage, caught, false, false_readers, caught_seed, false_seed = best
    english = [r for r in seed if r["language"] == "en"]
    answerable = [r for r in english if r["answerable"]]
    latin = min([bar] + [float(np.floor((max(r["cos"]) + per_coverage * r["coverage_best"])
                                        * 200) / 200) for r in answerable])
    return ({"min_cosine": bar, "cosine_per_coverage": per_coverage, "min_cosine_latin": latin},
            {"near_miss_caught": caught, "false_abstention_rate": false,
             "false_abstention_rate_colloquial": false_readers,
             "seed_development_caught": caught_seed, "seed_development_false_rate": false_seed,
             "english_questions": len(answerable)})


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="the encoder (default: %(default)s)")
    parser.add_argument("--out", default=None, help="default: rag/search/models/MODEL/profile.json")
    args = parser.parse_args(argv)
    encoder = MemoEncoder(load_encoder(args.model))
    rows = collect(encoder)
    weighting, fusion_report = fit_fusion(rows)
    bars, bar_report = fit_bars(rows, seed_development(encoder))
    profile = Profile(encoder.name, weighting, bars["min_cosine"], bars["min_cosine_latin"],
                      bars["cosine_per_coverage"], {
                          "fitted": time.strftime("%Y-%m-%d"),
                          "script": "benchmarks/fit_encoder.py",
                          "data": "DRCD (CC BY-SA 3.0) training documents, near misses as in "
                                  "nearmiss.py; benchmarks/data/drcd_colloquial.jsonl; the "
                                  "latin bar on the seed development sets' English questions",
                          "fusion": fusion_report, "bars": bar_report})
    path = profile.save(args.out)
    report = json.dumps(profile.to_dict(), ensure_ascii=False, indent=1)
    out = ROOT / "benchmarks" / "results" / f"fit-{encoder.name}.md"
    out.write_text(f"# Fitted profile: {encoder.name}\n\n{__doc__}\n```json\n{report}\n```\n",
                   "utf-8")
    print(f"wrote {path}\n{report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
