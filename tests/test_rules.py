"""Every rule of the query side, switched on and off: each case shows what the
rule changes for its class of questions. A rule added to the catalogue
without a case here fails `test_every_rule_has_a_case`."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

import rag
from rag import RetrievalParams
from rag.search import RULES

# Small articles that each hold (or lack) one kind of fact.
ARTICLES = [
    rag.Article(id="union", title="工会与学院合作",
                body="石家庄市总工会与河北交通职业技术学院合作培养技能人才。"),
    rag.Article(id="history", title="工会史志",
                body="推动各地工会加强工会史志图书编撰，党的一大通过的决议至今已有100年。"),
    rag.Article(id="congress", title="表彰大会",
                body="庆祝全国总工会成立100周年大会隆重召开，会上表彰了劳动模范。"),
    rag.Article(id="benefit", title="生育保险",
                body="灵活就业人员按规定缴费，其中1%视为生育保险缴费。"),
    rag.Article(id="bonus-long", title="职工",
                body="职工技能提升很重要。培训体系需要完善，评价方式仍需改进。"
                     "职工培训还要加强，职工评价也要跟上。评价体系要多元，技能体系要健全。"),
    rag.Article(id="bonus-one", title="评价", body="要健全职工技能培训评价体系。"),
]
# Articles whose answers are lists or lead-ins (their own index: their words
# would move the BM25 cases above).
LISTS = [
    rag.Article(id="measures", title="帮扶",
                body="工会为困难职工采取了三项帮扶措施。\n\n一是发放生活补助。补助按月发放。"
                     "\n\n二是提供免费体检。\n\n三是开展就业培训。培训由技校承担。"),
]
ITEMS = [
    rag.Article(id="training", title="培训",
                body="技校开展了三类培训。\n\n一是焊工技能比武。比武每年举办两次，优胜者获评岗位能手。"
                     "\n\n二是电工证书培训。\n\n三是叉车驾驶培训。"),
]
FACTS_ONLY = RetrievalParams(rules_off=frozenset({"low_evidence"}))


def _index(tmp_path_factory, name, corpus):
    index = tmp_path_factory.mktemp(name) / "index"
    rag.build_index(corpus, index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), rebuild=False, progress=False)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return _index(tmp_path_factory, "small", ARTICLES)


@functools.cache
def lists(corpus: tuple = tuple(LISTS)) -> rag.Retriever:
    index = Path(tempfile.mkdtemp(prefix="rag-lists-")) / "index"
    rag.build_index(list(corpus), index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), rebuild=False, progress=False)


def off(retriever, rule: str, base: RetrievalParams | None = None):
    return retriever.with_params((base or retriever.params).without(rule))


def reason(retriever, question: str, **kw) -> str:
    res = retriever.search(question, k=3, **kw)
    return res.abstain_reason if res.abstained else ""


# -- reading the question -------------------------------------------------------------

def case_fusion_weighting(seed, small):
    """A weighting that trusts the dense side more when the question's words
    are not the corpus's: such a question gets a larger dense weight than one
    in the articles' own words, and switched off both get the constant."""
    import copy

    from rag.search.profiles import WEIGHT_FEATURES, FusionWeighting

    n = len(WEIGHT_FEATURES)
    overlap = [1.0 if f == "overlap" else 0.0 for f in WEIGHT_FEATURES]
    weighting = FusionWeighting(0.15, 0.15, WEIGHT_FEATURES, tuple(0.5 * x for x in overlap),
                                tuple(0.25 if x else 1.0 for x in overlap),
                                tuple(-x for x in overlap))
    assert len(weighting.weights) == n
    weighted = copy.copy(small)
    weighted.profile = replace(small.profile, fusion=weighting)
    own, other = "职工技能培训评价体系", "怎么给打工人发证书呢"
    w_own = weighted.trace(own, k=3).dense_weight
    w_other = weighted.trace(other, k=3).dense_weight
    assert w_other > 0.15 > w_own
    plain = off(weighted, "fusion_weighting")
    assert plain.trace(own, k=3).dense_weight == plain.trace(other, k=3).dense_weight == 0.15

def case_english_terms(seed, small):
    q = "What should the revision of the Social Insurance Law make clear?"
    hits = seed.search(q, k=1, mode="bm25").hits
    assert hits and "社会保险法" in hits[0].text
    assert not off(seed, "english_terms").search(q, k=1, mode="bm25").hits


def case_follow_up_context(seed, small):
    first = "灵活就业人员能领生育津贴吗？"
    assert first in seed.analyze("那广东省呢？", history=[first]).context
    plain = off(seed, "follow_up_context").analyze("那广东省呢？", history=[first])
    assert plain.context == "那广东省呢？"


