"""Typed mentions: which kinds of answer a passage, and each of its sentences,
holds (a person, an organisation, a place, a time, a duration, a count, a
sum of money, a rate), computed once at index time and stored with it.

A question for a rate is not answered by a passage on the right topic that
states no rate; the learned abstention reads, for the best passage and its
best sentence, whether the kind the question expects is there
(search/answer_types.py). The kinds come from jieba's part-of-speech tags
(nr person, ns place, nt organisation, t time, m numeral + q classifier),
the place gazetteer (search/places.py) and number + unit patterns (%, 元,
个月 ...). Each passage's kinds are a bit mask; so is each sentence's, the
sentences split as search splits them (folded text, split_sentences).

    mentions.npz   passage: uint16 mask per passage; sentence: uint16 mask per
                   sentence; offsets: where each passage's sentences start
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..text import fold
from .chunking import split_sentences

MENTIONS_FILE = "mentions.npz"
# The kinds, in bit order; a change here (or in how they are found) changes
# RECIPE["mentions"], so an index built before is rebuilt, not misread.
KINDS = ("person", "organisation", "place", "time", "duration", "count", "count_people",
         "money", "rate")
BIT = {kind: 1 << i for i, kind in enumerate(KINDS)}
VERSION = "posseg+gazetteer+units/1"

_NUM = r"(?:\d[\d,.]*|[一二三四五六七八九十百千万亿两零〇几数]+)\s*(?:万|亿|千|百)?多?余?"
# A calendar year, month or day; 今年/去年; a decade or century.
_TIME = re.compile(r"(?<![\d.])(?:1[0-9]|20)\d{2}\s*年?(?![\d.%])|[〇零一二三四五六七八九]{4}年"
                   r"|\d{1,2}\s*月(?:份|\d{1,2}\s*日)?|\d{1,2}\s*[日号](?!元)|[前去今明同次翌当]年"
                   r"|(?:上|下|本)(?:个)?(?:月|周|世纪)|\d0\s*年代|世纪|[春夏秋冬]季|年底|年初"
                   r"|月底|月初")
_DURATION = re.compile(_NUM + r"(?:个)?(?:多)?(?:年(?!代|级)|个月|周|星期|天|日(?!元)|小时|分钟"
                       r"|秒钟?|个工作日|学期)|多年|数年|长期|终身|半年")
_PEOPLE = re.compile(_NUM + r"(?:人次|人|名|位|户)")
_COUNT = re.compile(_NUM + r"(?:个|项|家|次|件|条|所|座|种|台|辆|批|场|届|期|篇|款|套|本|张|部"
                    r"|架|艘|株|头|只|份|万|亿|公里|千米|米|平方米|亩|公顷|吨|千克|公斤|岁)")
_MONEY = re.compile(_NUM + r"(?:元|美元|欧元|英镑|日元|日圆|港元|港币|人民币|块钱|镑|法郎|卢布|韩元"
                    r"|台币|新台币)|[$¥€£]\s*\d")
_RATE = re.compile(r"\d\s*[%‰]|百分之|个百分点|" + _NUM + r"(?:倍|成(?![为员本立果绩功就])|折)")
_ORG_SUFFIX = re.compile(r"[\u4e00-\u9fff]{2,}(?:公司|集团|委员会|协会|联合会|工会|大学|学院|学校"
                         r"|中学|医院|银行|研究院|研究所|法院|检察院|政府|办公室|基金会|厅|署|日报"
                         r"|出版社|电视台|(?<![干内外全局东西南北中总])部|(?<![格布结当大])局)")
_PATTERNS = (("time", _TIME), ("duration", _DURATION), ("count_people", _PEOPLE),
             ("count", _COUNT), ("money", _MONEY), ("rate", _RATE), ("organisation", _ORG_SUFFIX))
_TIME_WORD = re.compile(r"[\d年月日号世纪代季节期旬]")
_TAGS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "organisation",
         "t": "time"}


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    from ..search.places import gazetteer  # the same gazetteer the question side reads

    return frozenset(gazetteer())


def mask_of(text: str) -> int:
    """The kinds of answer folded `text` mentions, as a bit mask."""
    import jieba.posseg

    mask = 0
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            mask |= BIT[kind]
    places, previous = _places(), ""
    tagged = jieba.posseg.dt.word_tag_tab
    for word, flag in jieba.posseg.lcut(text):
        kind = _TAGS.get(flag)
        # A name is 2-4 characters (jieba tags single characters nr: 史, 灵), and
        # not a word its dictionary calls nr: there that tag marks 弘扬, 权威, 光辉 too.
        # Names it does not know (罗荣波) come from its HMM, and 习近平 is nrfg.
        if kind == "person" and (not 2 <= len(word) <= 4 or tagged.get(word) == "nr"):
            kind = None
        # A time is a date or period (五月, 年底), not 目前 or 当前.
        if kind == "time" and not _TIME_WORD.search(word):
            kind = None
        if kind is None and word in places:
            kind = "place"
        if kind is None and (flag == "mq" or (flag == "q" and previous == "m")):
            kind = "count"  # a numeral and its classifier: 四个, 两家
        if kind:
            mask |= BIT[kind]
        previous = flag
    if mask & BIT["count_people"]:
        mask |= BIT["count"]  # a head count is a count
    return mask


def passage_mentions(text: str) -> tuple[int, list[int]]:
    """(mask of the passage, masks of its sentences) for a passage's raw text."""
    folded = fold(text)
    sentences = [mask_of(folded[a:b]) for a, b in split_sentences(folded)]
    passage = 0
    for m in sentences:
        passage |= m
    return passage, sentences


