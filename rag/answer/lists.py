"""Enumerations in article text: 一是…二是…, 第一，…第二，…, 首先…其次…最后…,
（一）（二）, ①②, 1. 2. — a property of the text, not of any question.

An enumeration is its items (the span of each item's first sentence: the
point it makes; what follows elaborates) and the sentence that introduces it
(the one just before the first item). When the sentence an answer chose is
such a lead-in, or is one of the items of a question asking for several
things, the answer quotes the items (compose.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..index import split_sentences

_DIGITS = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# (family, pattern at a sentence start, ordinal of the match); "last" closes a run.
_MARKERS = (
    ("shi", re.compile(rf"^([{_DIGITS}])是"), lambda m: _DIGITS.index(m[1]) + 1),
    ("di", re.compile(rf"^第([{_DIGITS}])[，、,:：是]"), lambda m: _DIGITS.index(m[1]) + 1),
    ("paren", re.compile(rf"^[（(]([{_DIGITS}])[）)]"), lambda m: _DIGITS.index(m[1]) + 1),
    ("circled", re.compile(rf"^([{_CIRCLED}])"), lambda m: _CIRCLED.index(m[1]) + 1),
    ("arabic", re.compile(r"^([1-9])[.、．](?!\d)"), lambda m: int(m[1])),
    ("order", re.compile(r"^(首先|其次|再次|然后|最后)[，,]"),
     lambda m: {"首先": 1, "其次": 2, "再次": 3, "然后": 3, "最后": 0}[m[1]]),
)
MAX_GAP = 12  # sentences between two items of one enumeration (their elaboration)


@dataclass(frozen=True)
class Enumeration:
    lead_in: tuple[int, int] | None  # body span of the introducing sentence
    items: tuple[tuple[int, int], ...]  # body span of each item's first sentence

    @property
    def start(self) -> int:
        return (self.lead_in or self.items[0])[0]


def _marker(sentence: str) -> tuple[str, int] | None:
    text = sentence.lstrip(" \u3000\n")
    for family, pattern, ordinal in _MARKERS:
        if m := pattern.match(text):
            return family, ordinal(m)
    return None


@lru_cache(maxsize=256)
def enumerations(body: str) -> tuple[Enumeration, ...]:
    """Every run of two or more numbered items in `body`, in order."""
    sentences = []
    for a, b in split_sentences(body):
        # A heading without a full stop runs into the sentence after it: apart.
        cut = body.rfind("\n\n", a, b)
        if cut >= 0 and body[a:cut].strip():
            sentences.append((a, cut))
        sentences.append((cut + 2, b) if cut >= 0 else (a, b))
    found, open_runs = [], {}  # family -> (sentence index of the last item, items, lead-in)
    for i, (a, b) in enumerate(sentences):
        mark = _marker(body[a:b])
        if mark is None:
            continue
        family, n = mark
        run = open_runs.get(family)
        if run is not None and i - run[0] <= MAX_GAP and (n == len(run[1]) + 1
                                                         or (n == 0 and len(run[1]) >= 2)):
            run[1].append((a, b))
            open_runs[family] = (i, run[1], run[2])
            if n == 0:  # 最后: the run is closed
                found.append(open_runs.pop(family))
            continue
        if run is not None:
            found.append(open_runs.pop(family))
        if n == 1:
            lead = sentences[i - 1] if i > 0 else None
            open_runs[family] = (i, [(a, b)], lead)
    found.extend(open_runs.values())
    out = [Enumeration(lead, tuple(items)) for _, items, lead in found if len(items) >= 2]
    return tuple(sorted(out, key=lambda e: e.items[0][0]))


def introduced_by(body: str, start: int, end: int) -> Enumeration | None:
    """The enumeration whose lead-in overlaps the quote body[start:end]."""
    for e in enumerations(body):
        if e.lead_in is not None and start < e.lead_in[1] and end > e.lead_in[0]:
            return e
    return None


def containing(body: str, start: int, end: int) -> Enumeration | None:
    """The enumeration one of whose items' first sentence overlaps body[start:end]."""
    for e in enumerations(body):
        if any(start < b and end > a for a, b in e.items):
            return e
    return None


# Questions that ask for several things: what a list answers.
_ASKS_MANY = re.compile(r"哪些|哪几|几个方面|几点|几条|几项|几种"
                        r"|有什么(办法|措施|建议|问题|路径|举措|作用|意义)"
                        r"|包括什么|包含什么|存在什么问题|措施|建议|举措|路径|what are|which")


def asks_for_several(question: str) -> bool:
    return bool(_ASKS_MANY.search(question.lower()))


LIST_BUDGET = 600  # characters of item quotes: a list answer stays a glance, not the article


@dataclass(frozen=True)
class Span:
    """A quote for the answer: body[start:end] of an article, a lead-in or an item."""

    start: int
    end: int
    item: bool


def expand(body: str, start: int, end: int, question: str, *,
           passage: tuple[int, int] = ()) -> tuple[Span, ...]:
    """The list the quote body[start:end] opens: its lead-in and items when it
    introduces an enumeration, or when the question asks for several things and
    it (or its `passage`) holds an item of one; () otherwise."""
    found = introduced_by(body, start, end)
    if found is None and asks_for_several(question):
        found = containing(body, start, end) or (containing(body, *passage) if passage else None)
        if found is not None and _asks_within_item(body, found, start, end, question):
            return ()
    if found is None:
        return ()
    spans = []
    if found.lead_in is not None and _in_paragraph(body, *found.lead_in):
        spans.append(Span(*found.lead_in, item=False))
    used = 0
    for a, b in found.items:
        if spans and used + (b - a) > LIST_BUDGET:
            break
        spans.append(Span(a, b, item=True))
        used += b - a
    return tuple(spans)