def case_follow_up_pointers(seed, small):
    first = "灵活就业人员在生育保障上面临哪些困境？"
    for pointer in ("第二个困境是什么？", "最後一點具體指什麼？", "为什么会这样？",
                    "Which of those hurts women most?"):
        assert first in seed.analyze(pointer, history=[first]).context, pointer
        plain = off(seed, "follow_up_pointers").analyze(pointer, history=[first])
        assert first not in plain.context, pointer
    # A new question with its own topic is not read with the previous one.
    new = "职业院校要健全什么制度？"
    assert seed.analyze(new, history=[first]).context == new


def case_previous_article(seed, small):
    first = "灵活就业人员能领生育津贴吗？"
    query = seed.analyze("作者是谁？", history=[first])
    assert query.about_article and query.context == first
    plain = off(seed, "previous_article").analyze("作者是谁？", history=[first])
    assert not plain.about_article and plain.context != first


# -- candidates and re-ranking --------------------------------------------------------

def case_byline_article(seed, small):
    res = seed.search("罗荣波的文章讲了什么？", k=3)
    assert {h.article_id for h in res.hits} == {"labour-movement-history"}
    assert all(h.paragraph <= seed.params.opening_paragraphs for h in res.hits)
    assert off(seed, "byline_article").analyze("罗荣波的文章讲了什么？").about == ()


def case_article_pointer_words(seed, small):
    q = "班小辉这篇评论的核心主张是什么？"
    assert seed.analyze(q).about
    assert off(seed, "article_pointer_words").analyze(q).about == ()


def case_sentence_bonus(seed, small):
    q = "职工技能评价体系"
    assert small.search(q, k=1, mode="bm25").hits[0].article_id == "bonus-one"
    plain = off(small, "sentence_bonus").search(q, k=1, mode="bm25")
    assert plain.hits[0].article_id == "bonus-long"


# -- abstention -------------------------------------------------------------------------

def case_low_evidence(seed, small):
    assert reason(seed, "怎么做红烧肉？") == "low_evidence"
    assert not off(seed, "low_evidence").search("怎么做红烧肉？", k=3).abstained


def case_learned_abstention(seed, small):
    """A model that doubts every answer (probability 0.1, threshold 0.5)."""
    import numpy as np

    from rag.search.abstainer import Abstainer
    from rag.search.evidence import FEATURES

    n = len(FEATURES)
    doubting = Abstainer(FEATURES, np.zeros(n), np.ones(n), np.zeros(n), float(np.log(1 / 9)),
                         0.5, "hash-256")
    unsure = seed.with_params(seed.params)
    unsure.abstainer = doubting
    q = "灵活就业人员能领生育津贴吗？"
    res = unsure.search(q, k=3)
    assert res.abstain_reason == "learned_abstention" and abs(res.confidence - 0.1) < 1e-3
    plain = off(unsure, "learned_abstention").search(q, k=3)
    assert not plain.abstained and plain.confidence is None


def _fact_case(small, rule: str, question: str, passage_of: str):
    strict = small.with_params(FACTS_ONLY)
    res = strict.search(question, k=1)
    assert res.hits[0].article_id == passage_of and res.abstain_reason == rule, res
    assert reason(off(small, rule, FACTS_ONLY), question) == ""


def case_office_holder(seed, small):
    _fact_case(small, "office_holder", "石家庄市总工会的主席是谁？", "union")


def case_fact_year(seed, small):
    _fact_case(small, "fact_year", "党的一大决议是哪一年通过的？", "history")


def case_fact_money(seed, small):
    _fact_case(small, "fact_money", "灵活就业人员生育保险缴费每月要多少钱？", "benefit")


def case_fact_head_count(seed, small):
    _fact_case(small, "fact_head_count", "庆祝全国总工会成立100周年大会表彰了多少人？",
               "congress")


# -- the answer -------------------------------------------------------------------------

def case_list_items(seed, small):
    """A quote introducing an enumeration brings its items, each cited; off:
    the lead-in alone (the items are not what the reader sees first)."""
    question = "工会为困难职工采取了哪些帮扶措施？"
    answer = rag.answer_question(lists(), question)
    items = [c for c in answer.citations if c.kind == "item"]
    assert answer.kind == "list" and [c.quote for c in items] == [
        "一是发放生活补助。", "二是提供免费体检。", "三是开展就业培训。"]
    assert [c.paragraph for c in items] == [2, 3, 4]
    assert "1. 「一是发放生活补助。」" in answer.answer
    plain = rag.answer_question(off(lists(), "list_items"), question)
    assert plain.kind == "quote" and not any(c.kind == "item" for c in plain.citations)


