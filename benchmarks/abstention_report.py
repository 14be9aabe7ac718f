"""Markdown for train_abstention.py: the results table and the model card."""

from __future__ import annotations

SETS = {
    "drcd-train": "DRCD, training documents (70%)",
    "drcd-heldout": "DRCD, held-out documents (30%)",
    "cmrc": "CMRC 2018 trial (answerable only)",
    "cmrc-xdoc": "CMRC 2018 trial, folds across documents (unanswerable = off-topic)",
    "seed-development": "seed page, development sets (dev, extra, blind1-5, colloquial for "
                        "e5-small, news near misses)",
    "seed-questions": "  of which: its questions (dev, extra, blind1-5, colloquial for e5-small)",
    "seed-nearmiss-news": "  of which: news near misses and controls (seed_nearmiss_news)",
    "seed-fresh": "seed page, frozen sets (seed_qa_fresh, seed_nearmiss_fresh)",
    "seed-qa-fresh": "  of which: seed_qa_fresh",
    "seed-nearmiss-fresh": "  of which: seed_nearmiss_fresh",
}
ABLATED = ("drcd-heldout", "cmrc", "cmrc-xdoc", "seed-development", "seed-fresh")
WAYS = ("hand rules", "learned alone", "hand rules + learned")


def _f(x, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _budget(curve: list[dict], rate: float) -> str:
    ok = [p for p in curve if p["false_rate"] is not None and p["false_rate"] <= rate + 1e-12
          and p["recall"] is not None]
    return _f(max(p["recall"] for p in ok)) if ok else "none"


def markdown(report: dict) -> str:
    lines = ["# Learned abstention", "",
             "A logistic regression over the search's evidence features "
             "(rag/search/evidence.py), trained on DRCD near misses "
             "(benchmarks/train_abstention.py). Abstention recall = unanswerable questions "
             "abstained on / unanswerable; false = answerable questions abstained on. "
             f"Threshold {report['threshold']:.4f} (see the model card for how it was set).", "",
             "| set | way | answerable | unanswerable | recall | false (rate) | precision |",
             "|---|---|---|---|---|---|---|"]
    for name, res in report["sets"].items():
        for way in WAYS:
            r = res[way]
            lines.append(f"| {SETS.get(name, name)} | {way} | {r['answerable']} "
                         f"| {r['unanswerable']} | {_f(r['recall'])} | {r['false']} "
                         f"({_f(r['false_rate'], 4)}) | {_f(r['precision'])} |")
    lines += ["", "Sweeping the threshold: the best recall within a false-abstention budget, "
              "for the model alone and with the hand rules; and calibration (expected "
              "calibration error of the probability that the first hit answers; before: no "
              "probability, the top cosine taken as one):", "",
              "| set | learned alone: recall at false <= 1% / 2% / 5% | hand rules + learned "
              "| ECE learned | ECE before news calibration | ECE top cosine |",
              "|---|---|---|---|---|---|"]
    for name, res in report["sets"].items():
        alone = " / ".join(_budget(res["curve_learned"], b) for b in (0.01, 0.02, 0.05))
        both = " / ".join(_budget(res["curve"], b) for b in (0.01, 0.02, 0.05))
        lines.append(f"| {SETS.get(name, name)} | {alone} | {both} | {_f(res['ece'])} "
                     f"| {_f(res.get('ece_uncalibrated'))} | {_f(res['ece_top_cosine'])} |")
    lines += ["", "Reliability (predicted probability against the share of first hits that "
              "answer):", "", "| set | " + " | ".join(
                  f"{b['from']:.1f}-{b['to']:.1f}" for b in
                  report["sets"]["drcd-heldout"]["reliability"]) + " |",
              "|---|" + "---|" * len(report["sets"]["drcd-heldout"]["reliability"])]
    for name in ("drcd-heldout", "cmrc", "seed-development", "seed-fresh"):
        cells = [f"{b['right']:.2f} (n={b['n']})" for b in report["sets"][name]["reliability"]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "By the answer type the question expects (rag/search/answer_types.py), hand "
              "rules + learned at the threshold: recall / false abstentions (questions):", "",
              "| type | DRCD held-out | seed development | seed frozen |", "|---|---|---|---|"]
    sets = report["sets"]
    kinds = sorted({k for s in ("drcd-heldout", "seed-development", "seed-fresh")
                    for k in sets[s]["by_kind"]})
    for kind in kinds:
        cells = []
        for name in ("drcd-heldout", "seed-development", "seed-fresh"):
            r = sets[name]["by_kind"].get(kind)
            cells.append("–" if r is None else f"{_f(r['recall'])} / {r['false']} "
                         f"({r['answerable'] + r['unanswerable']})")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines += ["", "Ablation: each feature left out in turn, then the three answer-type features "
              "together, then the four fact rules (office_holder, fact_year, fact_money, "
              "fact_head_count) switched off so that the model must do their work (each "
              "refitted, calibrated and thresholded the same way, to the same false-abstention "
              "budget on the development sets): recall / false abstentions of hand rules + "
              "learned:", "",
              "| left out | " + " | ".join(SETS[s] for s in ABLATED) + " |",
              "|---|" + "---|" * len(ABLATED)]
    lines.append("| (none) | " + " | ".join(
        f"{_f(sets[s]['hand rules + learned']['recall'])} / "
        f"{sets[s]['hand rules + learned']['false']}" for s in ABLATED) + " |")
    for feature, res in report["feature_ablation"].items():
        lines.append(f"| {feature} | " + " | ".join(
            f"{_f(res[s]['recall'])} / {res[s]['false']}" for s in ABLATED) + " |")
    lines += ["", f"Trained in {report['seconds']} s (features cached after the first run)."]
    return "\n".join(lines) + "\n"


def card(report: dict) -> str:
    model = report["model"]
    c = model["card"]
    held = report["sets"]["drcd-heldout"]
    dev, fresh = report["sets"]["seed-development"], report["sets"]["seed-fresh"]
    weights = "\n".join(f"| {f} | {w:+.3f} |" for f, w in
                        zip(model["features"], model["weights"], strict=True))
    return f"""# Model card: abstention.json

**What it is.** The probability that the best passage a search found answers the
question: {c.get('model', 'logistic regression')} over {len(model['features'])} evidence
features of the search (rag/search/evidence.py). The retriever withdraws its answer when
the hand rules say so or when this probability is below {model['threshold']:.4f}; the
chat and the API show it as `confidence`.

**Encoder.** Fitted on the cosines of `{model['encoder']}`; an index built with another
model does not use it (the hand rules alone decide, and results say so).

**Data.** {c.get('data')}. {c.get('examples')} (question, index) pairs; label: the first
hit holds an answer string. Calibration (a slope and an offset on the log-odds, Platt
scaling): {c.get('calibration_data')}; slope {model['calibration'][0]:.3f}, offset
{model['calibration'][1]:+.3f}. Hand rules: the fact rules {c.get('fact_rules', 'on')}.
Licence of the data: CC BY-SA 3.0 (DRCD, Delta Research
Center; Delta Electronics makes no warranty of its correctness), so this model, derived
from it, is shared under the same licence. No question of the seed newspaper page was
used to fit the weights; its development sets set the calibration and the threshold, and
its frozen sets (seed_qa_fresh, seed_nearmiss_fresh) only report.

**Threshold.** {c.get('threshold_rule')}.

**Results** (benchmarks/results/abstention.md): on held-out DRCD documents, hand rules +
model abstain on {_f(held['hand rules + learned']['recall'])} of near-miss questions with
{held['hand rules + learned']['false']} false abstentions of
{held['hand rules + learned']['answerable']} ({_f(held['hand rules + learned']['false_rate'],
4)}); the hand rules alone {_f(held['hand rules']['recall'])} with
{held['hand rules']['false']}. Expected calibration error on held-out DRCD
{_f(held['ece'])} (before the news calibration {_f(held.get('ece_uncalibrated'))}); on the
seed page's development sets {_f(dev['ece'])} (before {_f(dev.get('ece_uncalibrated'))}),
on its frozen sets {_f(fresh['ece'])} (before {_f(fresh.get('ece_uncalibrated'))}).

**Reproduce.** `python benchmarks/train_abstention.py` (seed {c.get('seed')}; trained
{c.get('trained')}).

| feature | weight (standardised) |
|---|---|
{weights}
"""
