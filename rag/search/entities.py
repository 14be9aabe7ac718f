"""What a question names — a place, an organisation, an author — and whether a
passage speaks of it.

"新疆工会怎样培养技能人才？" shares 工会, 培养, 技能人才 with a general article on
unions and vocational colleges, which wins on words while the article about
Xinjiang is never quoted. A question that names something restricts itself
to it: the `named_entity` stage prefers passages of the article about it, and
the answer says plainly when no quoted passage mentions it.

Names come from maintained or corpus data, never from a list of phrasings:
places from the gazetteer (CLDR and China's administrative divisions, see
places.py), authors from the corpus's bylines, and organisations as a jieba
word ending in an organisation's suffix after a name (中华全国总工会,
武汉大学, 人大常委会). jieba's part-of-speech tags were tried first: on the
seed questions they call 高水平, 东西, 老师傅 and 光辉 names.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import fold
from ..types import Article
from .places import gazetteer

# The kind of body a name ends in; what comes before must be at least two
# characters (武汉大学, not 大学; 人大常委会, not 常委会).
ORGANISATION_SUFFIXES = ("总工会", "工会", "大学", "学院", "出版社", "委员会", "常委会", "研究院",
                         "研究所", "协会", "联合会", "集团", "公司", "银行", "医院", "政府",
                         "法院", "检察院", "报社", "日报", "电视台")
# An article is about a name its headline or byline holds, or that its body
# repeats this often (a passage that does not name it is still about it).
ABOUT_MENTIONS = 3


@dataclass(frozen=True)
class Entity:
    name: str  # as the question's (normalised) words give it
    kind: str  # "place", "organisation" or "person"
    forms: tuple[str, ...]  # folded spellings that count as mentioning it

    def in_text(self, folded: str) -> bool:
        return any(form in folded for form in self.forms)

    def count(self, folded: str) -> int:
        return max(folded.count(form) for form in self.forms)


def named_entities(words, authors=frozenset()) -> tuple[Entity, ...]:
    """The places, organisations and authors among a question's jieba words
    (search mode: 新疆维吾尔自治区 also gives 新疆), longest first, leaving out
    one that a longer one holds (石家庄市 inside 石家庄市总工会 is kept: it is
    a place of its own)."""
    places = gazetteer()
    found: dict[str, Entity] = {}
    for word in dict.fromkeys(words):
        if word in places:
            found[word] = Entity(word, "place", tuple(sorted(map(fold, places[word]))))
        elif word in authors:
            found[word] = Entity(word, "person", (fold(word),))
        elif any(word.endswith(s) and len(word) >= len(s) + 2 for s in ORGANISATION_SUFFIXES):
            found[word] = Entity(word, "organisation", (fold(word),))
    ordered = sorted(found.values(), key=lambda e: -len(e.name))
    kept: list[Entity] = []
    for entity in ordered:
        # 新疆 beside 新疆维吾尔自治区 names nothing more.
        if not any(entity.kind == k.kind and entity.name in k.name for k in kept):
            kept.append(entity)
    return tuple(kept)


def article_is_about(article: Article, entity: Entity) -> bool:
    """Its headline, deck or byline names `entity`, or its body repeats it."""
    head = fold(" ".join((article.title, article.deck, article.author, article.affiliation,
                          article.byline)))
    return entity.in_text(head) or entity.count(fold(article.body)) >= ABOUT_MENTIONS


def unmentioned(entities, passages) -> tuple[str, ...]:
    """The entities none of `passages` speaks of; each passage is (folded
    passage text, its Article): it names the entity, or its article is about it."""
    return tuple(e.name for e in entities
                 if not any(e.in_text(text) or article_is_about(article, e)
                            for text, article in passages))
