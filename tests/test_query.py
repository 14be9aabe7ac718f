"""A question is analysed once: the Query holds what every stage, the answer
and the chat read of it, and the question is normalised and tokenised once
on its way through search and answer composition."""

from __future__ import annotations

import sys

import pytest

import rag


def test_a_query_holds_what_the_question_asks(seed):
    q = seed.analyze("  浙江省灵活就业人员每月能领多少生育津贴？ ")
    assert q.question == "浙江省灵活就业人员每月能领多少生育津贴？" and q.language == "zh"
    assert {"灵活", "就业", "生育", "津贴"} <= set(q.words)
    assert [a.rule for a in q.facts][:1] == ["fact_money"]
    assert "浙江省" in q.places and q.about == () and not q.about_article
    english = seed.analyze("Who wrote the article about flexible workers?")
    assert english.language == "en" and english.translation is not None
    assert english.byline.author and "灵活" in english.text
    traditional = seed.analyze("如何評價職業院校學生的能力？")
    assert "职业" in traditional.words and traditional.normalized.startswith("如何评价")


def _count_calls(monkeypatch, names: tuple[str, ...]) -> dict[str, list[str]]:
    """Wrap every `rag` module's reference to the named functions, recording
    the text each call gets."""
    calls: dict[str, list[str]] = {name: [] for name in names}
    for module in [m for n, m in sys.modules.items() if n == "rag" or n.startswith("rag.")]:
        for name in names:
            real = getattr(module, name, None)
            if callable(real) and getattr(real, "__module__", "").startswith("rag.text"):

                def counting(text, *args, _real=real, _name=name, **kwargs):
                    calls[_name].append(text)
                    return _real(text, *args, **kwargs)

                monkeypatch.setattr(module, name, counting)
    return calls


@pytest.mark.parametrize("question", ["灵活就业人员能领生育津贴吗？", "胡玉玲是哪个单位的？",
                                      "What should the revision of the Social Insurance Law "
                                      "make clear?"])
def test_the_question_is_normalised_and_tokenised_once(seed, monkeypatch, question):
    seed.analyze(question)  # tables and dictionaries loaded before counting
    normalize = rag.normalize
    calls = _count_calls(monkeypatch, ("normalize", "tokenize", "tokens_of"))

    def squash(text: str) -> str:
        return "".join(normalize(text).split())

    def of_question(name: str) -> list[str]:
        """Calls on the question itself (maybe with names set apart or terms appended)."""
        return [t for t in calls[name] if squash(t).startswith(squash(question))]

    seed.search(question, k=5)
    assert len(of_question("normalize")) == 1
    assert len(of_question("tokens_of")) + len(of_question("tokenize")) == 1
    for name in calls:
        calls[name].clear()
    rag.answer_question(seed, question)
    assert len(of_question("normalize")) == 1
    assert len(of_question("tokens_of")) + len(of_question("tokenize")) == 1


def test_search_takes_an_analysed_query_as_it_is(seed, monkeypatch):
    query = seed.analyze("灵活就业人员能领生育津贴吗？")
    calls = _count_calls(monkeypatch, ("normalize", "tokens_of"))
    res = seed.search(query, k=3)
    assert res.query == query.question and res.hits
    assert not any("灵活就业人员能领" in t for t in calls["normalize"] + calls["tokens_of"])
