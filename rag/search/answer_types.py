"""What kind of answer a question expects, and whether a passage holds one.

    expected_type("灵活就业人员的缴费费率是多少？")  -> Expected("rate", "费率")

The kind is read from general question words and classifiers (谁, 哪里,
什么时候, 多久, 多少人, 多少钱, 比例 ...), never from the phrasing of any
evaluation item. A passage's typed mentions are computed at index time
(index/mentions.py); the learned abstention reads whether the best passage,
and its sentence nearest the question's words, hold a mention of the kind
expected (evidence.py), and the chat says which fact was missing when it
withdraws for that reason (MissingFact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..index.mentions import BIT

_ANY_NUMBER = BIT["count"] | BIT["count_people"] | BIT["money"] | BIT["rate"] | BIT["duration"]
# Which typed mentions answer each expected kind.
ACCEPTS = {
    "person": BIT["person"],
    "organisation": BIT["organisation"],
    "place": BIT["place"] | BIT["organisation"],  # 在哪里工作 is answered by a workplace
    "time": BIT["time"],
    "duration": BIT["duration"] | BIT["time"],  # 多久: 自2020年起 answers it
    "count": BIT["count"] | BIT["count_people"],
    "count_people": BIT["count_people"],
    "number": _ANY_NUMBER,  # 是多少 with no unit or noun that tells which
    "money": BIT["money"],
    "rate": BIT["rate"],
}
KINDS = (*ACCEPTS, "other")
# How the chat names a missing fact, (Chinese, English), when the question's
# own word for it is not at hand.
NAMES = {
    "person": ("人名", "name"), "organisation": ("单位名称", "organisation"),
    "place": ("地点", "place"), "time": ("时间", "date"), "duration": ("时长", "duration"),
    "count": ("数量", "number"), "count_people": ("人数", "head count"),
    "number": ("数字", "figure"), "money": ("金额", "amount"), "rate": ("比例", "rate"),
}

_HOW_MANY = r"(?:多少|几)"
_RATE_WORDS = ("费率|比例|比率|比重|占比|百分比|利率|税率|费用比例|增长率|增速|增幅|涨幅|降幅"
               "|失业率|参保率|覆盖率|缴费比例|率")
_MONEY_WORDS = ("钱|价格|价钱|费用|工资|津贴|补贴|奖金|收入|票价|售价|造价|成本|耗资|金额|薪酬"
                "|薪水|资金|罚款|赔偿|补偿金|经济补偿|保费|报酬|基金|投资|预算|营收|利润|产值")
_PEOPLE_WORDS = ("人员|职工|工人|劳动者|员工|会员|学生|居民|人口|农民工|骑手|司机|代表|党员|干部"
                 "|人次")
_DURATION_WORDS = "期限|时长|工期|任期|年限|周期|工龄"
_Q = "[^,。?？]"  # a character within the same clause
# (kind, pattern), tried in order. First the question word with its unit or
# classifier (多少天 is a duration even after 生育津贴, 几个 a count), then a
# named quantity (费率, 工资) with the question word, then the question words
# that name a kind (谁, 哪里), and last a bare 多少.
_ASKS = (
    ("money", re.compile(rf"{_HOW_MANY}(?:钱|元|块|美元|万元|亿元)")),
    ("duration", re.compile(rf"{_HOW_MANY}(?:个)?(?:年(?!级|代)|个?月|天|周(?!边|年)|星期|小时"
                            r"|分钟)|多长时间|多久|\bhow long\b"
                            r"|\bhow many (?:years|months|weeks|days)\b")),
    ("rate", re.compile(rf"{_HOW_MANY}(?:%|个百分点)|百分之几|几成|几倍")),
    ("count_people", re.compile(rf"(?<![第哪]){_HOW_MANY}个?(?:人|名|位)(?![民员才工])|人数"
                                r"|\bhow many (?:people|workers|members|persons|employees)\b")),
    ("count", re.compile(rf"(?<![第哪]){_HOW_MANY}(?:个|项|家|次|件|条|所|座|种|台|辆|批|场|届|篇"
                         r"|款|套|本|张|部|吨|公里|亩|处)")),
    ("rate", re.compile(rf"(?P<w>{_RATE_WORDS}){_Q}{{0,6}}(?:是)?(?:{_HOW_MANY}|多大|多高)"
                        rf"|(?:多大|多高|多少)的?(?P<w2>{_RATE_WORDS})"
                        r"|\b(?:what|how much|how high)\b.*\b(?:rate|percentage|proportion|share"
                        r"|ratio)\b")),
    ("money", re.compile(rf"(?:{_MONEY_WORDS}){_Q}{{0,6}}{_HOW_MANY}"
                         rf"|{_HOW_MANY}{_Q}{{0,4}}(?:{_MONEY_WORDS}|酬|费(?!率)|款)"
                         r"|\bhow much (?:money|does|is|are|did)\b"
                         r"|\bwhat (?:price|wage|salary)\b")),
    ("duration", re.compile(rf"(?P<w>{_DURATION_WORDS})")),
    ("count_people", re.compile(rf"(?<![第哪]){_HOW_MANY}{_Q}{{0,6}}?(?:{_PEOPLE_WORDS})")),
    ("count", re.compile(r"(?:数量|总数|规模)(?:是|有)?多大|\bhow many\b")),
    ("time", re.compile(r"什么时候|何时|哪一?年|何年|哪一?天|哪个月|几月|几号|几点|什么时间"
                        r"|哪段时间|(?:日期|时间)是|\bwhen\b|\bwhat (?:year|date|time)\b"
                        r"|\bwhich year\b")),
    ("person", re.compile(r"谁|哪位|哪一位|什么人|何人|姓名|叫什么名字|\bwho(?:m|se)?\b")),
    ("place", re.compile(rf"哪里|哪儿|什么地方|何处|何地|在哪|哪几处|哪(?:个|些|几个){_Q}{{0,4}}"
                         r"(?:城市|省|国家|地区|地方|县|区|市)|\bwhere\b"
                         r"|\bwhich (?:city|country|province|place)\b")),
    ("organisation", re.compile(rf"哪(?:个|家|所|些)?{_Q}{{0,4}}(?:单位|部门|机构|组织|公司|企业"
                                r"|学校|大学|院校|医院|媒体|协会|报社|政府)|哪家|什么(?:单位|部门|机构|组织"
                                r"|公司|企业)|由哪|\bwhich (?:organi[sz]ation|company|agency"
                                r"|institution|department|university)\b")),
    ("number", re.compile(rf"{_HOW_MANY}(?:[?？]|$)|\bhow much\b")),
)


@dataclass(frozen=True)
class Expected:
    """The kind of answer a question expects; `word` is the question's own
    name for it (费率, 期限), when it has one the reader would recognise."""

    kind: str = "other"
    word: str = ""

    @property
    def asked(self) -> bool:
        return self.kind != "other"

    def held_by(self, mask: int) -> bool:
        """Whether typed mentions `mask` hold an answer of this kind."""
        return not self.asked or bool(mask & ACCEPTS[self.kind])

    def name(self, language: str = "zh") -> str:
        """What the reader is told is missing: the question's own word, else the kind's name."""
        if self.word and language == "zh":
            return self.word
        zh, en = NAMES.get(self.kind, ("答案", "answer"))
        return zh if language == "zh" else en


def expected_type(text: str) -> Expected:
    """The kind of answer normalised question `text` expects ("other" when
    its words do not say)."""
    for kind, pattern in _ASKS:
        if match := pattern.search(text):
            groups = match.groupdict()
            word = groups.get("w") or groups.get("w2") or ""
            return Expected(kind, word if len(word) > 1 else "")
    return Expected()


@dataclass(frozen=True)
class MissingFact:
    """Why an answer was withdrawn when the reason is a fact the passages do not
    give: the best passage speaks of `topic` (the question's words it holds)
    but holds no `expected` answer."""

    expected: Expected
    topic: tuple[str, ...] = ()
    language: str = "zh"  # the question's, which the message is in by default

    def message(self, language: str | None = None) -> str:
        language = language or self.language
        missing = self.expected.name(language)
        if language == "zh":
            if self.topic:
                return f"文章提到了{'、'.join(self.topic)}，但没有给出{missing}。"
            return f"文章没有给出{missing}。"
        if self.topic:
            return f"The articles mention {', '.join(self.topic)} but give no {missing}."
        return f"The articles give no {missing}."

    def to_dict(self) -> dict:
        return {"kind": self.expected.kind, "word": self.expected.word, "topic": list(self.topic),
                "message": self.message()}


def held_where(expected, mentions, row: int, shares) -> tuple[bool, bool]:
    """Whether passage `row`, and its sentence holding most of the question's
    words (by `shares`, one per sentence), mention the kind of answer expected."""
    held = expected.held_by(mentions.passage(row))
    sentences = mentions.sentences(row)
    if not held or not shares or len(sentences) != len(shares):
        return held, held
    best = max(range(len(shares)), key=shares.__getitem__)
    return held, expected.held_by(sentences[best])
