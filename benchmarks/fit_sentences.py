"""Could a fitted model choose the quoted sentence better than the hand
formula? A logistic model over the candidate sentences' features
(FEATURES below), fitted per encoder. An experiment, not shipped:

    python benchmarks/fit_sentences.py --model e5-small

Training data, none of it from the seed page: DRCD questions of the training
documents (the 70 % split of train_abstention.py) asked over their fold's index,
plus drcd_colloquial.jsonl (readers' phrasing, written blind over training
paragraphs). Each question's top-5 passages are split into sentences as the
answer step splits them; a sentence is positive when it holds an answer string.
Only questions with at least one positive candidate teach anything.

Reported, hand formula against the model, as the share of questions whose
best-scored sentence holds the answer (of those where some candidate does):
DRCD held-out documents, and the seed page's development questions (colloquial
ones included). The frozen fresh sets are not read here. Writes
benchmarks/results/sentences-<model>.md.

Shipped for a while as rule learned_sentences, it lifted this measure (seed dev
0.683 -> 0.758, held-out DRCD 0.850 -> 0.863) but not the answers: the first
quote on the seed QA development sets moved by one question in 214, and fell
on the frozen fresh set (benchmarks/results/ablation-answer.md). Removed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from abstention_data import DEV_SETS  # noqa: E402
from nearmiss import drcd_folds  # noqa: E402
from train_abstention import held_out  # noqa: E402

from rag import Retriever, load_encoder  # noqa: E402
from rag.answer.select import SHORT, candidates, formula, signals  # noqa: E402
from rag.encoders import DEFAULT_MODEL  # noqa: E402
from rag.encoders.batching import BatchingEncoder  # noqa: E402
from rag.evaluate import load_questions  # noqa: E402
from rag.text import normalize  # noqa: E402

SEED = 20261206
CACHE = ROOT / "benchmarks" / ".cache" / "sentences"
COLLOQUIAL = ROOT / "benchmarks" / "data" / "drcd_colloquial.jsonl"
SEED_COLLOQUIAL = ROOT / "benchmarks" / "data" / "seed_qa_colloquial.jsonl"
# Sentence vectors are the cost (~5-15 sentences/s on this shared machine): a
# few hundred questions, the sentences of their top PASSAGES passages.
TRAIN_SAMPLE, COLLOQUIAL_SAMPLE, HELD_OUT_SAMPLE, PASSAGES = 100, 50, 80, 3


FEATURES = (
    "cosine",  # the sentence's cosine to the question
    "cosine_gap",  # ... less the best candidate's: how far behind it is
    "keywords",  # the question's words and bigrams the sentence holds (0..1)
    "keywords_gap",
    "passage_rank",  # 1 / (1 + rank of the passage it comes from)
    "short",  # under 8 characters: a heading or a fragment
    "length",  # log characters
    "novelty",  # share of its characters the question lacks: an answer adds something
    "lead_in",  # it announces what follows (ends with a colon, 以下, 如下)
    "quantity",  # the question asks how many / how much and the sentence states a number
)
_LEAD_IN = re.compile(r"[：:]\s*$|以下|如下")
_ASKS_QUANTITY = re.compile(r"多少|几[个项年月天次岁人种条点倍]|比例|比率|百分|多大|多长|多久"
                            r"|\bhow (many|much|long)\b|\bwhat (share|percentage|rate)\b", re.I)
_NUMBER = re.compile(r"[0-9０-９]|[一二两三四五六七八九十百千万亿]+"
                     r"(?:个|人|年|月|天|元|项|倍|成|次|岁|名)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# The passage's rank was left out: fitted, it lowered the share
# on both report sets (0.825 -> 0.863 held-out DRCD, 0.742 -> 0.758 seed dev; the
# first run's ablation, benchmarks/results/sentences-e5-small.md), which makes
# those sets development data for this choice; the fresh seed sets stay unread.
SHIPPED = tuple(f for f in FEATURES if f != "passage_rank")


def features(question: str, texts: list[str], ranks: list[int], cosines: np.ndarray,
             keywords: np.ndarray) -> np.ndarray:
    """One row of FEATURES per candidate sentence (`texts`, normalised)."""
    asked = set(_HAN.findall(question))
    asks_quantity = bool(_ASKS_QUANTITY.search(question))
    rows = []
    for text, rank, cos, kw in zip(texts, ranks, cosines, keywords, strict=True):
        han = _HAN.findall(text)
        length = len(text.strip())
        rows.append((
            cos, cos - cosines.max(), kw, kw - keywords.max(), 1.0 / (1 + rank),
            float(length < SHORT), np.log1p(length),
            sum(ch not in asked for ch in han) / len(han) if han else 0.0,
            float(bool(_LEAD_IN.search(text))),
            float(asks_quantity and bool(_NUMBER.search(text))),
        ))
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), len(FEATURES))


def hand_scores(rows: np.ndarray) -> np.ndarray:
    """What the answer step runs (select.formula), from the rows."""
    column = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    return formula(column["cosine"], column["keywords"], column["passage_rank"],
                   column["short"] > 0)


def squash(text: str) -> str:
    return "".join(text.split())


def question_rows(retriever, question: str, answers) -> dict | None:
    """Features and labels of one question's candidate sentences."""
    try:
        query = retriever.analyze(question)
        hits = retriever.search(query, k=5).hits
    except ValueError:
        return None
    found = candidates(hits[:PASSAGES])
    if not found:
        return None
    labels = [any(squash(a) in squash(c.text) for a in answers) for c in found]
    if not any(labels):
        return None
    texts = [normalize(c.text) for c in found]
    cosines, keywords = signals(retriever, query, texts)
    rows = features(query.normalized, texts, [c.rank for c in found], cosines, keywords)
    return {"x": rows.tolist(), "y": labels}


