"""The answer type a question expects, the typed mentions an index stores, and
the reason a reader is given when the fact asked for is missing."""

from __future__ import annotations

import json

import pytest

import rag
from rag import build_index
from rag.index import load_index
from rag.index.manifest import IndexLoadError
from rag.index.mentions import BIT, MENTIONS_FILE, mask_of
from rag.search.answer_types import Expected, MissingFact, expected_type
from rag.search.evidence import FEATURES, evidence
from rag.text import normalize


@pytest.mark.parametrize(("question", "kind"), [
    ("灵活就业人员的缴费比例是多少？", "rate"),
    ("参保率有多高？", "rate"),
    ("生育津贴每月能领多少钱？", "money"),
    ("生育津贴能领多少天？", "duration"),  # the unit decides, not the money word before it
    ("试用期最长多久？", "duration"),
    ("这项制度是哪一年开始实施的？", "time"),
    ("什麼時候成立的？", "time"),  # traditional characters
    ("全国有多少灵活就业人员？", "count_people"),
    ("大会表彰了多少名劳模？", "count_people"),
    ("有几个省份试点？", "count"),
    ("工会主席是谁？", "person"),
    ("作者是哪个单位的？", "organisation"),
    ("和哪家地铁公司合作？", "organisation"),
    ("大会在哪里召开？", "place"),
    ("缴费基数是多少？", "number"),
    ("为什么要加强工运史宣传？", "other"),
    ("How many workers joined?", "count_people"),
    ("When was the union founded?", "time"),
    ("What percentage of workers are insured?", "rate"),
    ("Who chairs the union?", "person"),
    ("Where was the meeting held?", "place"),
])
def test_expected_type_is_read_from_question_words(question, kind):
    assert expected_type(normalize(question)).kind == kind


def test_the_question_s_own_word_names_what_is_missing():
    rate = expected_type(normalize("灵活就业人员的缴费费率是多少？"))
    assert rate == Expected("rate", "费率")
    assert rate.name("zh") == "费率" and rate.name("en") == "rate"
    assert expected_type(normalize("生育津贴能领多少钱？")).name("zh") == "金额"


@pytest.mark.parametrize(("text", "kinds"), [
    ("个人缴费比例为1%", {"rate"}),
    ("每月发放生育津贴2000元", {"money"}),
    ("专项行动为期3个月", {"duration"}),
    ("2025年6月30日召开大会", {"time"}),
    ("共表彰了120名职工", {"count_people", "count"}),
    ("石家庄市总工会与学院合作", {"organisation"}),
    ("新疆各级工会", {"place"}),
])
def test_typed_mentions_of_a_text(text, kinds):
    mask = mask_of(text)
    assert {k for k, bit in BIT.items() if mask & bit} >= kinds


def test_typed_mentions_leave_out_what_is_not_a_fact_of_that_kind():
    mask = mask_of("弘扬劳模精神，目前参保意愿不高")  # jieba tags 弘扬 nr and 目前 t
    assert not mask & (BIT["person"] | BIT["time"] | BIT["rate"] | BIT["money"])


def test_the_index_stores_typed_mentions_of_each_passage_and_sentence(hash_index):
    stored = load_index(hash_index)
    assert (hash_index / MENTIONS_FILE).exists()
    assert stored.manifest["recipe"]["mentions"]
    retriever = rag.Retriever.load(hash_index, encoder=rag.HashEncoder(256))
    passages = retriever.passages
    for i in range(len(stored.chunks)):
        sentences = passages.mentions.sentences(i)
        assert len(sentences) == len(passages.sentences(i))
        combined = 0
        for m in sentences:
            combined |= m
        assert combined == passages.mentions.passage(i)
    assert any(passages.mentions.passage(i) for i in range(len(stored.chunks)))


def test_an_index_of_format_2_is_refused_then_rebuilt_without_embedding_again(
        hash_index, small_corpus, hash_encoder):
    path = hash_index / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    (hash_index / MENTIONS_FILE).unlink()
    path.write_text(json.dumps({**manifest, "format_version": 2}), encoding="utf-8")
    with pytest.raises(IndexLoadError, match="format version 2"):
        load_index(hash_index)
    report = build_index(small_corpus, hash_index, encoder=hash_encoder, progress=False)
    assert report.embedded == 0 and report.reused == report.chunks
    assert (hash_index / MENTIONS_FILE).exists()


def test_type_features_say_whether_the_best_passage_holds_the_kind_asked(seed):
    def features(question):
        return dict(zip(FEATURES, evidence(seed.trace(question)), strict=True))

    held = features("高技能人才占技能劳动者的比例是多少？")  # the page gives 30%
    assert held["type_asked"] == 1 and held["type_unheld"] == 0
    unheld = features("灵活就业人员的生育保险参保率有多少？")  # "偏低", no figure
    assert unheld["type_asked"] == 1 and unheld["type_unheld"] == 1
    assert features("为什么要加强工运史宣传？")["type_asked"] == 0


def test_a_missing_fact_is_the_reason_the_reader_is_given(seed):
    question = "石家庄市总工会的主席是谁？"
    result = seed.search(question, k=3)
    assert result.abstained and result.abstain_reason == "office_holder"
    assert result.missing == MissingFact(Expected("person", "主席的姓名"),
                                         ("石家庄市总工会",), "zh")
    said = "文章提到了石家庄市总工会，但没有给出主席的姓名。"
    assert result.to_dict()["missing"]["message"] == said
    answer = rag.answer_question(seed, question)
    assert answer.abstained and answer.answer.startswith("文章提到了石家庄市总工会")
    assert rag.ABSTAIN_MESSAGE not in answer.answer
    assert answer.to_dict()["missing"]["kind"] == "person"
    assert rag.answer_to_text(answer).startswith("文章提到了石家庄市总工会")
    from chatapp.render import answer_html

    page = answer_html(seed, answer, 1)
    assert page.startswith(f'<p class="abstain">{said}</p>')


def test_an_off_topic_question_gets_no_missing_fact(seed):
    result = seed.search("怎么做红烧肉？", k=3)
    assert result.abstained and result.missing is None and "missing" not in result.to_dict()
    assert rag.answer_question(seed, "怎么做红烧肉？").answer.startswith(rag.ABSTAIN_MESSAGE)


def test_the_missing_fact_is_told_in_english_to_an_english_question():
    missing = MissingFact(Expected("rate", "费率"), ("灵活就业人员", "缴费"), "en")
    assert missing.message() == "The articles mention 灵活就业人员, 缴费 but give no rate."
    assert missing.message("zh") == "文章提到了灵活就业人员、缴费，但没有给出费率。"
    assert missing.to_dict()["message"] == missing.message()


@pytest.mark.slow
def test_the_real_model_tells_the_reader_which_fact_the_page_lacks(real_retriever):
    answer = rag.answer_question(real_retriever, "石家庄市总工会主席是谁？")
    assert answer.abstained and answer.answer == "文章提到了石家庄市总工会，但没有给出主席的姓名。"
    # The page discusses maternity allowances for flexible workers but gives no duration.
    answer = rag.answer_question(real_retriever, "灵活就业的人生育津贴能领多少天？")
    assert answer.abstained and answer.answer.endswith("但没有给出时长。")
    assert "生育津贴" in answer.answer
