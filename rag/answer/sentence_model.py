"""What is known of each candidate sentence for a question (FEATURES) and
the formula that scores it. benchmarks/fit_sentences.py fits a logistic
model over the same features; it did not beat the formula end to end
(benchmarks/results/sentences-e5-small.md), so the formula is what runs.
"""

from __future__ import annotations

import re

import numpy as np

FEATURES = (
    "cosine",  # the sentence's cosine to the question
    "cosine_gap",  # ... less the best candidate's: how far behind it is
    "keywords",  # the question's words and bigrams the sentence holds (0..1)
    "keywords_gap",
    "passage_rank",  # 1 / (1 + rank of the passage it comes from)
    "short",  # under 8 characters: a heading or a fragment
    "length",  # log characters
    "novelty",  # share of its characters the question lacks: an answer adds something
    "lead_in",  # it announces what follows (ends with a colon, 以下, 如下)
    "quantity",  # the question asks how many / how much and the sentence states a number
)
SHORT = 8
_LEAD_IN = re.compile(r"[：:]\s*$|以下|如下")
_ASKS_QUANTITY = re.compile(r"多少|几[个项年月天次岁人种条点倍]|比例|比率|百分|多大|多长|多久"
                            r"|\bhow (many|much|long)\b|\bwhat (share|percentage|rate)\b", re.I)
_NUMBER = re.compile(r"[0-9０-９]|[一二两三四五六七八九十百千万亿]+"
                     r"(?:个|人|年|月|天|元|项|倍|成|次|岁|名)")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def features(question: str, texts: list[str], ranks: list[int], cosines: np.ndarray,
             keywords: list[float]) -> np.ndarray:
    """One row of FEATURES per candidate sentence (`texts`, normalised)."""
    asked = set(_HAN.findall(question))
    asks_quantity = bool(_ASKS_QUANTITY.search(question))
    cosines = np.asarray(cosines, dtype=np.float64)
    keyword = np.asarray(keywords, dtype=np.float64)
    rows = []
    for text, rank, cos, kw in zip(texts, ranks, cosines, keyword, strict=True):
        han = _HAN.findall(text)
        length = len(text.strip())
        rows.append((
            cos, cos - cosines.max(), kw, kw - keyword.max(), 1.0 / (1 + rank),
            float(length < SHORT), np.log1p(length),
            sum(ch not in asked for ch in han) / len(han) if han else 0.0,
            float(bool(_LEAD_IN.search(text))),
            float(asks_quantity and bool(_NUMBER.search(text))),
        ))
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), len(FEATURES))


def hand_scores(rows: np.ndarray) -> np.ndarray:
    """The first release's formula: half cosine, half keywords, a nudge for the
    passage's rank, and half marks for fragments."""
    f = {name: rows[:, i] for i, name in enumerate(FEATURES)}
    score = 0.5 * f["cosine"] + 0.5 * f["keywords"] + 0.1 * f["passage_rank"]
    return np.where(f["short"] > 0, 0.5 * score, score)
