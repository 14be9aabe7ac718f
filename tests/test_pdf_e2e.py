"""End to end: a newspaper page dropped into a corpus folder as PDF is
indexed with the real model, and a question about each of its articles is
answered with a quote from that article."""

from __future__ import annotations

import pytest

# (question, the article's title, its author, words the quote must hold)
QUESTIONS = [
    ("习近平总书记在哪个大会上发表了重要讲话？",
     "学习贯彻习近平总书记重要讲话精神 书写工运事业壮丽时代篇章", "", "表彰大会"),
    ("新民主主义革命时期党领导的工人运动经历了怎样的发展历程？",
     "从百年工运史中汲取奋进力量", "罗荣波", "从无到有、从小到大"),
    ("职业院校应该健全什么导师制度？", "协同培育高素质技能型人才", "胡玉玲", "双导师"),
    ("生育津贴领取应该采取什么缴费计算方式？",
     "加快构建覆盖灵活就业的多层次生育保障体系", "班小辉", "累计"),
]


@pytest.mark.slow
def test_each_article_of_a_pdf_page_answers_a_question_about_it(page_maker, tmp_path):
    from rag import Retriever
    from rag.answer import answer_question

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page_maker.seed_page(corpus / "theory-page.pdf")
    retriever = Retriever.load(tmp_path / "index", corpus=corpus, progress=False)
    assert len(retriever.articles) == 4
    for question, title, author, words in QUESTIONS:
        answer = answer_question(retriever, question)
        assert not answer.abstained, question
        top = answer.citations[0]
        assert (top.title, top.author) == (title, author), question
        article = retriever.article(top.article_id)
        assert article.id.startswith("theory-page#")
        assert article.body[top.start:top.end] == top.quote  # an exact slice
        assert words in top.quote, (question, top.quote)
