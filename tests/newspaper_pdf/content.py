"""What goes on a generated newspaper page: stories made from real Chinese
text (CMRC 2018 passages, the seed page's articles), with the page elements
a Chinese paper prints around them."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rag.types import Article

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡杜叶"
            "程苏魏吕丁沈姚卢姜崔钟谭陆范金石廖贾夏方白邹孟熊秦江薛段雷侯龙陶贺顾毛郝龚邵万钱严武戴孔汤")
GIVEN = ("伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉兰萍红建文辉力"
         "志宏海波鹏飞宇晨晓雪梅琳颖婷思嘉欣浩然子涵雨轩")
AFFILIATIONS = ("中国劳动关系学院", "武汉大学法学院", "中国人民大学劳动人事学院", "中国工人出版社",
                "北京师范大学经济与工商管理学院", "中央党校（国家行政学院）马克思主义学院",
                "华东政法大学", "清华大学公共管理学院")
OFFICES = ("省总工会副主席", "市人社局副局长", "中国社会科学院研究员")
LABELS = ("●观 点", "■ 热点思考", "◆ 前沿观察", "●理论周刊", "■ 学术随笔", "◆ 调研手记")
NEWSPAPERS = ("工人日报", "人民日报", "光明日报", "经济日报")
CLOSERS = "，。、；：？！”’）》」』"

_SENTENCE = re.compile(r".+?(?:[。！？]+[”’」』）]*|$)", re.S)
_CLAUSE_SPLIT = re.compile(r"[，。；：！？、“”‘’（）()《》「」\s,;:!?\"'.·—…-]+")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Story:
    """One article as printed: its parts and where the page puts them."""

    title: str
    blocks: tuple[tuple[bool, str], ...]  # body in order: (is_heading, text)
    deck: str = ""
    deck_above: bool = False  # a kicker (引题) above the headline, else a subtitle below
    credit: str = ""  # the line under the headline: 本报记者 张三 / a bare name
    author: str = ""  # the names the credit gives
    note: str = ""  # the closing note （作者单位：…）, printed after the last paragraph
    note_inline: bool = True  # on the last paragraph's line, else on a line of its own
    label: str = ""  # column label above the headline
    quote: str = ""  # pull quote, repeating a sentence of the body
    quote_box: bool = True  # boxed, else set between two rules
    quote_label: str = ""  # a label printed inside the pull-quote box
    extra: dict = field(default_factory=dict)  # e.g. the CMRC passage ids used

    def expected(self, blocks, date: str = "", article_id: str = "") -> Article:
        """The article a reader of the printed page sees (body = `blocks`)."""
        from rag.ingest.layout import affiliation_from_byline, assemble_body

        body, sections = assemble_body(list(blocks))
        return Article(id=article_id, title=self.title, body=body, author=self.author,
                       affiliation=affiliation_from_byline(self.note), date=date,
                       deck=self.deck, byline=self.note or self.credit, sections=sections)


def _printable(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WFHNa" and ord(ch) < 0x10000 and (
        ord(ch) < 0x80 or unicodedata.east_asian_width(ch) != "N") or ch in "·—…“”‘’"


def clean(text: str) -> str:
    """Source text as a typesetter prints it: no stray spaces except between
    Latin words (a space next to a Chinese character is not printed)."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<![A-Za-z0-9]) | (?![A-Za-z0-9])", "", text)


def sentences(text: str) -> list[str]:
    return [s for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]


def clauses(text: str, lo: int, hi: int) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if lo <= len(c) <= hi and _CJK.match(c)]


