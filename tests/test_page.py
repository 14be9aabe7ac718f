"""The seed newspaper page is rebuilt into four clean, citable articles."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from rag.ingest.layout import affiliation_from_byline, join_lines, split_byline
from rag.ingest.newspaper import PageError, load_page, repair_page

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RAW = CORPUS / "000_cd9ce7ff24aacdf3.txt"
MANIFEST = CORPUS / "000_cd9ce7ff24aacdf3.page.yaml"


@pytest.fixture(scope="module")
def page():
    return load_page(RAW, MANIFEST)


@pytest.fixture(scope="module")
def articles(page):
    return {a.id: a for a in page.articles}


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def _chars(text: str) -> Counter:
    return Counter(ch for ch in text if not ch.isspace())


def test_nothing_on_the_page_is_lost_or_duplicated(page):
    supplied = {a["id"]: set(a.get("supplied", ())) for a in _manifest()["articles"]}
    placed = Counter()
    for article in page.articles:
        for field in ("body", "title", "deck", "author", "byline"):
            if field not in supplied[article.id]:
                placed += _chars(getattr(article, field))
    for item in page.set_aside:
        placed += _chars(item.text)
    raw = _chars(RAW.read_text(encoding="utf-8"))
    assert placed == raw, (placed - raw, raw - placed)


def test_four_articles_with_their_metadata(articles):
    expected = {
        "xinjiang-union-work": (
            "学习贯彻习近平总书记重要讲话精神 书写工运事业壮丽时代篇章", "",
            "新疆维吾尔自治区人大常委会副主任、自治区总工会主席",
            "（作者为新疆维吾尔自治区人大常委会副主任、自治区总工会主席）"),
        "labour-movement-history": (
            "从百年工运史中汲取奋进力量", "罗荣波", "中国工人出版社",
            "（作者单位：中国工人出版社）"),
        "unions-vocational-colleges": (
            "协同培育高素质技能型人才", "胡玉玲", "中国劳动关系学院",
            "（作者单位：中国劳动关系学院）"),
        "flexible-workers-maternity": (
            "加快构建覆盖灵活就业的多层次生育保障体系", "班小辉", "武汉大学法学院",
            "（作者单位：武汉大学法学院）"),
    }
    assert set(articles) == set(expected)
    for art_id, (title, author, affiliation, byline) in expected.items():
        a = articles[art_id]
        assert (a.title, a.author, a.affiliation, a.byline) == (title, author, affiliation, byline)
        assert a.date == "2025-06-30"
        assert a.source == "工人日报 · 理论版"
    deck = articles["labour-movement-history"].deck
    assert deck == "弘扬光荣传统，加强党领导的中国工人运动史宣传"


def test_paragraph_and_heading_counts(articles):
    counts = {i: (len(a.paragraphs()), len(a.sections)) for i, a in articles.items()}
    assert counts == {
        "xinjiang-union-work": (11, 4),
        "labour-movement-history": (12, 3),
        "unions-vocational-colleges": (13, 3),
        "flexible-workers-maternity": (6, 0),
    }


def test_section_headings_are_joined_and_placed(articles):
    headings = {s.heading for a in articles.values() for s in a.sections}
    assert {
        "强化政治引领，凝聚团结奋斗的思想根基",
        "服务高质量发展，锻造建功立业的主力军队伍",
        "主动担当作为，用心用情做好维权服务",
        "党领导中国工人运动的历史脉络",
        "加强党领导的中国工人运动史宣传的重要意义",
        "加强党领导的中国工人运动史宣传的途径",
        "制造业升级的现实挑战",
        "协同机制的创新价值",
        "培养高素质技能型人才的系统路径",
    } <= headings
    for a in articles.values():
        for s in a.sections:
            assert a.body[s.start : s.start + len(s.heading)] == s.heading
            assert a.body[s.start - 2 : s.start] in ("", "\n\n")


def test_inline_list_openers_are_paragraphs_not_headings(articles):
    a = articles["unions-vocational-colleges"]
    assert not any(s.heading.startswith("一是") for s in a.sections)
    starts = [p.text[:2] for p in a.paragraphs()]
    assert starts.count("一是") == starts.count("二是") == starts.count("三是") == 1
    first = next(p for p in a.paragraphs() if p.text.startswith("一是"))
    assert first.text.startswith("一是创新育人理念，实现“三个精神”的具象化传承。通过")
    assert first.section == "协同机制的创新价值"


def test_every_paragraph_ends_a_sentence_and_body_is_clean(articles):
    for a in articles.values():
        for p in a.paragraphs():
            assert re.search(r"[。！？][”’）]?$", p.text), (a.id, p.number, p.text[-20:])
        blocks = a.body.split("\n\n")
        assert all(b and b == b.strip() and "\n" not in b for b in blocks)
        assert "作者" not in a.body[-30:]


def test_exact_paragraphs_by_number(articles):
    p = articles["xinjiang-union-work"].paragraphs()
    assert p[1].text == (
        "习近平总书记的重要讲话立意高远、思想深邃、内涵丰富，为新时代新征程工会工作指明了前进方向、"
        "提供了根本遵循。新疆各级工会要深入学习贯彻习近平总书记重要讲话的精神实质、核心要义和实践"
        "要求，发挥桥梁纽带作用，将学习成果转化为更加坚定的理想信念、更加自觉的实际行动、更加实在的"
        "工作成效，为推进中国式现代化新疆实践贡献工会力量。"
    )
    assert p[2].section == "强化政治引领，凝聚团结奋斗的思想根基"
    assert p[10].text.startswith("新时代赋予新使命，新征程呼唤新作为。站在新的历史起点上")
    assert p[10].text.endswith("在中国式现代化新疆实践的征程中阔步前行。")
    u = articles["unions-vocational-colleges"].paragraphs()
    assert u[1].text.startswith("党的二十大报告将高技能人才纳入国家战略人才体系")
    assert "技能劳动者总量突破 2 亿人，其中高技能人才占比约为 30%，" in u[1].text
    assert u[2].text.startswith("深入分析发现")
    assert u[11].text.startswith("在文化培育方面")
    f = articles["flexible-workers-maternity"].paragraphs()
    assert f[0].text == (
        "目前，我国从事灵活就业的人员数量呈持续增长趋势。然而，社会保险法所确立的生育保险制度以"
        "标准劳动关系为设计基础，由于灵活就业人员劳动关系不明确，导致其被排除在传统职工生育保险覆盖"
        "范围之外。党的二十届三中全会提出，健全灵活就业人员社保制度，扩大生育保险覆盖面。"
    )
    assert f[-1].text.endswith("实现法定化、普遍化和可持续化。")


def test_break_across_blank_line_is_joined(articles):
    p = articles["flexible-workers-maternity"].paragraphs()[3]
    assert "生育期间的收入无法保障。第四，存在“逆向选择”行为风险。由于参保制度" in p.text
    assert p.text.endswith("削弱了生育保险的互助性与基金运行的可持续性。")


def test_pull_quotes_and_labels_are_set_aside(page):
    kinds = [(s.kind, s.line) for s in page.set_aside]
    assert kinds == [("pull_quote", 2), ("pull_quote", 692), ("column_label", 706),
                     ("column_label", 708)]
    quote = page.set_aside[0].text
    assert "加强工运史宣传，对传承红色基因、弘扬光荣传统、凝聚奋进力量具有重要意义。" in quote
    for a in page.articles:
        assert "●" not in a.body and "G 热点思考" not in a.body and "G 前沿观察" not in a.body
        assert "要不断拓展加强工运史宣传的路径" not in a.body
    # The repeated lead of article 3 is in its body once, not twice.
    lead = "为新时代加快培养高素质技能人才、推动制造业高质量发展注入动力源泉。"
    assert sum(a.body.count(lead) for a in page.articles) == 1


def test_missing_anchor_is_a_clear_error():
    manifest = _manifest()
    manifest["articles"][0]["body"]["starts"] = "这一行不在版面上"
    with pytest.raises(PageError, match="xinjiang-union-work body starts.*这一行不在版面上"):
        repair_page(RAW.read_text(encoding="utf-8"), manifest)


def test_ambiguous_anchor_names_the_lines():
    manifest = _manifest()
    manifest["articles"][1]["body"]["ends"] = "加强党领导的中国工人运动史"
    with pytest.raises(PageError, match="354, 399"):
        repair_page(RAW.read_text(encoding="utf-8"), manifest)


def test_overlapping_blocks_are_rejected():
    manifest = _manifest()
    manifest["set_aside"].append({"kind": "pull_quote", "starts": "罗荣波"})
    with pytest.raises(PageError, match="overlaps"):
        repair_page(RAW.read_text(encoding="utf-8"), manifest)


def test_unclaimed_lines_are_reported_not_dropped():
    manifest = _manifest()
    del manifest["set_aside"][2]
    with pytest.raises(PageError, match="706: G 热点思考"):
        repair_page(RAW.read_text(encoding="utf-8"), manifest)


def test_title_not_on_page_must_be_marked_supplied():
    manifest = _manifest()
    del manifest["articles"][2]["supplied"]
    with pytest.raises(PageError, match="协同培育高素质技能型人才.*supplied"):
        repair_page(RAW.read_text(encoding="utf-8"), manifest)


def test_a_new_page_needs_only_a_manifest():
    raw = "\n".join([
        "示例标题", "", "张三", "",
        "  第一段的第一行缩进两个字符", "", "●插在正文中间的引语", "",
        "第一段继续写到这里结束了。", "",
        "小标题", "",
        "  第二段很短。", "", "（作者单位：某大学）", "",
    ])
    manifest = {"date": "2025-07-01", "source": "某报", "set_aside": [
        {"kind": "pull_quote", "starts": "●插在正文"}], "articles": [{
        "id": "demo", "title": "示例标题", "author": "张三",
        "body": {"starts": "第一段的第一行", "ends": "（作者单位：某大学）"}}]}
    (article,) = repair_page(raw, manifest).articles
    assert [p.text for p in article.paragraphs()] == [
        "第一段的第一行缩进两个字符第一段继续写到这里结束了。", "第二段很短。"]
    assert article.sections[0].heading == "小标题"
    assert (article.affiliation, article.date, article.source) == ("某大学", "2025-07-01", "某报")
    # A pull quote printed inside the body's lines is cut out of it.
    assert "引语" not in article.body


def test_text_helpers():
    assert join_lines(["技能劳动者总量突", "破 2 亿人，"]) == "技能劳动者总量突破 2 亿人，"
    assert join_lines(["the quick brown", "fox jumps"]) == "the quick brown fox jumps"
    assert join_lines(["第四，存在", "", "“逆向选择”风险。"]) == "第四，存在“逆向选择”风险。"
    note = "（作者单位：武汉大学法学院）"
    assert split_byline("持续化。 " + note) == ("持续化。", note)
    assert affiliation_from_byline("（作者为某省总工会主席）") == "某省总工会主席"
    assert affiliation_from_byline("无署名") == ""
