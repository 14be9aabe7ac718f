"""Question kinds the scoring handles specially: byline questions, Taiwan variants,
questions for a year, a sum or an office holder, and questions about places."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rag
from rag.search import facts
from rag.search.bylines import Bylines, dateline, printed
from rag.search.places import gazetteer, unknown_places
from rag.text import fold, normalize, tokenize


def can_answer(question: str, passage: str) -> bool:
    return facts.unstated(facts.asked_facts(question), passage) == ""



@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_a_question_naming_only_the_author_gets_that_articles_passages(seed, mode):
    author = next(a for a in seed.articles if a.author)
    for question in (f"{author.author}的文章讲了什么？", f"{author.author}关注什么问题？"):
        res = seed.search(question, k=3, mode=mode)
        assert not res.abstained
        assert {h.article_id for h in res.hits} == {author.id}


def test_affiliation_questions_work_like_author_questions(seed):
    article = next(a for a in seed.articles if a.affiliation and a.author)
    res = seed.search(f"{article.affiliation}的作者写了什么？", k=2)
    assert not res.abstained and res.hits[0].article_id == article.id


def test_a_byline_named_in_short_still_names_its_article(seed):
    """新疆自治区 is no substring of the byline, but jieba makes it of 新疆 + 自治区."""
    article = next(a for a in seed.articles if "新疆维吾尔自治区" in a.affiliation)
    words = [t for t in tokenize("新疆自治区总工会主席的文章谈了什么？") if not t.startswith("~")]
    rows, rest = Bylines.of(seed.articles).named(words)
    assert [seed.articles[r].id for r in rows] == [article.id] and rest == []


def test_words_that_only_point_at_the_article_leave_a_question_about_it(seed):
    article = next(a for a in seed.articles if a.author == "班小辉")
    for question in ["班小辉这篇文章写的是什么内容？", "班小辉那篇评论谈的是什么话题？",
                     "班小辉这篇评论的核心主张是什么？"]:
        words = [t for t in tokenize(question) if not t.startswith("~")]
        rows, _ = Bylines.of(seed.articles).named(words)
        assert [seed.articles[r].id for r in rows] == [article.id], question


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_what_an_article_is_about_comes_from_its_opening(seed, mode):
    for article in seed.articles:
        if article.author:
            res = seed.search(f"{article.author}的文章主要讲什么？", k=2, mode=mode)
            assert all(h.paragraph <= seed.params.opening_paragraphs for h in res.hits)
            assert res.hits[0].article_id == article.id


@pytest.mark.parametrize("question, answer", [
    ("胡玉玲是哪个单位的？", "中国劳动关系学院"),
    ("新疆那篇工会文章的作者在人大担任什么职务？", "人大常委会副主任"),
    ("讲灵活就业人员生育保障的那篇文章题目是什么？", "覆盖灵活就业的多层次生育保障体系"),
    ("讲工运史宣传的文章作者是谁？", "罗荣波"),
])
def test_a_question_for_a_byline_field_gets_the_byline_first(seed, question, answer):
    """The answer is printed in the byline or headline, which no body passage holds."""
    res = seed.search(question, k=3)
    first = res.hits[0]
    assert not res.abstained and len(res.hits) == 3
    assert answer in first.text and first.kind == "byline"
    assert first.citation.endswith("署名") and first.chunk_id.endswith("#byline")
    article = seed.article(first.article_id)
    assert first.text.splitlines() == [x for x in (article.title, article.deck,
                                                   printed(article), dateline(article)) if x]
    assert all(h.kind == "passage" for h in res.hits[1:])



def test_a_question_about_content_gets_no_byline(seed):
    res = seed.search("没单位的灵活就业人员能领生育津贴吗？", k=3)
    assert all(h.kind == "passage" for h in res.hits)


@pytest.mark.parametrize("question", ["新疆维吾尔自治区总工会主席叫什么名字？",
                                      "中国工人出版社的社长是谁？",
                                      "中华全国总工会的第一任主席是谁？"])
def test_an_office_the_page_names_without_its_holder_is_not_answered(seed, question):
    """The byline "（作者为…自治区总工会主席）" names the office, not the person;
    an article named by its publisher's name says nothing of its 社长."""
    assert seed.search(question, k=3).abstained



def test_a_question_with_its_own_topic_is_ranked_over_the_corpus(seed):
    author = next(a for a in seed.articles if a.author)
    question = f"{author.author}对生育津贴领取方式有什么建议"
    words = [t for t in tokenize(question) if not t.startswith("~")]
    assert Bylines.of(seed.articles).named(words) == ([], [])


def test_taiwan_zhe_particle_is_simplified_but_zhu_words_stay():
    assert normalize("隨著就業增加，意味著什麼") == "随着就业增加,意味着什么"
    assert normalize("著名學者的著作") == "著名学者的著作"
    assert normalize("隨着") == "随着" and normalize("显著") == "显著"


def test_a_keyword_that_merely_occurs_in_a_byline_names_no_article(seed):
    assert any("工会" in a.affiliation for a in seed.articles)
    assert Bylines.of(seed.articles).named(["工会"]) == ([], [])




@given(st.text(alphabet=st.sampled_from(
    "职业院校工会ABCxyz019,.!?　，。！？（）ＡＢＣｘｙｚ０１９Ⅻﬁé\u0301 \n")))
def test_the_passage_fold_is_nfkc_and_lower_case(text):
    """The fast fold the word-coverage checks use gives what NFKC + lower would."""
    assert fold(text) == unicodedata.normalize("NFKC", text).lower()