class Mentions:
    """Every passage's typed mentions, by row: `passage(i)`, `sentences(i)`."""

    def __init__(self, passage: np.ndarray, sentence: np.ndarray, offsets: np.ndarray):
        self._passage, self._sentence, self._offsets = passage, sentence, offsets

    def __len__(self) -> int:
        return len(self._passage)

    def passage(self, i: int) -> int:
        return int(self._passage[i])

    def sentences(self, i: int) -> list[int]:
        return [int(m) for m in self._sentence[self._offsets[i]:self._offsets[i + 1]]]

    @classmethod
    def compute(cls, texts: Sequence[str], keys: Sequence[str] = (),
                previous: dict[str, tuple[int, list[int]]] | None = None) -> Mentions:
        """Tag `texts`; a passage whose content key is in `previous` (an
        earlier build's) keeps its masks, so an update tags only what is new."""
        previous = previous or {}
        rows = []
        for n, text in enumerate(texts):
            key = keys[n] if n < len(keys) else None
            rows.append(previous[key] if key in previous else passage_mentions(text))
        return cls.of(rows)

    @classmethod
    def of(cls, rows: Sequence[tuple[int, Sequence[int]]]) -> Mentions:
        """From (passage mask, sentence masks) a passage."""
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(s) for _, s in rows])
        sentence = np.array([m for _, s in rows for m in s], dtype=np.uint16)
        return cls(np.array([p for p, _ in rows], dtype=np.uint16), sentence, offsets)

    def by_key(self, keys: Sequence) -> dict[str, tuple[int, list[int]]]:
        out = {}
        for i, key in enumerate(keys):
            key = key.decode("ascii") if isinstance(key, bytes) else str(key)
            out[key] = (self.passage(i), self.sentences(i))
        return out

    def save(self, folder: Path) -> None:
        with open(Path(folder) / MENTIONS_FILE, "wb") as f:
            np.savez(f, passage=self._passage, sentence=self._sentence, offsets=self._offsets)

    @classmethod
    def load(cls, folder: Path) -> Mentions:
        with np.load(Path(folder) / MENTIONS_FILE, allow_pickle=False) as data:
            return cls(data["passage"], data["sentence"], data["offsets"])


class LazyMentions:
    """Typed mentions tagged when first read (an index that stores none, e.g.
    Milvus's), from each passage's text."""

    def __init__(self, text_of):
        self._text_of = text_of
        self._memo = lru_cache(maxsize=20_000)(lambda i: passage_mentions(self._text_of(i)))

    def passage(self, i: int) -> int:
        return self._memo(i)[0]

    def sentences(self, i: int) -> list[int]:
        return self._memo(i)[1]
