"""The query side: a question analysed once (`Query`), then a pipeline of
named stages (candidates, fusion, re-ranking, abstention, hits added) whose
every hand-written rule has a name and a switch (`rules.CATALOGUE`)."""

from .answer_types import Expected, MissingFact, expected_type
from .filters import Filters, parse_date
from .inputs import MAX_K, MAX_QUESTION_CHARS, MODES
from .params import DEFAULT_STAGES, RetrievalParams
from .query import Query
from .retriever import Retriever
from .rules import CATALOGUE, RULES, Rule
from .stages import STAGES

__all__ = ["CATALOGUE", "DEFAULT_STAGES", "MAX_K", "MAX_QUESTION_CHARS", "MODES", "RULES",
           "STAGES", "Expected", "Filters", "MissingFact", "Query", "RetrievalParams",
           "Retriever", "Rule", "expected_type", "parse_date"]
