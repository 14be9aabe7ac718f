"""Retrieval settings: the numbers of fusion and abstention, the stage list,
and which rules are switched off. Frozen, so a result can say what produced it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from .profiles import Profile
from .rules import check_names

_FITTED = ("min_cosine", "min_cosine_latin", "cosine_per_coverage")

# In order: a question naming an article by its byline fixes the candidates;
# dense and keyword candidates; fusion; re-ranking; how sure the best passage
# answers; abstention; hits added.
DEFAULT_STAGES = ("byline_article", "dense", "keyword", "fusion", "sentence_bonus",
                  "named_entity", "confidence", "abstention", "byline_hit")


@dataclass(frozen=True)
class RetrievalParams:
    """Hybrid score = BM25 / best BM25 for the query + dense_weight * z, where z
    is the passage's cosine in standard deviations above the corpus mean for
    this query. Scores, unlike ranks (RRF), keep how much better the best
    passage is: on CMRC hit@1 0.90 against 0.79 for RRF (same chunks, same model).
    """

    candidates: int = 50  # per retriever, before fusion
    # None: the encoder's fitted weighting (profiles.py), which listens to the
    # question when the fusion_weighting rule is on; a number: that constant.
    dense_weight: float | None = None
    # Bonus for a passage holding most of the question's words in ONE sentence:
    # answers sit in a sentence, and long passages otherwise win on scattered words.
    sentence_weight: float = 0.4
    # Bonus for a passage that speaks of the place, organisation or author a
    # question names, when the best passage does not (stages/named_entity.py).
    entity_weight: float = 1.0
    # Abstain when the best passage neither shares enough of the question's
    # words nor is semantically close; the cosine bar is lowered by
    # cosine_per_coverage x the share of words it does hold. Questions without
    # Chinese characters get a lower bar: cross-lingual cosines run lower and
    # BM25 cannot help. The cosine bars are fitted per encoder (None: the
    # encoder's profile).
    min_coverage: float = 0.5
    min_cosine: float | None = None
    min_cosine_latin: float | None = None
    cosine_per_coverage: float | None = None
    calibration_sample: int = 2048  # vectors used to estimate the cosine mean/std
    # "What is X's article about" is answered from the article's opening
    # paragraphs, where a commentary states its case (lede and nut graf).
    opening_paragraphs: int = 2
    stages: tuple[str, ...] = DEFAULT_STAGES
    rules_off: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "rules_off", check_names(self.rules_off))
        object.__setattr__(self, "stages", tuple(self.stages))
        if self.candidates < 1:
            raise ValueError("candidates must be at least 1")

    def fitted(self, profile: Profile) -> RetrievalParams:
        """These settings with the encoder-fitted numbers left open taken from `profile`."""
        return replace(self, **{name: getattr(profile, name) for name in _FITTED
                                if getattr(self, name) is None})

    def uses(self, rule: str) -> bool:
        return rule not in self.rules_off

    def without(self, *rules: str) -> RetrievalParams:
        return replace(self, rules_off=self.rules_off | check_names(rules))

    @property
    def pipeline(self) -> tuple[str, ...]:
        """The stage list and the rules switched off, as recorded with results."""
        return (*self.stages, *(f"-{r}" for r in sorted(self.rules_off)))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["stages"] = list(self.stages)
        data["rules_off"] = sorted(self.rules_off)
        return data


DEFAULT_PARAMS = RetrievalParams()