class TextPool:
    """CMRC 2018 trial passages (real Simplified Chinese prose) to draw stories from."""

    def __init__(self, passages: list[tuple[str, str]]):
        self.passages = passages  # (id, cleaned text)

    @classmethod
    def load(cls, cmrc_json: Path) -> TextPool:
        data = json.loads(Path(cmrc_json).read_text(encoding="utf-8"))
        passages = [(p["id"], clean(p["context"])) for doc in data["data"]
                    for p in doc["paragraphs"]]
        # Sentence-final punctuation, so paragraphs end where a reader sees them
        # end; only characters a Chinese font has (no ś, no ṣ).
        return cls([(pid, t) for pid, t in passages if len(t) >= 150 and t[-1] in "。！？”"
                    and all(_printable(c) for c in t)])

    def chars(self) -> str:
        fixed = SURNAMES + GIVEN + "".join(AFFILIATIONS + OFFICES + LABELS + NEWSPAPERS)
        return "".join(sorted(set("".join(t for _, t in self.passages) + fixed
                                  + "本报记者通讯员作者单位为（）：■●◆年月日星期一二三四五六七第版"
                                  "理论责任编辑版式设计0123456789·　 "
                                  "〇八九十周刊要闻评论经济文化图为摄下转上接A-|／/:研究报告课题组知乎专栏")))

    def story(self, rng: random.Random, *, paragraphs: int, deck: bool, quote: bool,
              sections: bool) -> Story:
        """A story from consecutive passages: headline and deck from its own
        clauses, paragraphs of one to four sentences, optional sections."""
        start = rng.randrange(len(self.passages))
        texts, ids = [], []
        for pid, text in self.passages[start:] + self.passages[:start]:
            texts.append(text)
            ids.append(pid)
            if sum(len(sentences(t)) for t in texts) >= paragraphs * 2:
                break
        sents = [s for t in texts for s in sentences(t)]
        paras, i = [], 0
        while i < len(sents):
            n = rng.randint(1, 4)
            paras.append("".join(sents[i:i + n]))
            i += n
        heads = clauses(" ".join(texts), 6, 14)
        blocks: list[tuple[bool, str]] = []
        for n, para in enumerate(paras):
            if sections and n and n % rng.randint(3, 5) == 0 and heads:
                blocks.append((True, heads.pop(rng.randrange(len(heads)))))
            blocks.append((False, para))
        title_parts = clauses(" ".join(texts), 7, 14) or [texts[0][:10]]
        title = rng.choice(title_parts)
        if rng.random() < 0.3 and len(title_parts) > 1:
            title = f"{title} {rng.choice([t for t in title_parts if t != title])}"
        deck_text = ""
        if deck:
            parts = clauses(" ".join(texts), 5, 12)
            if len(parts) >= 2:
                deck_text = f"{parts[0]}，{parts[-1]}"
        quote_text = ""
        if quote:
            fit = [s for s in sents if 24 <= len(s) <= 70]
            quote_text = rng.choice(fit) if fit else ""
        credit, author, note = _byline(rng)
        return Story(title=title, blocks=tuple(blocks), deck=deck_text,
                     deck_above=rng.random() < 0.3, credit=credit, author=author, note=note,
                     note_inline=rng.random() < 0.5,
                     label=rng.choice(LABELS) if rng.random() < 0.35 else "",
                     quote=quote_text, quote_box=rng.random() < 0.6,
                     quote_label="●观 点" if rng.random() < 0.3 else "",
                     extra={"passages": tuple(ids)})


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _byline(rng: random.Random) -> tuple[str, str, str]:
    """(credit line, author, closing note) in one of the ways papers sign articles."""
    kind = rng.choice(("reporter", "reporters", "reporter+correspondent", "name+unit",
                       "name+office", "office-only", "none"))
    a, b = name(rng), name(rng)
    while b == a:
        b = name(rng)
    if kind == "reporter":
        return f"本报记者 {a}", a, ""
    if kind == "reporters":
        return f"本报记者 {a} {b}", f"{a}、{b}", ""
    if kind == "reporter+correspondent":
        return f"本报记者 {a} 本报通讯员 {b}", f"{a}、{b}", ""
    if kind == "name+unit":
        return a, a, f"（作者单位：{rng.choice(AFFILIATIONS)}）"
    if kind == "name+office":
        return a, a, f"（作者为{rng.choice(AFFILIATIONS)}教授）"
    if kind == "office-only":
        return "", "", f"（作者为{rng.choice(OFFICES)}）"
    return "", "", ""


def seed_stories(articles: list[Article]) -> list[Story]:
    """The seed page's articles as stories, with its pull quotes and labels."""
    by_id = {a.id: a for a in articles}
    specs = {  # id: (label, pull quote, quote label, quote boxed)
        "xinjiang-union-work": ("", "", "", True),
        "labour-movement-history": (
            "", "加强工运史宣传，对传承红色基因、弘扬光荣传统、凝聚奋进力量具有重要意义。"
                "要不断拓展加强工运史宣传的路径。", "●观 点", True),
        "unions-vocational-colleges": (
            "G 热点思考", "工会组织要充分发挥其劳模工匠资源和完善的技能提升体系优势，通过与职业"
                          "院校开展深度合作，为新时代加快培养高素质技能人才、推动制造业高质量发展"
                          "注入动力源泉。", "", False),
        "flexible-workers-maternity": ("G 前沿观察", "", "", True),
    }
    stories = []
    for art_id, (label, quote, quote_label, boxed) in specs.items():
        art = by_id[art_id]
        heading_at = {s.start for s in art.sections}
        blocks, pos = [], 0
        for text in art.body.split("\n\n"):
            blocks.append((pos in heading_at, text))
            pos += len(text) + 2
        stories.append(Story(title=art.title, blocks=tuple(blocks), deck=art.deck,
                             credit=art.author, author=art.author, note=art.byline,
                             note_inline=art_id == "flexible-workers-maternity", label=label,
                             quote=quote, quote_box=boxed, quote_label=quote_label,
                             extra={"id": art_id}))
    return stories
