"""A question analysed once: everything retrieval, abstention, answer
composition and the chat's highlighting read of it, so none of them parses
the text again.

    q = retriever.analyze("胡玉玲是哪个单位的？")
    retriever.search(q)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..text import is_bigram, normalize, tokens_of
from . import conversation, crosslingual, facts
from .answer_types import Expected, expected_type
from .bylines import BylineAsk
from .crosslingual import Translation
from .entities import Entity, named_entities
from .inputs import read_history, read_question
from .lexicon import Lexicon
from .params import DEFAULT_PARAMS, RetrievalParams
from .places import gazetteer

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Query:
    question: str  # the message as asked: cleaned, stripped, cut at MAX_QUESTION_CHARS
    context: str  # what is searched for: the question, or a follow-up read with the last one
    normalized: str  # normalize(context)
    text: str  # normalized, and an English question's Chinese terms appended
    language: str  # "zh", or "en" for a question without Chinese characters
    tokens: tuple[str, ...]  # BM25 tokens of `text` (jieba words and ~bigrams)
    words: tuple[str, ...]  # the jieba words among them
    translation: Translation | None = None
    about: tuple[int, ...] = ()  # article rows it names by byline, asking about them whole
    about_rest: tuple[str, ...] = ()  # its words besides that byline
    facts: tuple[facts.Asked, ...] = ()  # kinds of fact asked for, in checking order
    expected: Expected = field(default_factory=Expected)  # the kind of answer it expects
    byline: BylineAsk = field(default_factory=BylineAsk)
    places: tuple[str, ...] = ()  # place names among its words
    entities: tuple[Entity, ...] = ()  # places, organisations, authors it names
    about_article: bool = False  # asks about the article itself, not its content (作者是谁？)
    focus: str = ""  # a follow-up's own words, when it was read with an earlier question
    focus_words: tuple[str, ...] = ()  # their content words
    truncated: bool = False  # the message was longer than MAX_QUESTION_CHARS and was cut
    # This question's vectors by (encoder, text): the search and the answer's
    # sentence choice both need normalize(question)'s, and one encoding is a
    # third of an answer's CPU. Kept with the question, never across questions.
    vectors: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def vector(self, encoder, text: str | None = None) -> np.ndarray:
        """The vector of `text` (default: what is searched for), encoded once."""
        key = (encoder.name, self.text if text is None else text)
        if key not in self.vectors:
            self.vectors[key] = encoder.encode_queries([key[1]])[0]
        return self.vectors[key]

    @property
    def content_words(self) -> list[str]:
        return conversation.content_words(self.words)

    @property
    def bigrams(self) -> list[str]:
        return [t[1:] for t in self.tokens if is_bigram(t)]

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """The words worth marking in a passage, longest first."""
        return tuple(sorted({w for w in self.words if len(w) > 1}, key=len, reverse=True))

    def asks_byline_of(self, author: str) -> bool:
        """Whether the question wants the byline of an article by `author`."""
        return self.byline.of(author, self.text)


def analyze(question: str, lexicon: Lexicon, params: RetrievalParams = DEFAULT_PARAMS,
            history=()) -> Query:
    """Read `question` (with the conversation's earlier user `history`) once.
    Bad input is a ValueError; what is accepted and repaired: see inputs.py."""
    question, truncated = read_question(question)
    previous = read_history(history)
    reading = _Reading(question, lexicon, params)
    about_article = params.uses("previous_article") and conversation.is_meta(reading.turn)
    own = {"about_article": about_article, "truncated": truncated}
    if not previous:
        return reading.query(question, **own)
    turns = [_Reading(t, lexicon, params, plain=True).turn for t in previous] + [reading.turn]
    context = conversation.in_context(turns, follow_ups=params.uses("follow_up_context"),
                                      meta=params.uses("previous_article"),
                                      pointers=params.uses("follow_up_pointers"))
    if context == question:
        return reading.query(question, **own)
    focus = conversation.strip_follow_markers(question)
    focus_words = conversation.content_words(tokens_of(normalize(focus), bigrams=False))
    return _Reading(context, lexicon, params).query(
        question, focus=focus, focus_words=tuple(focus_words), **own)


class _Reading:
    """One text read once: normalised, tokenised, translated. An earlier turn
    is read `plain`: only its words are needed, to tell a follow-up."""

    def __init__(self, raw: str, lexicon: Lexicon, params: RetrievalParams, plain=False):
        self.raw, self.lexicon, self.params = raw, lexicon, params
        self.normalized = normalize(raw)
        self.language = "zh" if _CJK.search(self.normalized) else "en"
        text, self.translation = self.normalized, None
        if self.language == "en" and params.uses("english_terms") and not plain:
            self.translation = crosslingual.translate(text, lexicon.vocab)
            if self.translation.expansion:
                text = f"{text} {self.translation.expansion}"
        self.text = text
        self.tokens = tuple(tokens_of(text))
        self.words = tuple(t for t in self.tokens if not is_bigram(t))
        self.turn = conversation.Turn(raw, self.normalized,
                                      tuple(conversation.content_words(self.words)))

    def query(self, question: str, **conversational) -> Query:
        params, lexicon, translation = self.params, self.lexicon, self.translation
        about, rest = (), ()
        if params.uses("byline_article") and self.language == "zh":
            rows, left = lexicon.bylines.named(
                self.words, pointer_words=params.uses("article_pointer_words"))
            about, rest = tuple(rows), tuple(left)
        places = gazetteer()
        return Query(
            question=question,
            context=self.raw,
            normalized=self.normalized,
            text=self.text,
            language=self.language,
            tokens=self.tokens,
            words=self.words,
            translation=translation,
            about=about,
            about_rest=rest,
            facts=facts.asked_facts(self.text),
            expected=expected_type(self.text),
            byline=BylineAsk.read(self.text),
            places=tuple(w for w in dict.fromkeys(self.words) if w in places),
            entities=named_entities(self.words, lexicon.authors),
            **conversational,
        )