# A question names one item when it shares a phrase of four or more characters
# (three bigrams) with that item alone: 史志图书出版, not 灵活就业人员 that all share.
NAMED_BIGRAMS = 3


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _asks_within_item(body: str, found: Enumeration, start: int, end: int,
                      question: str) -> bool:
    """Whether the question asks about what one item says rather than for the
    items: the quote lies in an item's elaboration, or the question names
    something only the item it quotes holds (工会史志图书出版能发挥哪些作用？ of
    三是系统实施史志图书出版宣传。: 史志图书出版 is in no other item nor the lead-in)."""
    asked = _bigrams(question)
    heads = [body[a:b] for a, b in found.items]
    lead_in = body[found.lead_in[0]:found.lead_in[1]] if found.lead_in else ""
    for n, (a, b) in enumerate(found.items):
        if b <= start < elaborated(body, a, b):
            return True
        if start < b and end > a:
            elsewhere = _bigrams(lead_in).union(*(_bigrams(h) for i, h in enumerate(heads)
                                                  if i != n))
            return len((asked & _bigrams(heads[n])) - elsewhere) >= NAMED_BIGRAMS
    return False


def head_of_item(body: str, start: int, end: int) -> tuple[int, int] | None:
    """When body[start:end] is an item's first sentence alone, the item with
    the sentences that spell it out (an item is a heading: its point, not yet
    what it says)."""
    for e in enumerations(body):
        for a, b in e.items:
            if a <= start and end <= b:
                return a, elaborated(body, a, b)
    return None


def _in_paragraph(body: str, start: int, end: int) -> bool:
    """Body text rather than a heading: the span ends a sentence."""
    return body[start:end].rstrip().endswith(("。", "！", "？", "：", ":", "；"))


# "第三条是什么？", "最后一点呢": a message asking for one item of the previous list.
_ITEM_ASKED = re.compile(r"第\s*([一二三四五六七八九十两\d]+)\s*(个|条|点|步|项|种|类|方面|部分|是)"
                         r"|(最后|末)\s*一?\s*(个|条|点|步|项|种)")


def item_asked(question: str) -> int | None:
    """The 1-based item a message asks for; 0 for the last; None when it asks for none."""
    m = _ITEM_ASKED.search(question)
    if m is None:
        return None
    if m[3]:
        return 0
    number = m[1]
    if number.isdigit():
        return int(number)
    if number == "十":
        return 10
    digits = "一二三四五六七八九"
    if number == "两":
        return 2
    if len(number) == 1 and number in digits:
        return digits.index(number) + 1
    return None


ITEM_CHARS = 160  # an item asked for alone: its point and what spells it out


def elaborated(body: str, start: int, end: int) -> int:
    """Where the quote of an item that starts at `start` should end: after the
    sentences that follow its first one in its paragraph, within ITEM_CHARS."""
    for a, b in split_sentences(body):
        if a < end:
            continue
        if "\n\n" in body[end:b] or b - start > ITEM_CHARS or _marker(body[a:b]):
            break  # its paragraph, its length, or the next item ends it
        end = b
    return end


# A question about an article as a whole ("那篇文章讲了什么", "作者写的是什么内容"):
# its headline, deck and lede answer it, not a sentence sharing its words.
_ASKS_ABOUT = re.compile(
    r"(讲|写|说|谈|论述|讨论|探讨|阐述|分析)(了|的是|些)?(什么|啥)(内容|问题|事)?[？?。！!呢吗]*$"
    r"|(讲|写|谈|讨论|关于)了?(哪|什么)(个|些)?(方面|领域|话题|主题)|主要内容|什么内容|大意|主旨"
    r"|中心思想|核心观点|主要观点|核心主张|主要主张|中心论点|主要论点|主题是(什么|啥)"
    r"|概括|概述|总结一下|讲的啥|是关于什么|关于什么的"
    r"|\bwhat(\'s| is| was)\b.*\babout\b|\bsummar", re.I)
LEDE_CHARS = 160


def asks_about(question: str) -> bool:
    return bool(_ASKS_ABOUT.search(question.strip()))


def lede(body: str, first_paragraph: tuple[int, int]) -> tuple[int, int]:
    """The opening sentences of the first paragraph, within LEDE_CHARS."""
    start, stop = first_paragraph
    end = start
    for a, b in split_sentences(body):
        if a < start or b > stop:
            continue
        if end > start and b - start > LEDE_CHARS:
            break
        end = b
    return start, end if end > start else stop


_POINTS_AT_ARTICLE = re.compile(r"这篇|那篇|该篇|该文|此文|本文|这个文章|那个文章|这文章|那文章"
                                r"|\b(the|this|that) (article|piece|op-ed)\b", re.I)


def points_at_article(question: str) -> bool:
    """Whether a message points at an article already in the conversation."""
    return bool(_POINTS_AT_ARTICLE.search(question))
