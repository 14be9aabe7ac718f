"""The learned abstention: the saved model describes itself, is used only for
the encoder it was fitted on, and shows its confidence to the reader."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.encoders import MODELS
from rag.search.abstainer import Abstainer, bundled_for, bundled_path, calibration_error
from rag.search.evidence import FEATURES, evidence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def model(intercept: float, threshold: float = 0.5, encoder: str = "hash-256") -> Abstainer:
    n = len(FEATURES)
    return Abstainer(FEATURES, np.zeros(n), np.ones(n), np.zeros(n), intercept, threshold,
                     encoder)


@pytest.mark.parametrize("encoder", sorted(MODELS))
def test_each_named_model_ships_an_abstention_fitted_on_its_own_cosines(encoder):
    shipped = Abstainer.load(bundled_path(encoder))
    # A model of a release before features were added would read its own.
    assert set(shipped.features) <= set(FEATURES) and shipped.encoder == encoder
    assert 0 < shipped.threshold < 1 and len(shipped.weights) == len(shipped.features)
    card = bundled_path(encoder).with_suffix(".md").read_text(encoding="utf-8")
    assert "CC BY-SA 3.0" in card and encoder in card
    assert bundled_for(encoder) is not None and bundled_for("hash-256") is None


def test_a_saved_model_round_trips_and_refuses_other_formats(tmp_path):
    m = model(0.3, 0.25)
    m.save(tmp_path / "m.json")
    back = Abstainer.load(tmp_path / "m.json")
    assert back.features == m.features and back.threshold == 0.25
    x = np.random.default_rng(0).normal(size=(4, len(FEATURES)))
    assert np.allclose(back.probabilities(x), 1 / (1 + np.exp(-0.3)))
    (tmp_path / "bad.json").write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ValueError, match="not an abstention model"):
        Abstainer.load(tmp_path / "bad.json")


def test_a_model_for_other_features_is_not_used(tmp_path):
    m = model(0.0)
    other = Abstainer(("one", "two"), np.zeros(2), np.ones(2), np.zeros(2), 0.0, 0.5, "hash-256")
    other.save(tmp_path / "other.json")
    m.save(tmp_path / "same.json")
    assert bundled_for("hash-256", tmp_path / "other.json") is None
    assert bundled_for("hash-256", tmp_path / "same.json") is not None


def test_a_model_of_an_earlier_release_reads_its_own_features(tmp_path):
    own = FEATURES[:-3]
    weights = np.arange(1, len(own) + 1, dtype=np.float64) / 10
    earlier = Abstainer(own, np.zeros(len(own)), np.ones(len(own)), weights, -1.0, 0.5, "hash-256")
    earlier.save(tmp_path / "earlier.json")
    loaded = bundled_for("hash-256", tmp_path / "earlier.json")
    assert loaded is not None
    x = np.random.default_rng(1).normal(size=len(FEATURES))
    assert loaded.probability(x, FEATURES) == pytest.approx(loaded.probability(x[:-3]))


def test_calibration_rescales_the_log_odds_and_is_saved(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, len(FEATURES)))
    m = Abstainer(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)),
                  np.eye(len(FEATURES))[0] * 4.0, 0.0, 0.5, "hash-256")
    # Outcomes far less certain than the model says: calibration flattens it.
    y = rng.random(400) < 1 / (1 + np.exp(-x[:, 0]))
    calibrated = m.calibrated(x, y)
    assert 0 < calibrated.calibration[0] < 1
    assert calibration_error(calibrated.probabilities(x), y) < calibration_error(
        m.probabilities(x), y)
    calibrated.save(tmp_path / "c.json")
    assert Abstainer.load(tmp_path / "c.json").calibration == pytest.approx(calibrated.calibration)


def test_calibration_error_is_zero_when_predictions_match_outcomes():
    p = np.array([0.05] * 20 + [0.95] * 20)
    y = np.array([0] * 19 + [1] + [1] * 19 + [0])
    assert calibration_error(p, y) < 1e-9
    assert calibration_error(np.full(10, 0.9), np.zeros(10)) == pytest.approx(0.9)


def test_evidence_features_tell_an_answer_from_an_off_topic_question(seed):
    on = dict(zip(FEATURES, evidence(seed.trace("灵活就业人员能领生育津贴吗？")), strict=True))
    off = dict(zip(FEATURES, evidence(seed.trace("怎么做红烧肉？")), strict=True))
    assert on["coverage_idf"] > 0.5 > off["coverage_idf"]
    assert off["oov_share"] > on["oov_share"]
    money = dict(zip(FEATURES, evidence(seed.trace("浙江省灵活就业人员每月能领多少钱？")),
                     strict=True))
    assert money["fact_asked"] == money["fact_unstated"] == money["unknown_place"] == 1


def test_confidence_reaches_the_result_the_answer_and_the_reader(seed):
    unsure = seed.with_params(seed.params)
    unsure.abstainer = model(float(np.log(0.1 / 0.9)), threshold=0.05)  # p = 0.1, kept
    q = "灵活就业人员能领生育津贴吗？"
    res = unsure.search(q, k=3)
    assert not res.abstained and res.confidence == pytest.approx(0.1, abs=1e-3)
    assert res.to_dict()["confidence"] == res.confidence
    answer = rag.answer_question(unsure, q)
    assert answer.unsure and answer.answer.startswith(f"*{rag.UNSURE_MESSAGE}")
    assert answer.to_dict()["unsure"] is True
    assert rag.answer_to_text(answer, unsure).startswith(rag.UNSURE_MESSAGE)
    sure = seed.with_params(seed.params)
    sure.abstainer = model(float(np.log(0.9 / 0.1)), threshold=0.05)
    answer = rag.answer_question(sure, q)
    assert not answer.unsure and rag.UNSURE_MESSAGE not in answer.answer
    english = rag.answer_question(unsure, "Can flexible workers get maternity allowance?")
    assert english.abstained or "These quotes may not answer" in english.answer


def test_without_a_model_for_the_encoder_results_say_so(seed):
    assert seed.abstainer is None and seed.search("生育津贴", k=1).confidence is None
    assert any("no abstention model" in step for step in seed.search("生育津贴", k=1).pipeline)


def test_the_threshold_keeps_the_development_false_abstentions():
    from train_abstention import combined_threshold

    answerable = np.array([True, True, True, False, False])
    hand = np.array([False, True, False, False, True])
    p = np.array([0.30, 0.01, 0.80, 0.05, 0.90])
    t = combined_threshold(p, hand, answerable)
    assert 0.05 < t <= 0.30  # abstains on the 0.05 unanswerable one, never on 0.30 or 0.80
    assert ((hand | (p < t))[answerable]).sum() == hand[answerable].sum()


@pytest.mark.slow
def test_the_real_model_is_confident_where_the_page_answers(real_retriever):
    res = real_retriever.search("灵活就业人员能领生育津贴吗？", k=3)
    assert not res.abstained and res.confidence is not None and res.confidence > 0.2
    off = real_retriever.search("怎么做红烧肉？", k=3)
    assert off.abstained and off.confidence < res.confidence
