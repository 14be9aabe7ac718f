"""What kind of fact a question asks for, and whether a passage states one.

A question for a year, a day, a sum of money, a head count, a count of
things, any amount, who holds an office or who did a thing is answered only
by a passage that states such a thing: 韩国的产假补贴是多少 finds
maternity-benefit passages, none of which can answer it. Each kind is a rule
of its own (named like the rule that switches it), asked in the order below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Digits, or a Chinese numeral with a unit (一是 and 二者 are no amounts).
_NUMBER = re.compile(r"[0-9]|[一二三四五六七八九十百千万亿两]+"
                     r"(?:个|名|人|万|亿|元|年|月|日|天|次|倍|%|成|岁|届|批|项|家|所)")
# A question for an amount, a count or a year ("多少", "几个", "哪一年", "how many").
# 哪几 asks which ones (哪几个方面), not how many.
_ASKS_NUMBER = re.compile(
    r"多少|多大比例|百分之几|(?<!哪)几(?:个|次|年|名|位|种|天|岁|倍|人|成|届)|哪一?年|何年"
    r"|\bhow (?:many|much|long)\b|\b(?:what|which) year\b|\bwhat (?:percentage|proportion)\b")
# A year or a day is asked for with its own words, and only a calendar year or
# date answers it: "100年来" is a span, not the year a congress met.
_ASKS_YEAR = re.compile(r"哪一?年|何年|\b(?:what|which) year\b")
_YEAR = re.compile(r"(?<![\d.])(?:1[0-9]|20)\d{2}(?![\d.%])"
                   r"|[〇零一二三四五六七八九]{4}年|[前去今明同次翌当]年")
_ASKS_DAY = re.compile(r"哪一?天|几月几[日号]|几号|\b(?:what|which) (?:date|day)\b|\bon what day\b")
_DAY = re.compile(r"\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,3}[日号]|\d{4}-\d{1,2}-\d{1,2}"
                  r"|[前昨今明同次翌当]日|[前昨今明]天")

# "每月能领多少生育津贴" is not answered by "其中1%视为生育保险缴费".
_AMOUNT = r"(?:\d[\d,.]*|[一二三四五六七八九十百千万亿两零〇]+)\s*(?:万|亿|千|百)?多?"
_MONEY_WORDS = "钱|价格|价钱|费用|工资|津贴|补贴|奖金|收入|票价|售价|造价|成本|耗资|金额|薪酬|薪水"
_ASKS_MONEY = re.compile(rf"(?:多少|几)(?:钱|元|块)|(?:{_MONEY_WORDS})[^,。?]{{0,6}}(?:多少|几)"
                         rf"|(?:多少|几)[^,。?]{{0,4}}(?:{_MONEY_WORDS})")
_MONEY = re.compile(_AMOUNT + r"(?:元|美元|欧元|英镑|日元|日圆|港元|港币|人民币|块|镑"
                    r"|法郎|卢布|韩元|台币)|[$¥€£]\s*\d")
_PEOPLE = "人员|职工|工人|劳动者|员工|会员|学生|居民|人口"
# 多少人, 多少灵活就业人员 ...
_ASKS_HEAD_COUNT = re.compile(rf"(?<![第哪])(?:多少|几)个?(?:人|名|位)(?![民员才工])"
                              rf"|(?<![第哪])(?:多少|几)[^,。?]{{0,6}}?(?:{_PEOPLE})")
# ... and the noun first: 人员总数是多少, 会员有多少.
_ASKS_HEAD_COUNT_NOUN_FIRST = re.compile(
    rf"(?:{_PEOPLE}|人数)的?(?:总数|数量|总量|规模)?(?:是|有|达|为|约|大约|一共|共|总共)*(?:多少|几)")
_HEAD_COUNT = re.compile(_AMOUNT + r"(?:人|名|位)")
# 哪几个方面 asks which ones, 第几个 which place in a row: neither is a count.
_ASKS_COUNT = re.compile(r"(?<![第哪])(?:多少|几)个")
_COUNT = re.compile(_AMOUNT + r"个")
# "石家庄市总工会的主席是谁": who holds a role is answered only where the role
# is named. Offices, not bylines: "作者是谁" is answered from the byline.
_ASKS_HOLDER = re.compile(
    r"(主席|社长|院长|校长|局长|部长|书记|总理|总统|首相|董事长|总经理|主任|市长|省长|县长"
    r"|会长|理事长|总裁|主编|队长|教练)[^,。?]{0,3}(?:是谁|为谁|是哪位|由谁|叫什么|姓什么|的名字|的姓名)")
# "史志图书由谁主编": who did something is answered only where that is done.
_ASKS_AGENT = re.compile(r"由谁来?([\u4e00-\u9fff]{2})")


@dataclass(frozen=True)
class FactKind:
    """One kind of fact: how a question asks for it and how a passage states it.
    A decisive kind settles the question once a passage states it; a veto
    (who did a thing) only rules passages out and lets later kinds decide."""

    rule: str
    asks: re.Pattern
    states: Callable[[str, str], bool]  # (detail asked for, passage) -> stated?
    decisive: bool = True


def _pattern(regex: re.Pattern) -> Callable[[str, str], bool]:
    return lambda _detail, passage: bool(regex.search(passage))


def _mentions(detail: str, passage: str) -> bool:
    return detail in passage


KINDS = (
    FactKind("office_holder", _ASKS_HOLDER, _mentions),
    FactKind("agent", _ASKS_AGENT, _mentions, decisive=False),
    FactKind("fact_year", _ASKS_YEAR, _pattern(_YEAR)),
    FactKind("fact_day", _ASKS_DAY, _pattern(_DAY)),
    FactKind("fact_money", _ASKS_MONEY, _pattern(_MONEY)),
    FactKind("fact_head_count", _ASKS_HEAD_COUNT, _pattern(_HEAD_COUNT)),
    FactKind("fact_head_count_noun_first", _ASKS_HEAD_COUNT_NOUN_FIRST, _pattern(_HEAD_COUNT)),
    FactKind("fact_count", _ASKS_COUNT, _pattern(_COUNT)),
    FactKind("fact_amount", _ASKS_NUMBER, _pattern(_NUMBER)),
)
_BY_RULE = {kind.rule: kind for kind in KINDS}


@dataclass(frozen=True)
class Asked:
    """A kind of fact a question asks for; `detail` is the office (主席) or the
    deed (主编) it names, else empty."""

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
        if not uses(ask.rule):
            continue
        kind = _BY_RULE[ask.rule]
        if not kind.states(ask.detail, text):
            return ask.rule
        if kind.decisive:
            return ""
    return ""


def can_answer(asked: tuple[Asked, ...], texts: list[str], uses=lambda rule: True) -> str:
    """"" when one of `texts` (a passage, its byline ...) states what the
    question asks for, else the rule the first of them fails."""
    failed = [unstated(asked, text, uses) for text in texts]
    return "" if "" in failed else (failed[0] if failed else "")