def case_item_elaboration(seed, small):
    """An item's first sentence quoted alone brings what spells it out; a question
    about that one item (有哪些安排) is not answered with the whole list."""
    items = lists(tuple(ITEMS))
    for question in ("焊工技能比武是怎么回事？", "焊工技能比武有哪些安排？"):
        answer = rag.answer_question(items, question)
        assert answer.kind == "quote"
        assert answer.citations[0].quote == \
            "一是焊工技能比武。比武每年举办两次，优胜者获评岗位能手。"
        plain = rag.answer_question(off(items, "item_elaboration"), question)
        assert plain.citations[0].quote == "一是焊工技能比武。"


def case_about_answer(seed, small):
    """这篇文章讲了什么？ is answered with the article's headline and lede, cited as such."""
    history = ["工会为困难职工采取了哪些帮扶措施？"]
    answer = rag.answer_question(lists(), "这篇文章讲了什么？", history=history)
    assert answer.kind == "about"
    assert [(c.kind, c.quote) for c in answer.citations] == [
        ("headline", "帮扶"), ("passage", "工会为困难职工采取了三项帮扶措施。")]
    plain = rag.answer_question(off(lists(), "about_answer"), "这篇文章讲了什么？",
                                history=history)
    assert plain.kind != "about"


def case_list_follow_up(seed, small):
    """第二条是什么？ after a list answer quotes the second item (with what spells it out)."""
    history = ["工会为困难职工采取了哪些帮扶措施？"]
    answer = rag.answer_question(lists(), "第三条是什么？", history=history)
    assert [c.quote for c in answer.citations] == ["三是开展就业培训。培训由技校承担。"]
    last = rag.answer_question(lists(), "最后一项呢？", history=history)
    assert last.citations[0].quote.startswith("三是开展就业培训")
    plain = rag.answer_question(off(lists(), "list_follow_up"), "第三条是什么？", history=history)
    assert not plain.citations or not plain.citations[0].quote.startswith("三是")


# -- hits added -------------------------------------------------------------------------

def _first_kind(retriever, question: str) -> str:
    res = retriever.search(question, k=3)
    return "" if res.abstained else res.hits[0].kind


def case_byline_hit(seed, small):
    assert _first_kind(seed, "胡玉玲是哪个单位的？") == "byline"
    assert _first_kind(off(seed, "byline_hit"), "胡玉玲是哪个单位的？") == "passage"


def case_named_entity(seed, small):
    # Keyword scores alone: the hash encoder's cosines are noise.
    question = "新疆工会怎样培养技能人才？"
    assert seed.search(question, k=3, mode="bm25").hits[0].article_id == "xinjiang-union-work"
    assert off(seed, "named_entity").search(question, k=3, mode="bm25").hits[0].article_id \
        == "unions-vocational-colleges"


CASES = {name.removeprefix("case_"): fn for name, fn in globals().items()
         if name.startswith("case_")}


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_switched_on_and_off(rule, seed, small):
    CASES[rule](seed, small)


def test_unknown_rules_and_stages_are_refused(seed):
    with pytest.raises(ValueError, match="unknown rule"):
        RetrievalParams(rules_off=frozenset({"no_such_rule"}))
    with pytest.raises(ValueError, match="unknown stage"):
        seed.with_params(RetrievalParams(stages=("dense", "nonsense")))


def test_results_name_the_pipeline_that_made_them(seed):
    res = off(seed, "sentence_bonus").search("灵活就业人员能领生育津贴吗？", k=2)
    assert res.pipeline[: len(seed.params.stages)] == seed.params.stages
    assert "-sentence_bonus" in res.pipeline
    assert res.to_dict(debug=True)["pipeline"] == list(res.pipeline)
    assert "pipeline" not in res.to_dict()


def test_a_new_stage_plugs_in_with_one_registration_line(seed, monkeypatch):
    """A re-ranking stage is a class with a name and __call__(state), one line
    in STAGES, and its name in the stage list."""
    from rag.search.params import DEFAULT_STAGES
    from rag.search.stages import STAGES

    class PreferLastCandidate:
        name = "prefer_last"

        def __call__(self, state) -> None:
            if len(state.rows):
                state.scores[-1] += 100.0

    monkeypatch.setitem(STAGES, "prefer_last", PreferLastCandidate)
    stages = list(DEFAULT_STAGES)
    stages.insert(stages.index("sentence_bonus") + 1, "prefer_last")
    custom = seed.with_params(RetrievalParams(stages=tuple(stages)))
    question = "灵活就业人员能领生育津贴吗？"
    state = custom.trace(question, k=3)
    assert custom.search(question, k=3).hits[0].chunk_id == custom.hit(int(state.rows[-1]),
                                                                        0.0).chunk_id
    assert "prefer_last" in custom.search(question, k=3).pipeline
