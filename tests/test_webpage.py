"""Saved Chinese news pages: the article's text, title, author and date,
without navigation, comments, ads, related links or the editor's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import CorpusError, load_corpus
from rag.ingest import webpage

pytest.importorskip("trafilatura")

NAV = ('<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/politics">时政</a></li>'
       '<li><a href="/opinion">观点</a></li><li><a href="/finance">财经</a></li>'
       '<li><a href="/society">社会</a></li></ul></div>')
RELATED = ('<div class="related"><h2>相关新闻</h2><ul>'
           '<li><a href="/a.html">全国总工会召开会议部署工运史宣传工作</a></li>'
           '<li><a href="/b.html">劳模工匠进校园活动在京启动</a></li>'
           '<li><a href="/c.html">多地工会开展职工书屋建设</a></li></ul></div>')
COMMENTS = ('<div class="comments"><h3>网友评论</h3>'
            '<div class="comment"><span>网友123</span><p>写得很好，支持加强宣传！希望多出这样的'
            '文章，让更多人了解这段历史。</p></div>'
            '<div class="comment"><span>热心读者</span><p>工人阶级是国家的领导阶级，历史值得铭记，'
            '点赞，转发给身边的朋友们一起学习。</p></div></div>')
ADS = ('<div class="right"><div class="ad">广告 <a href="http://ad.example.com">限时优惠 点击购买 '
       '理财产品年化收益高</a></div><div class="hot"><h3>热点排行</h3><ol><li><a>高温天气持续 '
       '各地采取措施</a></li><li><a>暑期旅游市场火热</a></li></ol></div></div>')
FOOTER = ('<div class="footer"><p>关于我们 | 报社招聘 | 广告服务 | 合作加盟</p>'
          '<p>版权所有，未经书面授权禁止使用 Copyright &copy; 2025 all rights reserved</p></div>')
BOILERPLATE = ("首页", "相关新闻", "网友", "广告", "热点排行", "版权所有", "责编", "责任编辑")


def _paragraphs(article) -> str:
    heads = {s.start for s in article.sections}
    out, pos = [], 0
    for text in article.body.split("\n\n"):
        out.append(f"<h2>{text}</h2>" if pos in heads else f'<p style="text-indent:2em">{text}</p>')
        pos += len(text) + 2
    return "\n".join(out)


def people_page(article) -> bytes:
    """Shaped like a people.com.cn article, saved in its GB2312 encoding."""
    html = f"""<!DOCTYPE html><html><head>
<meta http-equiv="content-type" content="text/html;charset=GB2312"/>
<title>{article.title}--观点--人民网</title>
<meta name="keywords" content="工运史 宣传"/>
<meta name="author" content="{article.author}"/>
<meta name="source" content="来源：工人日报"/>
<meta name="publishdate" content="2025-06-30"/>
<link rel="canonical" href="http://opinion.people.com.cn/n1/2025/0630/c1003-40000000.html"/>
</head><body>{NAV}
<div class="path"><a href="/">人民网</a>&gt;&gt;<a href="/opinion">观点</a></div>
<div class="layout"><div class="col-1"><div class="rm_txt_con">
<h1>{article.title}</h1><h4 class="sub">{article.deck}</h4>
<div class="sou">{article.author}<br/>2025年06月30日06:58 | 来源：<a href="/">工人日报</a></div>
<div class="rm_txt_con" id="rwb_zw">
{_paragraphs(article)}
<p>{article.byline}</p>
</div><div class="edit">(责编：王伟、李娜)</div></div>
<div class="share">分享让更多人看到 <a>微信</a> <a>微博</a></div>{RELATED}{COMMENTS}</div>
{ADS}</div>{FOOTER}</body></html>"""
    return html.encode("gb18030")


PARAS = [
    "近日，多地工会组织开展“送清凉”活动，走访慰问快递员、外卖送餐员、网约车司机等灵活就业人员，"
    "为他们送去防暑降温用品和节日祝福。",
    "在市总工会的组织下，各级工会干部深入快递网点和外卖站点，详细了解灵活就业人员的工作和生活情况，"
    "倾听他们的意见和建议。",
    "“工会的关心让我们感到很温暖。”一位从业五年的外卖送餐员说，他希望工会今后能多组织一些技能培训。",
    "据了解，今年以来该市已建成户外劳动者服务站点三百余个，为灵活就业人员提供休息、饮水、充电等服务。",
]


def workercn_page() -> str:
    """Shaped like a workercn.cn news article: credit line in the text, bold
    subheadings, 责任编辑 at the end, comments and related links around it."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>多地工会为灵活就业人员送清凉_中工网</title>