def collect(encoder, split: str) -> list[dict]:
    path = CACHE / f"{encoder.name}-{split}.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    data, retrievers = drcd_folds(encoder)
    for retriever in retrievers.values():
        retriever.abstainer = None
    want_held = split == "held-out"
    variants = [v for v in data["variants"] if v["answerable"] and held_out(v["doc"]) == want_held]
    variants = random.Random(SEED).sample(
        variants, min(HELD_OUT_SAMPLE if want_held else TRAIN_SAMPLE, len(variants)))
    asked = [(v["index"], v["question"], v["answers"]) for v in variants]
    if not want_held:
        fold_of = {a.id: f for f, arts in data["articles"].items() for a in arts}
        items = [json.loads(line) for line in COLLOQUIAL.read_text("utf-8").splitlines()]
        for item in random.Random(SEED).sample(items, COLLOQUIAL_SAMPLE):
            doc, tail = item["doc"], item["pid"].rsplit("-", 1)[-1]
            article = next((a for a in fold_of if a.endswith(f"-{doc}-{tail}")), None)
            if article is not None and not held_out(doc):
                asked.append((fold_of[article], item["question"], item["answers"]))
    out, started = [], time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    done = partial.read_text("utf-8").splitlines() if partial.exists() else []
    out = [json.loads(line) for line in done if line != "null"]
    with partial.open("a", encoding="utf-8") as log:  # an interrupted run resumes
        for n, (fold, question, answers) in enumerate(asked[len(done):], start=len(done)):
            row = question_rows(retrievers[fold], question, answers)
            log.write(json.dumps(row) + "\n")
            log.flush()
            if row is not None:
                out.append(row)
            if n % 50 == 49:
                rate = (n + 1 - len(done)) / (time.perf_counter() - started)
                print(f"  {split}: {n + 1}/{len(asked)}, {rate:.2f} q/s", file=sys.stderr,
                      flush=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in out), "utf-8")
    partial.unlink()
    return out


def seed_development(encoder) -> list[dict]:
    retriever = Retriever.load(ROOT / "index", encoder=encoder, rebuild=False, progress=False)
    questions = [q for p in (*DEV_SETS, SEED_COLLOQUIAL) for q in load_questions(p)
                 if q.answerable]
    return [r for q in questions if (r := question_rows(retriever, q.question, q.answers))]


def top1(rows: list[dict], scorer) -> float:
    right = 0
    for r in rows:
        scores = scorer(np.asarray(r["x"]))
        right += bool(r["y"][int(np.argmax(scores))])
    return right / len(rows) if rows else 0.0


@dataclass(frozen=True)
class SentenceModel:
    """P(sentence holds the answer) = sigmoid(bias + weights . (x - mean) / scale)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def scores(self, rows: np.ndarray) -> np.ndarray:
        columns = [FEATURES.index(name) for name in self.features]
        z = (rows[:, columns] - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(z @ self.weights + self.bias)))


def fit(rows: list[dict], features=SHIPPED, c: float = 1.0) -> SentenceModel:
    from sklearn.linear_model import LogisticRegression

    columns = [FEATURES.index(f) for f in features]
    x = np.vstack([np.asarray(r["x"])[:, columns] for r in rows])
    y = np.concatenate([r["y"] for r in rows]).astype(int)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    # Each question weighs the same however many sentences its passages hold.
    weight = np.concatenate([np.full(len(r["y"]), 1.0 / len(r["y"])) for r in rows])
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y,
                                                        sample_weight=weight * len(rows))
    return SentenceModel(tuple(features), mean, scale, model.coef_[0],
                         float(model.intercept_[0]))


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    encoder = BatchingEncoder(load_encoder(args.model))  # its cache keeps sentence vectors
    train, held = collect(encoder, "train"), collect(encoder, "held-out")
    seed = seed_development(encoder)
    model = fit(train)
    with_rank = fit(train, FEATURES)
    lines = [f"# Sentence choice, {args.model}", "",
             "Share of questions whose best-scored candidate sentence holds the answer, among "
             f"questions where a sentence of the top {PASSAGES} passages does.", "",
             "| set | n | hand formula | model |", "|---|---|---|---|"]
    ablations = {f: fit(train, tuple(x for x in SHIPPED if x != f)) for f in SHIPPED}
    for name, rows in (("DRCD training (fit)", train), ("DRCD held-out documents", held),
                       ("seed development (dev, incl. colloquial)", seed)):
        lines.append(f"| {name} | {len(rows)} | {top1(rows, hand_scores):.3f} | "
                     f"{top1(rows, model.scores):.3f} |")
    lines.append(f"| (with passage_rank, not shipped) held-out / seed dev | | | "
                 f"{top1(held, with_rank.scores):.3f} / {top1(seed, with_rank.scores):.3f} |")
    lines += ["", "Ablation (refitted without one feature): held-out DRCD / seed development",
              "", "| feature dropped | weight | DRCD held-out | seed dev |", "|---|---|---|---|"]
    for f, m in ablations.items():
        weight = model.weights[model.features.index(f)]
        lines.append(f"| {f} | {weight:+.3f} | {top1(held, m.scores):.3f} | "
                     f"{top1(seed, m.scores):.3f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "benchmarks" / "results" / f"sentences-{args.model}.md"
    out.write_text(report, "utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
