"""Which sentence of the retrieved passages answers the question: a logistic
model over a few features of each candidate sentence, fitted per encoder by
benchmarks/fit_sentences.py on DRCD training documents and questions in
readers' phrasing (`models/<encoder>/sentences.json`, with its card).

Without a fitted model (the test encoder hash-N, a model folder) or with the
rule learned_sentences off, the hand formula of the first release scores
them. Both read the same features, so the two can be compared row by row.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..search.profiles import MODELS_DIR

FORMAT = "rag-news/sentences/1"
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


@dataclass(frozen=True)
class SentenceModel:
    """P(sentence holds the answer) = sigmoid(bias + weights . (x - mean) / scale)."""

    encoder: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    card: dict = field(default_factory=dict)

    def __post_init__(self):
        if set(self.features) - set(FEATURES):
            raise ValueError(f"sentence model reads unknown features "
                             f"{sorted(set(self.features) - set(FEATURES))}")
        if not len(self.features) == len(self.mean) == len(self.scale) == len(self.weights):
            raise ValueError("a sentence model needs as many means, scales and weights "
                             "as features")

    def scores(self, rows: np.ndarray) -> np.ndarray:
        columns = [FEATURES.index(name) for name in self.features]
        z = (rows[:, columns] - np.array(self.mean)) / np.array(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.array(self.weights) + self.bias)))

    def to_dict(self) -> dict:
        return {"format": FORMAT, "encoder": self.encoder, "features": list(self.features),
                "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "card": self.card}

    @classmethod
    def from_dict(cls, data: dict) -> SentenceModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a sentence model of format {FORMAT}")
        return cls(data["encoder"], tuple(data["features"]), tuple(data["mean"]),
                   tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]),
                   data.get("card", {}))

    def save(self, path: str | Path | None = None) -> Path:
        path = Path(path) if path else model_path(self.encoder)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
        os.replace(tmp, path)
        return path


def model_path(encoder: str) -> Path:
    return MODELS_DIR / encoder / "sentences.json"


@lru_cache(maxsize=8)
def sentence_model_for(encoder: str) -> SentenceModel | None:
    """The shipped sentence model of `encoder`, or None when none was fitted."""
    path = model_path(encoder) if encoder and "/" not in encoder else None
    if path is None or not path.exists():
        return None
    model = SentenceModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    if model.encoder != encoder:
        raise ValueError(f"{path} was fitted on {model.encoder!r}, not {encoder!r}")
    return model