<meta property="article:published_time" content="2025-07-02T07:30:00+08:00">
<meta property="og:site_name" content="中工网">
</head><body>{NAV}
<div class="main"><div class="left">
<h1 class="title">多地工会为灵活就业人员送清凉</h1>
<div class="signdate">2025-07-02 07:30 来源：工人日报</div>
<div class="ccontent">
<p>本报记者 张伟 通讯员 李娜</p>
<p>{PARAS[0]}</p>
<p><strong>深入一线听心声</strong></p>
<p>{PARAS[1]}</p>
<p>{PARAS[2]}</p>
<p><strong>服务站点暖人心</strong></p>
<p>{PARAS[3]}</p>
<p>责任编辑：王伟</p>
</div>
{RELATED}{COMMENTS}</div>{ADS}</div>{FOOTER}</body></html>"""


@pytest.fixture(scope="module")
def seed_article():
    from conftest import BUNDLED_CORPUS

    return {a.id: a for a in load_corpus(BUNDLED_CORPUS)}["labour-movement-history"]


def test_a_people_com_cn_page_gives_the_article_exactly(tmp_path, seed_article):
    path = tmp_path / "labour.html"
    path.write_bytes(people_page(seed_article))
    (article,) = webpage.load(path, "labour")
    assert article.body == seed_article.body  # no nav, comments, ads, related links, 责编
    assert article.sections == seed_article.sections  # <h2> headings kept as sections
    assert (article.title, article.author, article.deck) == (
        seed_article.title, "罗荣波", "弘扬光荣传统，加强党领导的中国工人运动史宣传")
    assert (article.date, article.source) == ("2025-06-30", "工人日报")
    assert article.url == "http://opinion.people.com.cn/n1/2025/0630/c1003-40000000.html"
    assert article.byline == "（作者单位：中国工人出版社）"
    assert article.affiliation == "中国工人出版社"


def test_a_workercn_page_with_credit_line_and_bold_subheadings(tmp_path):
    path = tmp_path / "news" / "songqingliang.htm"
    path.parent.mkdir()
    path.write_text(workercn_page(), encoding="utf-8")
    (article,) = load_corpus(tmp_path)
    assert article.id == "news/songqingliang"
    assert article.title == "多地工会为灵活就业人员送清凉"
    assert (article.author, article.byline) == ("张伟、李娜", "本报记者 张伟 通讯员 李娜")
    assert article.date == "2025-07-02"
    assert [s.heading for s in article.sections] == ["深入一线听心声", "服务站点暖人心"]
    assert [p.text for p in article.paragraphs()] == PARAS
    assert not any(word in article.body for word in BOILERPLATE)


def test_a_page_without_main_text_is_a_one_line_problem(tmp_path):
    (tmp_path / "index.html").write_text(
        f"<html><head><title>首页</title></head><body>{NAV}{ADS}{FOOTER}</body></html>",
        encoding="utf-8")
    (tmp_path / "empty.htm").write_bytes(b"")
    (tmp_path / "ok.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    problems = sorted(err.value.problems)
    assert len(problems) == 2 and all("no main text" in p for p in problems)
    assert Path(problems[0]).name.startswith("empty.htm") or "empty.htm" in problems[0]
    assert "index.html" in problems[1]


# -- the look-alike pages of issue #26 (tests/webpages/, expected.json) -------------

LOOKALIKES = Path(__file__).parent / "webpages"
EXPECTED = __import__("json").loads((LOOKALIKES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_look_alike_page_gives_its_writer_paper_and_paragraphs(name):
    want = EXPECTED[name]
    (article,) = webpage.load(LOOKALIKES / name, Path(name).stem)
    assert (article.title, article.author, article.source, article.date) == (
        want["title"], want["author"], want["source"], want["date"]), want["shape"]
    assert [p.text for p in article.paragraphs()] == want["paragraphs"]
    assert [s.heading for s in article.sections] == want["sections"]
    leaked = [w for w in want["leaks"] if w in article.body]
    assert not leaked, f"{name}: {leaked} in the body"


def test_writers_are_told_apart_from_editors_photographers_and_sites():
    from rag.ingest import web_credits as wc

    assert wc.writers("本报记者 张伟 通讯员 李娜") == "张伟、李娜"
    assert wc.writers("文/图 澎湃新闻记者 周頔") == "周頔"
    assert wc.writers("文/张三") == "张三"
    assert wc.writers("本报记者 陈静 文 / 本报记者 刘洋 摄") == "陈静"
    assert wc.writers("记者陈静通讯员高远") == "陈静、高远"
    assert wc.writers("南方周末记者 李倩 南方周末实习生 王一凡") == "李倩、王一凡"
    assert wc.writers("界面新闻记者 | 周姝祺") == "周姝祺"
    assert wc.writers("界面新闻编辑 | 文姝琪") is None
    assert wc.is_editorial("责任编辑 钱昊平") and wc.is_editorial("【编辑:刘欢】")
    assert not wc.is_editorial("编辑部的同事们都很忙。")
    assert wc.writers("责任编辑：王伟") is None
    assert wc.writers("澎湃新闻") is None
    assert wc.reprint("本文来源：21世纪经济报道 作者：何苗 张梦洁") == (
        "21世纪经济报道", "何苗、张梦洁")
    assert wc.split_lede("新华社北京7月3日电（记者唐霁）记者从人社部获悉。") == (
        "新华社", "唐霁", "新华社北京7月3日电 记者从人社部获悉。")
    assert wc.split_lede("本报讯（记者 王芳 通讯员 刘强）昨天，") == ("本报", "王芳、刘强",
                                                              "本报讯 昨天，")
    for not_a_person in ("104363", "网易", "人民网版权所有", "责任编辑：陈晓燕",
                         "chinadaily.com.cn", "BBC News 中文"):
        assert wc.person(not_a_person, site_names=("BBC News 中文",)) == "", not_a_person
    assert wc.person("罗荣波") == "罗荣波" and wc.person("John Sudworth") == "John Sudworth"


def test_site_names_come_off_titles_but_a_headline_dash_stays():
    strip = webpage.strip_site
    assert strip("多地推进新就业形态劳动者权益保障-新华网") == "多地推进新就业形态劳动者权益保障"
    assert strip("上半年消费市场回暖_网易财经") == "上半年消费市场回暖"
    assert strip("职业技能培训惠及更多青年--社会--人民网") == "职业技能培训惠及更多青年"
    assert strip("中超联赛：北京国安2-1胜上海申花") == "中超联赛：北京国安2-1胜上海申花"


def test_br_runs_inside_one_block_are_paragraphs_and_a_caption_is_not_a_section(tmp_path):
    body = "<br><br>".join(f"　　{p}" for p in PARAS)
    page = (f"<html><head><meta charset='utf-8'><title>送清凉_某某网</title></head><body>{NAV}"
            f"<div class='main'><h1>送清凉</h1><div id='text'><p><img src='a.jpg'></p>"
            f"<p style='text-align:center'><strong>外卖员领取防暑用品</strong></p>"
            f"<div>{body}</div></div></div>{ADS}{FOOTER}</body></html>")
    path = tmp_path / "a.html"
    path.write_text(page, encoding="utf-8")
    (article,) = webpage.load(path, "a")
    assert [p.text for p in article.paragraphs()] == PARAS
    assert article.sections == () and "外卖员领取" not in article.body


def test_a_last_paragraph_that_mentions_comments_or_photography_is_kept(tmp_path):
    last = ["网友评论说，这样的活动应该常态化。", "退休以后，他迷上了摄影。"]
    body = "".join(f"<p>{p}</p>" for p in PARAS + last)
    path = tmp_path / "a.html"
    path.write_text(f"<html><head><meta charset='utf-8'><title>送清凉</title></head><body>"
                    f"{NAV}<div class='main'><h1>送清凉</h1><div id='text'>{body}</div></div>"
                    f"{FOOTER}</body></html>", encoding="utf-8")
    (article,) = webpage.load(path, "a")
    assert [p.text for p in article.paragraphs()] == PARAS + last
