"""What was fitted per encoder: the fusion weighting and the cosine bars of
low_evidence, read from `models/<encoder>/profile.json` (the learned
abstention sits beside it, abstainer.py).

Cosines differ from model to model (e5's sit far higher than m3e's), so no
number fitted on one model's cosines is used with another's: each profile
is written by benchmarks/fit_encoder.py from data, with a card saying how.
An encoder without a profile (the model-free hash-N of tests, a model
folder) gets GENERIC, the settings of the first release, and results say so.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = "rag-news/profile/1"
MODELS_DIR = Path(__file__).with_name("models")
# The question features the fusion weighting may read (stages/fusion.py).
WEIGHT_FEATURES = ("overlap", "coverage", "bm25_margin", "dense_peak", "length", "latin")


@dataclass(frozen=True)
class FusionWeighting:
    """dense weight = base x exp(weights . (features - mean) / scale): the
    dense side counts for more when, say, the question's words are rare in the
    corpus. `constant` is the best single weight, used when the
    fusion_weighting rule is off or no weights were fitted."""

    constant: float
    base: float = 0.0
    features: tuple[str, ...] = ()
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    def __post_init__(self):
        if not len(self.features) == len(self.mean) == len(self.scale) == len(self.weights):
            raise ValueError("a fusion weighting needs as many means, scales and weights "
                             "as features")

    def weight(self, values: dict[str, float]) -> float:
        if not self.weights:
            return self.constant
        x = np.array([values[f] for f in self.features], dtype=np.float64)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return float(self.base * np.exp(np.clip(z @ np.array(self.weights), -4.0, 4.0)))

    def to_dict(self) -> dict:
        return {"constant": self.constant, "base": self.base, "features": list(self.features),
                "mean": list(self.mean),
                "scale": list(self.scale), "weights": list(self.weights)}

    @classmethod
    def from_dict(cls, data: dict) -> FusionWeighting:
        unknown = set(data.get("features", ())) - set(WEIGHT_FEATURES)
        if unknown:
            raise ValueError(f"fusion weighting reads unknown features {sorted(unknown)}")
        return cls(float(data["constant"]), float(data.get("base", 0.0)),
                   tuple(data.get("features", ())),
                   tuple(data.get("mean", ())), tuple(data.get("scale", ())),
                   tuple(data.get("weights", ())))


@dataclass(frozen=True)
class Profile:
    encoder: str
    fusion: FusionWeighting
    min_cosine: float
    min_cosine_latin: float
    cosine_per_coverage: float
    card: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"format": FORMAT, "encoder": self.encoder, "fusion": self.fusion.to_dict(),
                "min_cosine": self.min_cosine, "min_cosine_latin": self.min_cosine_latin,
                "cosine_per_coverage": self.cosine_per_coverage, "card": self.card}

    @classmethod
    def from_dict(cls, data: dict) -> Profile:
        if data.get("format") != FORMAT:
            raise ValueError(f"not an encoder profile of format {FORMAT}")
        return cls(data["encoder"], FusionWeighting.from_dict(data["fusion"]),
                   float(data["min_cosine"]), float(data["min_cosine_latin"]),
                   float(data["cosine_per_coverage"]), data.get("card", {}))

    def save(self, path: str | Path | None = None) -> Path:
        path = Path(path) if path else profile_path(self.encoder)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
        os.replace(tmp, path)
        return path


# The first release's hand-set numbers, for encoders nothing was fitted on.
GENERIC = Profile("generic", FusionWeighting(0.15), 0.725, 0.695, 0.1,
                  {"note": "the first release's settings; no data of this encoder fitted"})


def profile_path(encoder: str) -> Path:
    return MODELS_DIR / encoder / "profile.json"


@lru_cache(maxsize=8)
def profile_for(encoder: str) -> Profile:
    """The shipped profile of `encoder`, or GENERIC when none was fitted."""
    path = profile_path(encoder) if "/" not in encoder and encoder else None
    if path is None or not path.exists():
        return GENERIC
    profile = Profile.from_dict(json.loads(path.read_text(encoding="utf-8")))
    if profile.encoder != encoder:
        raise ValueError(f"{path} was fitted on {profile.encoder!r}, not {encoder!r}")
    return profile
