"""The searches the learned abstention is trained and judged on, as features.

For every question of a set: the evidence features (rag/search/evidence.py,
the same code path as search), whether the first hit answers, what the hand
rules decided and why, what the low-evidence check alone says (so the fact
rules can be ablated without searching again), and the answer type the
question expects. Cached under benchmarks/.cache/abstention (delete it to
recompute; ~15 min for DRCD on two cores).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from nearmiss import DATASETS, build_dataset, cache_for

from rag import Retriever, build_index
from rag.evaluate import Question, is_hit, load_questions
from rag.search.evidence import FEATURES, evidence
from rag.search.stages.abstention import Abstention

ROOT = Path(__file__).resolve().parents[1]
FEATURE_CACHE = ROOT / "benchmarks" / ".cache" / "abstention"
DATA = ROOT / "benchmarks" / "data"
DEV_SETS = [ROOT.parent / "shared" / "eval" / "seed_qa_dev.jsonl",
            *(DATA / f"seed_qa_{n}.jsonl" for n in ("extra", "blind", "blind2", "blind3", "blind4",
                                                    "blind5"))]
# Readers' phrasing, written blind on 2026-12-06 (development data): models fitted
# since then set their threshold with it too.
SEED_COLLOQUIAL = DATA / "seed_qa_colloquial.jsonl"
# Near misses about the page (same topic, the fact absent) and answerable
# controls, written blind from the page on 2026-12-06 (seed_nearmiss.README.md):
# development data, like the sets above.
SEED_NEARMISS = DATA / "seed_nearmiss_news.jsonl"
# Frozen: reported, never used to fit or to set anything.
FRESH_SETS = [DATA / "seed_qa_fresh.jsonl", DATA / "seed_nearmiss_fresh.jsonl"]
# The hand rules that check a kind of fact (rag/search/facts.py).
FACT_RULES = ("office_holder", "fact_year", "fact_money", "fact_head_count")


def _trace_all(asked, retrievers) -> dict:
    """Evidence, labels and the hand rules' decision for (retriever key, Question) pairs."""
    rows, top1, answerable, hand, kept, reason, low, kind, best = [], [], [], [], [], [], [], [], []
    started = time.perf_counter()
    for n, (key, q) in enumerate(asked):
        try:
            state = retrievers[key].trace(q.question, k=5)
        except ValueError:  # an empty question in the data
            continue
        kept.append(n)
        hits = state.ranked_hits()
        rows.append(evidence(state))
        top1.append(bool(q.answers) and bool(hits) and is_hit(hits[0], q))
        answerable.append(bool(q.answers))
        hand.append(state.abstained)
        reason.append(state.reason)
        top = state.top()
        low.append(not top or (not state.about and state.params.uses("low_evidence")
                               and Abstention.weak(state, int(state.rows[top[0]]))))
        kind.append(state.query.expected.kind)
        best.append(int(state.rows[top[0]]) if top else -1)  # the passage the features read
        if n % 2000 == 1999:
            rate = (n + 1) / (time.perf_counter() - started)
            print(f"  {n + 1}/{len(asked)} searches, {rate:.0f}/s", file=sys.stderr, flush=True)
    return {"x": np.array(rows, dtype=np.float32), "top1": np.array(top1),
            "answerable": np.array(answerable), "hand": np.array(hand), "kept": np.array(kept),
            "reason": np.array(reason, dtype=str), "low": np.array(low),
            "kind": np.array(kind, dtype=str), "best": np.array(best)}


def hand_without_facts(d: dict) -> np.ndarray:
    """What the hand rules decide with the fact rules switched off: where a fact
    rule withdrew the answer, the low-evidence check that it pre-empted decides."""
    fact = np.isin(d["reason"], FACT_RULES)
    return np.where(fact, d["low"], d["hand"])


def _cached(name: str, compute, model: str) -> dict:
    path = FEATURE_CACHE / (f"{name}.npz" if model == "m3e-small" else f"{model}-{name}.npz")
    if path.exists():
        data = dict(np.load(path, allow_pickle=False))
        if tuple(data.pop("features")) == FEATURES and "best" in data:
            return data
    print(f"[{name}] computing features", file=sys.stderr, flush=True)
    data = compute()
    FEATURE_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **data, features=np.array(FEATURES))
    return data


def _hand_rules_only(retriever):
    retriever.abstainer = None  # the hand rules decide; the features do not depend on it
    return retriever


def near_misses(name: str, encoder) -> dict:
    """Features of every (question, variant) of a near-miss set (see nearmiss.py)."""
    def compute():
        files, convert, across = DATASETS[name]
        data = build_dataset(name, files, convert=convert, across_docs=across)
        retrievers = {}
        for fold, articles in data["articles"].items():
            if articles:
                folder = cache_for(encoder.name) / name / fold
                build_index(articles, folder, encoder=encoder, progress=False)
                retrievers[fold] = _hand_rules_only(Retriever.load(
                    folder, encoder=encoder, rebuild=False, progress=False))
        asked = [(v["index"], Question(v["qid"], v["question"],
                                       tuple(v["answers"]) if v["answerable"] else (), "",
                                       v["article_id"])) for v in data["variants"]]
        out = _trace_all(asked, retrievers)
        return {**out, "doc": np.array([data["variants"][i]["doc"] for i in out["kept"]])}
    return _cached(name, compute, encoder.name)


def seed_sets(encoder, name: str, paths) -> dict:
    """Features of question sets about the seed page, over the bundled corpus."""
    def compute():
        folder = cache_for(encoder.name) / "seed"
        build_index(ROOT / "corpus", folder, encoder=encoder, progress=False)
        retriever = _hand_rules_only(Retriever.load(folder, encoder=encoder, rebuild=False,
                                                    progress=False))
        asked = [("seed", q) for path in paths for q in load_questions(path)]
        return _trace_all(asked, {"seed": retriever})
    return _cached(name, compute, encoder.name)


def development_sets(encoder) -> dict:
    """The seed page's development questions (the threshold and calibration are set on them)."""
    sets = DEV_SETS if encoder.name == "m3e-small" else [*DEV_SETS, SEED_COLLOQUIAL]
    return seed_sets(encoder, "seed-development", sets)