@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_a_sum_no_passage_states_is_not_answered(tmp_path, mode):
    from rag.types import Article

    articles = [
        Article(id="a", title="", body="灵活就业人员可以参加生育保险，按规定享受生育津贴。"),
        Article(id="b", title="", body="上海市规定生育津贴按月发放，标准为每月3000元。"),
    ]
    rag.build_index(articles, tmp_path / "index", encoder=rag.HashEncoder(), progress=False)
    retriever = rag.Retriever.load(tmp_path / "index", encoder=rag.HashEncoder(), progress=False)
    assert retriever.search("上海市生育津贴每月多少钱？", k=1, mode=mode).hits[0].article_id == "b"
    assert not retriever.search("上海市生育津贴每月多少钱？", k=1, mode=mode).abstained
    unanswered = retriever.search("灵活就业人员的生育津贴有多少钱？", k=1, mode=mode)
    assert unanswered.hits[0].article_id == "a" and unanswered.abstained
    assert not retriever.search("灵活就业人员能领生育津贴吗？", k=1, mode=mode).abstained


def test_a_year_is_answered_only_by_a_calendar_year():
    year = normalize("中共一大是在哪一年召开的？")
    assert not can_answer(year, "党的一大通过的决议……100年来，工人运动不断发展")
    assert can_answer(year, "1921年7月，中共一大在上海召开")
    assert can_answer(normalize("工会有哪些作用？"), "没有数字")


def test_a_sum_of_money_or_a_head_count_needs_one_in_the_passage():
    money = normalize("上海市灵活就业人员每月能领多少生育津贴？")
    assert not can_answer(money, "其中1%视为生育保险缴费")  # a number, but no money
    assert can_answer(money, "生育津贴按月发放，标准为每月3000元")
    heads = normalize("表彰了多少人？")
    assert not can_answer(heads, "庆祝全国总工会成立100周年")
    assert can_answer(heads, "技能劳动者总量突破 2 亿人")
    workers = normalize("全国目前一共有多少灵活就业人员？")
    assert not can_answer(workers, "党的二十届三中全会提出，健全灵活就业人员社保制度")
    assert can_answer(workers, "灵活就业人员已达2亿人")
    assert can_answer(normalize("要从哪几个方面发力？"), "一是强化政治引领")
    # Amounts of other kinds are not checked.
    assert can_answer(normalize("缴费费率是多少？"), "按规定缴费")


def test_who_holds_an_office_is_answered_only_where_that_office_is_named():
    asked = normalize("石家庄市总工会的主席是谁？")
    assert not can_answer(asked, "石家庄市总工会与河北交通职业技术学院合作")
    assert can_answer(asked, "石家庄市总工会主席张某出席")
    assert not can_answer(normalize("石家庄市总工会主席叫什么名字？"), "石家庄市总工会与学院合作")
    # The author is in the byline, not a passage: no office is asked for.
    assert can_answer(normalize("这篇文章的作者是谁？"), "没有署名的段落")


def test_place_names_come_with_their_short_and_full_forms():
    places = gazetteer()
    assert places["浙江"] == {"浙江", "浙江省"} and places["浙江省"] == places["浙江"]
    assert {"新疆", "新疆维吾尔自治区"} <= places["新疆"]
    assert places["大理"] == {"大理", "大理白族自治州"}
    assert "内蒙古" in places["内蒙古自治区"]  # 内 alone is no name
    assert "法国" in places and "东南亚" in places
    assert "中国" not in places  # the corpus's own country bounds no question


def test_a_place_the_corpus_never_names_is_known_by_its_words(seed):
    vocab = seed.lexicon.vocab
    asked = tokenize("法国的灵活就业人员怎样参保？", bigrams=False)
    assert unknown_places(asked, vocab) == ["法国"]
    # The page names 新疆维吾尔自治区, 四川省 and 石家庄市, in whatever form asked.
    for known in ["新疆自治区的工会", "四川的灵活就业人员", "石家庄总工会"]:
        assert unknown_places(tokenize(known, bigrams=False), vocab) == []
    # 保山 is a city, but 确保 + 山区 names no place.
    assert unknown_places(tokenize("确保山区职工参保", bigrams=False), vocab) == []


@pytest.mark.slow
def test_a_question_about_a_place_the_corpus_never_names_is_not_answered(real_retriever):
    """The learned abstention reads it as a feature (the model fits m3e-small)."""
    for question in ["法国的灵活就业人员怎样享受生育保险待遇？",
                     "浙江省的灵活就业人员怎样参加生育保险？"]:
        res = real_retriever.search(question, k=3)
        assert res.abstained and res.abstain_reason == "learned_abstention", question
    # Places the page does name are answered as before.
    for question in ["四川省灵活就业人员怎样参加生育保险？",
                     "新疆各级工会要怎样学习贯彻讲话精神？"]:
        assert not real_retriever.search(question, k=3).abstained, question


def test_warm_up_loads_what_the_first_questions_would_wait_for(seed):
    from rag.search import crosslingual, places
    from rag.text import tokens

    for cached in (crosslingual._cedict, tokens.jieba_module, places.gazetteer):
        cached.cache_clear()
    seed.warm_up()
    for cached in (crosslingual._cedict, tokens.jieba_module, places.gazetteer):
        assert cached.cache_info().currsize == 1, cached
    assert seed.search("收入低的人没有生育保险怎么办？", k=1).hits
