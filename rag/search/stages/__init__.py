"""The stages a search can run, by name. Adding one is a module here with a
class (a `name` and `__call__(state)`) and a line below; list its name in
`RetrievalParams.stages` to run it."""

from .abstention import Abstention
from .byline_article import BylineArticle
from .byline_hit import BylineHit
from .confidence import Confidence
from .dense import DenseCandidates
from .fusion import ScoreFusion
from .keyword import KeywordCandidates
from .named_entity import NamedEntity
from .sentence_bonus import SentenceBonus

STAGES = {
    "byline_article": BylineArticle,
    "dense": DenseCandidates,
    "keyword": KeywordCandidates,
    "fusion": ScoreFusion,
    "sentence_bonus": SentenceBonus,
    "named_entity": NamedEntity,
    "confidence": Confidence,
    "abstention": Abstention,
    "byline_hit": BylineHit,
}


def make_stages(names) -> list:
    unknown = [n for n in names if n not in STAGES]
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(unknown)}; the stages are "
                         f"{', '.join(STAGES)}")
    return [STAGES[name]() for name in names]
