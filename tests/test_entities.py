"""Questions that name a place, an organisation or an author: the
named_entity rule prefers the article about it, and the answer says when no
quoted passage mentions it. Over the bundled page, with the model-free encoder."""

from __future__ import annotations

import pytest

import rag
from rag.answer import answer_question, answer_to_text
from rag.search.entities import named_entities
from tests.conftest import BUNDLED_CORPUS


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    index = tmp_path_factory.mktemp("entities") / "index"
    rag.build_index(BUNDLED_CORPUS, index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), progress=False)


def names(retriever, question):
    return [(e.name, e.kind) for e in retriever.analyze(question).entities]


def test_what_a_question_names(page):
    assert names(page, "新疆维吾尔自治区人大常委会副主任写的那篇文章主要讲什么？") == [
        ("新疆维吾尔自治区", "place"), ("人大常委会", "organisation")]
    assert names(page, "中华全国总工会成立多少年了？") == [("中华全国总工会", "organisation")]
    assert names(page, "胡玉玲是哪个单位的？") == [("胡玉玲", "person")]
    assert names(page, "德国和日本怎样培养高技能人才？") == [("德国", "place"), ("日本", "place")]
    # Ordinary words jieba's tagger calls names are not names here.
    assert names(page, "我国技术工人里高水平的占多大比例？") == []
    assert names(page, "学校教的东西跟厂里要的对不上，这是咋回事？") == []
    assert [e.name for e in named_entities(["新疆", "工会"])] == ["新疆"]


def test_a_place_question_prefers_the_article_about_it(page):
    question = "新疆工会怎样培养技能人才？"
    off = page.with_params(page.params.without("named_entity"))
    # Without the rule the general article on unions and colleges wins on words,
    # and the reader is told that it never mentions Xinjiang.
    before = answer_question(off, question)
    assert {c.article_id for c in before.citations} == {"unions-vocational-colleges"}
    assert before.unmentioned == ("新疆",)
    assert answer_to_text(before, off).startswith("（以下段落未提及“新疆”）")
    # Keyword scores alone (the hash encoder's cosines are noise): the article
    # about Xinjiang comes first with the rule.
    assert off.search(question, mode="bm25").hits[0].article_id == "unions-vocational-colleges"
    result = page.search(question, mode="bm25")
    assert result.hits[0].article_id == "xinjiang-union-work"
    assert "named_entity" in result.pipeline


@pytest.mark.slow
def test_a_place_question_is_answered_from_the_article_about_it(real_retriever):
    answer = answer_question(real_retriever, "新疆工会怎样培养技能人才？")
    assert answer.citations[0].article_id == "xinjiang-union-work"
    assert answer.unmentioned == () and answer.to_dict()["unmentioned"] == []
    english = answer_question(real_retriever, "How do unions in Xinjiang train skilled workers?")
    assert english.citations[0].article_id == "xinjiang-union-work"


def test_a_place_the_articles_only_name_in_passing_is_flagged(page):
    # The maternity article names Shanghai once; it is not about Shanghai, so it
    # does not outrank the history article, and the answer says what is missing.
    answer = answer_question(page, "上海市工会如何宣传工运史？")
    assert answer.citations[0].article_id == "labour-movement-history"
    assert answer.unmentioned == ("上海市",)


def test_answers_carry_the_question_language(page):
    assert answer_question(page, "How do unions in Xinjiang train skilled workers?").language \
        == "en"
    assert answer_question(page, "工会如何弘扬劳模精神？").language == "zh"
    assert answer_question(page, "怎么做红烧肉？").language == "zh"
