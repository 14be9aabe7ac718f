"""What kind of fact a question asks for, and whether a passage states one.

A question for a year, a sum of money, a head count or who holds an office
is answered only by a passage that states such a thing: 韩国的产假补贴是多少钱 finds
maternity-benefit passages, none of which can answer it. Each kind is a rule
of its own (named like the rule that switches it); the first kind a
question asks for decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A year is asked for with its own words, and only a calendar year answers it:
# "100年来" is a span, not the year a congress met.
_ASKS_YEAR = re.compile(r"哪一?年|何年|\b(?:what|which) year\b")
# A year of another calendar or era counts too (公元前216年, 民国39年, 庚申年,
# 六十年代); DRCD's history questions were withdrawn for want of them. A
# bare 3-digit year (西晋316年) only when nothing makes it a span (100年来,
# 已有100年).
_YEAR = re.compile(r"(?<![\d.])(?:1[0-9]|20)\d{2}(?![\d.%])"
                   r"|[〇零一二三四五六七八九]{4}年|[前去今明同次翌当]年"
                   r"|(?:公元|西元|民国|民國|纪元)前?\s*[\d〇零一二三四五六七八九十百]+\s*年"
                   r"|(?<![\d.有已近约达逾过了满足整])\d{3}\s*年(?![来代间多内里前后左])"
                   r"|[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年"
                   r"|(?:\d0|[二三四五六七八九]十)年代")
# "每月能领多少生育津贴" is not answered by "其中1%视为生育保险缴费".
_AMOUNT = r"(?:\d[\d,.]*|[一二三四五六七八九十百千万亿两零〇]+)\s*(?:万|亿|千|百)?多?"
_MONEY_WORDS = "钱|价格|价钱|费用|工资|津贴|补贴|奖金|收入|票价|售价|造价|成本|耗资|金额|薪酬|薪水"
_ASKS_MONEY = re.compile(rf"(?:多少|几)(?:钱|元|块)|(?:{_MONEY_WORDS})[^,。?]{{0,6}}(?:多少|几)"
                         rf"|(?:多少|几)[^,。?]{{0,4}}(?:{_MONEY_WORDS})")
_MONEY = re.compile(_AMOUNT + r"(?:元|美元|欧元|英镑|日元|日圆|港元|港币|人民币|块|镑"
                    r"|法郎|卢布|韩元|台币)|[$¥€£]\s*\d")
# 多少人, 多少灵活就业人员 ...: a head count is answered only by one.
_PEOPLE = "人员|职工|工人|劳动者|员工|会员|学生|居民|人口"
# 多少比例的人口 asks for a share, not a head count.
_ASKS_HEAD_COUNT = re.compile(rf"(?<![第哪])(?:多少|几)个?(?:人|名|位)(?![民员才工])"
                              rf"|(?<![第哪])(?:多少|几)(?![^,。?]{{0,6}}?(?:比例|百分比|比重|分之))"
                              rf"[^,。?]{{0,6}}?(?:{_PEOPLE})")
_HEAD_COUNT = re.compile(_AMOUNT + r"(?:人|名|位)")
# "石家庄市总工会的主席是谁": who holds a role is answered only where the role
# is named. Offices, not bylines: "作者是谁" is answered from the byline.
_ASKS_HOLDER = re.compile(
    r"(主席|社长|院长|校长|局长|部长|书记|总理|总统|首相|董事长|总经理|主任|市长|省长|县长"
    r"|会长|理事长|总裁|主编|队长|教练)[^,。?]{0,3}(?:是谁|为谁|是哪位|由谁|叫什么|姓什么|的名字|的姓名)")


@dataclass(frozen=True)
class FactKind:
    """One kind of fact: how a question asks for it and how a passage states it."""

    rule: str
    asks: re.Pattern
    states: Callable[[str, str], bool]  # (detail asked for, passage) -> stated?


def _pattern(regex: re.Pattern) -> Callable[[str, str], bool]:
    return lambda _detail, passage: bool(regex.search(passage))


def _mentions(detail: str, passage: str) -> bool:
    return detail in passage


KINDS = (
    FactKind("office_holder", _ASKS_HOLDER, _mentions),
    FactKind("fact_year", _ASKS_YEAR, _pattern(_YEAR)),
    FactKind("fact_money", _ASKS_MONEY, _pattern(_MONEY)),
    FactKind("fact_head_count", _ASKS_HEAD_COUNT, _pattern(_HEAD_COUNT)),
)
_BY_RULE = {kind.rule: kind for kind in KINDS}


@dataclass(frozen=True)
class Asked:
    """A kind of fact a question asks for; `detail` is the office it names
    (主席), else empty."""

    rule: str
    detail: str = ""


def asked_facts(question: str) -> tuple[Asked, ...]:
    """The kinds of fact normalised `question` asks for, in the order they are checked."""
    out = []
    for kind in KINDS:
        if match := kind.asks.search(question):
            out.append(Asked(kind.rule, match.group(1) if match.groups() else ""))
    return tuple(out)


def unstated(asked: tuple[Asked, ...], text: str, uses=lambda rule: True) -> str:
    """"" when half-width `text` states what the question asks for, else the
    name of the rule it fails. Switched-off rules (`uses(rule)` false) are
    skipped, as if that kind were not asked."""
    for ask in asked:
        if uses(ask.rule):
            return "" if _BY_RULE[ask.rule].states(ask.detail, text) else ask.rule
    return ""
