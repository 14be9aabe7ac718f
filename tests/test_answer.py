"""rag.answer: quoted sentences, citations, abstention, escaping and follow-ups,
on a small HashEncoder index of real text (CMRC 2018 passages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rag
from rag.answer import (
    ABSTAIN_MESSAGE,
    Answer,
    answer_question,
    answer_to_text,
    citation_line,
)

CMRC = Path(__file__).resolve().parents[2] / "shared" / "eval" / "cmrc2018_trial.json"
EVIL = "<img src=x onerror=alert(1)>"


def small_articles(n: int = 6) -> list[rag.Article]:
    """`n` CMRC passages as articles (a few split into two paragraphs), plus a
    newspaper-style article with a byline and one carrying an HTML payload."""
    if not CMRC.exists():
        pytest.skip(f"{CMRC} is missing (the repo expects ../shared beside it)")
    data = json.loads(CMRC.read_text(encoding="utf-8"))["data"][:n]
    articles = [
        rag.Article(id=f"cmrc{i}", title=d["title"], body=d["paragraphs"][0]["context"],
                    author="维基百科", source="CMRC 2018")
        for i, d in enumerate(data)
    ]
    byline = "■ 张三（武汉大学法学院）"
    articles.append(rag.Article(
        id="news", title="完善灵活就业人员生育保障", author="张三", affiliation="武汉大学法学院",
        byline=byline, date="2025-04-29", source="工人日报",
        body=f"{byline}\n\n灵活就业人员可以参加职工医疗保险并领取生育津贴。"
             "广东省允许灵活就业人员同时享受生育医疗费用和生育津贴。\n\n"
             "社会保险法的修订应当明确生育保险制度适用于灵活就业人员。",
    ))
    articles.append(rag.Article(
        id="evil", title=f"{EVIL}恶意标题", author="<b>坏人</b>",
        body=f"火星探测器{EVIL}已经在乌托邦平原着陆。这是第二句话，与着陆无关。",
    ))
    return articles


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    index = tmp_path_factory.mktemp("answer") / "index"
    rag.build_index(small_articles(), index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), progress=False)


def assert_exact_quotes(retriever, answer: Answer) -> None:
    for c in answer.citations:
        body = retriever.article(c.article_id).body
        assert body[c.start : c.end] == c.quote
        assert c.quote in c.text and c.text in body


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("生命数耗完即算为什么？", "生命数耗完即算为踢爆"),
        ("尤金袋鼠为什么会被认为是害虫？", "而被认为是害虫"),
        ("乍都节公园是由谁捐献土地建造出来的？", "泰国国家铁路局捐献土地"),
    ],
)
def test_quotes_the_sentence_that_answers(retriever, question, expected):
    answer = answer_question(retriever, question)
    assert not answer.abstained
    first = answer.citations[0]
    assert expected in first.quote
    # A sentence, not the whole passage.
    assert len(first.quote) < len(first.text)
    assert f"「{first.quote}」[1]" in answer.answer
    assert_exact_quotes(retriever, answer)


def test_citations_numbered_by_first_appearance(retriever):
    answer = answer_question(retriever, "灵活就业人员能领生育津贴吗？", k=5)
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    positions = [answer.answer.index(f"[{c.n}]") for c in answer.citations]
    assert positions == sorted(positions)
    assert 1 <= len(answer.citations) <= 3
    assert_exact_quotes(retriever, answer)
    quotes = [c.quote for c in answer.citations]
    assert len(set(quotes)) == len(quotes)


def test_to_dict_contract(retriever):
    data = answer_question(retriever, "生命数耗完即算为什么？").to_dict()
    json.dumps(data, ensure_ascii=False)
    assert set(data) >= {"answer", "abstained", "citations"}
    assert set(data["citations"][0]) == {
        "n", "quote", "text", "article_id", "title", "author", "section", "paragraph",
        "start", "end", "kind",
    }


def test_abstains_plainly_with_low_relevance_passages(retriever):
    answer = answer_question(retriever, "怎么做红烧肉？")
    assert answer.abstained
    assert answer.answer.startswith(ABSTAIN_MESSAGE)
    assert answer.citations == ()
    assert "[1]" not in answer.answer
    text = answer_to_text(answer)
    assert text.startswith(ABSTAIN_MESSAGE)
    if answer.closest:
        assert "相关度低" in text


def test_abstention_from_a_constructed_result(retriever, monkeypatch):
    hit = rag.Hit("某段落。", 0.1, "cmrc0", "泡泡战士", "维基百科", "", 1, 0, 4)
    monkeypatch.setattr(retriever, "search",
                        lambda q, k=5, mode="hybrid": rag.SearchResult(q, (hit,), True))
    answer = answer_question(retriever, "What is the capital of France?")
    assert answer.abstained and answer.closest == (hit,)
    assert "do not cover" in answer.answer
    assert answer.to_dict()["citations"] == []


def test_article_and_query_html_is_escaped(retriever):
    answer = answer_question(retriever, "火星探测器在哪里着陆？")
    assert not answer.abstained and answer.citations[0].article_id == "evil"
    assert "<img" not in answer.answer and "&lt;img" in answer.answer
    assert EVIL in answer.citations[0].quote  # data stays verbatim; only rendering escapes
    script = answer_question(retriever, "<script>alert(1)</script> 火星探测器")
    assert "<script" not in script.answer and "<img" not in script.answer


def test_empty_question_is_refused(retriever):
    with pytest.raises(ValueError):
        answer_question(retriever, "   ")


def test_follow_ups_and_questions_about_the_article_are_told_apart(retriever):
    first = "灵活就业人员能领生育津贴吗？"
    for follow in ("那广东省呢？", "它为什么被认为是害虫？", "为什么？", "What about Guangdong?"):
        assert first in retriever.analyze(follow, history=[first]).context, follow
    standalone = "职业院校应该健全什么导师制度？"
    assert retriever.analyze(standalone, history=[first]).context == standalone
    for meta in ("作者是谁？", "这篇文章是谁写的？", "Who wrote it?"):
        assert retriever.analyze(meta).about_article, meta
    for topic in ("资金来源是什么？", "中国劳动关系学院作者的文章讲了什么？"):
        assert not retriever.analyze(topic).about_article, topic


def test_elliptical_follow_ups_are_read_with_the_last_standalone_question(retriever):
    first = "灵活就业人员能领生育津贴吗？"
    assert retriever.analyze(first).context == first
    q = retriever.analyze("那广东省呢？", history=[first]).context
    assert "广东省" in q and first in q
    # A chain of follow-ups swaps the new topic in instead of piling them up.
    q = retriever.analyze("那浙江省呢？", history=[first, "那广东省呢？"]).context
    assert "浙江省" in q and "广东省" not in q and first in q
    # Gradio message dicts (content as a list of parts) and (user, bot) pairs work too.
    messages = [{"role": "user", "content": [{"type": "text", "text": first}]},
                {"role": "assistant", "content": "…"}]
    assert first in retriever.analyze("那广东省呢？", history=messages).context
    assert first in retriever.analyze("那广东省呢？", history=[(first, "…")]).context
    # Switched off, a follow-up is searched on its own.
    plain = retriever.with_params(retriever.params.without("follow_up_context"))
    assert plain.analyze("那广东省呢？", history=[first]).context == "那广东省呢？"


def test_history_must_be_a_list_of_questions(retriever):
    with pytest.raises(ValueError, match="history"):
        retriever.analyze("那广东省呢？", history="灵活就业人员能领生育津贴吗？")
    with pytest.raises(ValueError, match="history"):
        retriever.analyze("那广东省呢？", history=[42])


def test_follow_up_answer_uses_the_conversation(retriever):
    history = ["尤金袋鼠分布在哪些地区？"]
    answer = answer_question(retriever, "那它为什么被认为是害虫呢？", history=history)
    assert "尤金袋鼠" in answer.query
    assert not answer.abstained
    assert any("害虫" in c.quote for c in answer.citations)
    assert_exact_quotes(retriever, answer)
    follow = answer_question(retriever, "那广东省呢？", history=["灵活就业人员能领生育津贴吗？"])
    assert not follow.abstained and "广东省" in follow.citations[0].quote


def test_meta_question_quotes_the_byline(retriever):
    answer = answer_question(retriever, "作者是谁？", history=["灵活就业人员能领生育津贴吗？"])
    assert not answer.abstained
    (c,) = answer.citations
    assert c.article_id == "news" and c.author == "张三"
    assert c.quote == "■ 张三（武汉大学法学院）"
    assert retriever.article("news").body[c.start : c.end] == c.quote
    assert "武汉大学法学院" in c.text and "[1]" in answer.answer
    # Without a byline the metadata itself is quoted.
    wiki = answer_question(retriever, "谁写的？", history=["生命数耗完即算为什么？"])
    assert wiki.citations[0].quote == "作者：维基百科" and wiki.citations[0].start == -1


@pytest.mark.parametrize("question", ["张三的单位是哪里？",
                                      "讲生育津贴的那篇文章题目是什么？",
                                      "谈社会保险法修订的文章作者是谁？"])
def test_a_question_for_a_byline_field_quotes_the_byline(retriever, question):
    answer = answer_question(retriever, question)
    (c,) = answer.citations
    assert c.article_id == "news" and c.quote == "■ 张三（武汉大学法学院）"
    assert "《完善灵活就业人员生育保障》" in answer.answer


def test_a_topic_that_merely_says_unit_is_answered_from_the_text(retriever):
    answer = answer_question(retriever, "没单位的灵活就业人员能领生育津贴吗？")
    assert not answer.abstained and answer.citations[0].start >= 0
    assert "生育津贴" in answer.citations[0].quote


def test_citation_line_and_terminal_text(retriever):
    answer = answer_question(retriever, "广东省允许灵活就业人员享受什么？")
    c = answer.citations[0]
    line = citation_line(c, retriever.article(c.article_id))
    assert line.startswith("[1] 张三：《完善灵活就业人员生育保障》") and "工人日报" in line
    text = answer_to_text(answer, retriever)
    assert f"「{c.quote}」[1]" in text and line in text


def test_an_answer_encodes_its_question_once(retriever, monkeypatch):
    """The search and the sentence choice share the question's vector: an
    answer costs one encoding of the question, not two (a third of its CPU)."""
    asked = []
    encode = retriever.encoder.encode_queries
    monkeypatch.setattr(retriever.encoder, "encode_queries",
                        lambda texts: asked.append(list(texts)) or encode(texts))
    answer = answer_question(retriever, "灵活就业人员能领生育津贴吗？")
    assert answer.citations and len(asked) == 1
    answer_question(retriever, "灵活就业人员能领生育津贴吗？")
    assert len(asked) == 2  # a new question, asked again, is encoded again: no cache across
