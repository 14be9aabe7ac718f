"""The learned abstention: a calibrated probability that the best passage
answers the question, from the search's evidence features (evidence.py).

A logistic regression, so the saved model is a few numbers in JSON (no
pickle, no scikit-learn at search time) that describe themselves: the
features they read, the encoder whose cosines they were fitted on, the
threshold below which the retriever abstains, and a model card.
benchmarks/train_abstention.py rebuilds it from the shared data.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = "rag-news/abstainer/1"
MODELS_DIR = Path(__file__).with_name("models")


def bundled_path(encoder: str) -> Path:
    """Where the shipped model fitted on `encoder`'s cosines lives."""
    return MODELS_DIR / encoder / "abstention.json"


@dataclass(frozen=True)
class Abstainer:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float  # abstain when the probability is below it
    encoder: str  # the model whose cosines the weights were fitted on
    card: dict = field(default_factory=dict)
    # (slope, offset) on the log-odds, fitted on the news development sets:
    # the regression is fitted on Wikipedia (DRCD), whose questions share more
    # words with their passages, and reads news too low without it.
    calibration: tuple[float, float] = (1.0, 0.0)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, features, *, encoder: str,
            seed: int = 0) -> Abstainer:
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale = np.where(scale > 1e-9, scale, 1.0)
        lr = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
        lr.fit((x - mean) / scale, y)
        return cls(tuple(features), mean.astype(np.float64), scale.astype(np.float64),
                   lr.coef_[0].astype(np.float64), float(lr.intercept_[0]), 0.5, encoder,
                   {"model": "logistic regression (scikit-learn), standardised features",
                    "seed": seed})

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """The regression's own log-odds, before calibration."""
        return ((np.atleast_2d(x) - self.mean) / self.scale) @ self.weights + self.intercept

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        slope, offset = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * self.log_odds(x) + offset)))

    def calibrated(self, x: np.ndarray, y: np.ndarray) -> Abstainer:
        """The same model with its log-odds rescaled to fit labels `y` of
        searches `x` (Platt scaling: one slope, one offset)."""
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000).fit(self.log_odds(x)[:, None], y)
        return replace(self, calibration=(float(lr.coef_[0][0]), float(lr.intercept_[0])))

    def probability(self, x: np.ndarray, names: tuple[str, ...] | None = None) -> float:
        """The probability for one search's features `x`, named `names` when
        they are more than the model reads (a model fitted before features
        were added reads its own)."""
        if names is not None and names != self.features:
            x = np.asarray(x)[[names.index(f) for f in self.features]]
        return float(self.probabilities(x)[0])

    def with_card(self, threshold: float, card: dict) -> Abstainer:
        return replace(self, threshold=threshold, card={**self.card, **card})

    def to_dict(self) -> dict:
        return {"format": FORMAT, "features": list(self.features), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "weights": self.weights.tolist(),
                "intercept": self.intercept, "threshold": self.threshold,
                "encoder": self.encoder, "card": self.card,
                "calibration": list(self.calibration)}

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path) -> Abstainer:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{path} is not an abstention model of format {FORMAT}")
        return cls(tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
                   np.array(data["weights"]), float(data["intercept"]), float(data["threshold"]),
                   data["encoder"], data.get("card", {}),
                   tuple(data.get("calibration", (1.0, 0.0))))

    @staticmethod
    def fingerprint(path: str | Path) -> str:
        """What the index manifest records of the model in use."""
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        return f"{Path(path).name}@{digest}"


@lru_cache(maxsize=4)
def bundled_for(encoder: str, path: str | Path | None = None) -> Abstainer | None:
    """The shipped model when it was fitted on this encoder's cosines and reads
    features search computes (all, or those of an earlier release); else None
    (the hand bars apply)."""
    from .evidence import FEATURES

    if path is None and (not encoder or "/" in encoder or encoder.startswith(".")):
        return None  # a model folder, not a name with a shipped model
    path = Path(path) if path is not None else bundled_path(encoder)
    if not path.exists():
        return None
    model = Abstainer.load(path)
    return model if model.encoder == encoder and set(model.features) <= set(FEATURES) else None


def calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean predicted - share right| over equal-width
    bins, weighted by how many predictions fall in each."""
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(p[inside].mean() - y[inside].mean())
    return float(total / max(len(p), 1))
