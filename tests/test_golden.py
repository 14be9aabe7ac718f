"""Golden numbers: the hybrid retriever's hit@1, hit@5 and abstentions on the
dev set (and there, how often the first quote / any quote holds the answer)
and a fixed CMRC-trial sample, with the real model. A change to
retrieval that moves them must update these numbers in the same commit, and
say why in its message (with the full benchmark: benchmarks/quality.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag
from rag.evaluate import evaluate, load_questions, load_squad

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
CMRC_PASSAGES = 60  # the first 60 CMRC 2018 trial passages and all their questions

# Per encoder, recorded on the release that fitted it (benchmarks/results/encoders.md).
GOLDEN = {
    "m3e-small": {
        "dev": {"answerable": 22, "hit@1": 20, "hit@5": 22, "abstained_unanswerable": 2,
                "false_abstentions": 0, "first_quote": 18, "any_quote": 20},
        "cmrc": {"answerable": 233, "hit@1": 203, "hit@5": 228, "abstained_unanswerable": 0,
                 "false_abstentions": 2},
    },
    "e5-small": {
        "dev": {"answerable": 22, "hit@1": 20, "hit@5": 22, "abstained_unanswerable": 2,
                "false_abstentions": 0, "first_quote": 19, "any_quote": 21},
        "cmrc": {"answerable": 233, "hit@1": 208, "hit@5": 228, "abstained_unanswerable": 0,
                 "false_abstentions": 1},
    },
}


@pytest.fixture(params=sorted(GOLDEN))
def retriever(request):
    """The default model's retriever and the other shipped model's (still runnable)."""
    name = "real_retriever" if request.param == rag.DEFAULT_MODEL else "m3e_retriever"
    found = request.getfixturevalue(name)
    assert found.encoder.name == request.param
    return found


def _counts(report: dict) -> dict:
    s = report["overall"]
    n = s["answerable"]
    counts = {"answerable": n, "hit@1": round(s["hit@1"] * n), "hit@5": round(s["hit@5"] * n),
              "abstained_unanswerable": s["abstained_unanswerable"],
              "false_abstentions": s["false_abstentions"]}
    if s.get("quote@1") is not None:  # what the reader sees: the first quote, any quote
        counts["first_quote"] = round(s["quote@1"] * n)
        counts["any_quote"] = round(s["quote@any"] * n)
    return counts


@pytest.mark.slow
def test_dev_set_numbers(retriever):
    questions = load_questions(SHARED / "seed_qa_dev.jsonl")
    got = _counts(evaluate(retriever, questions, quotes=True))
    assert got == GOLDEN[retriever.encoder.name]["dev"]


@pytest.mark.slow
def test_cmrc_sample_numbers(retriever, tmp_path):
    if not (SHARED / "cmrc2018_trial.json").exists():
        pytest.skip("../shared/eval/cmrc2018_trial.json is missing")
    articles, questions = load_squad(SHARED / "cmrc2018_trial.json")
    articles = articles[:CMRC_PASSAGES]
    kept = {a.id for a in articles}
    questions = [q for q in questions if q.article_id in kept]
    rag.build_index(articles, tmp_path / "cmrc", encoder=retriever.encoder, progress=False)
    cmrc = rag.Retriever.load(tmp_path / "cmrc", encoder=retriever.encoder, progress=False)
    assert _counts(evaluate(cmrc, questions)) == GOLDEN[retriever.encoder.name]["cmrc"]
