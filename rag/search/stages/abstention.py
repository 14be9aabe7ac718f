"""Whether the best passage answers the question at all; each reason to say
no is a rule (see rules.py):

- low_evidence: it neither holds most of the question's words (for an English
  question: most of its content words, via their Chinese terms) nor is
  semantically close;
- learned_abstention: the calibrated probability that it answers (the
  confidence stage, a model trained on DRCD near misses) is below the
  model's threshold (a question naming a place the corpus never mentions,
  法国的灵活就业人员怎样参保, is one of its features, no longer a rule);
- office_holder, fact_*: the question asks for a kind of fact (a year, a sum,
  who holds an office) that the passage does not state
  (韩国的产假补贴是多少 finds maternity-benefit passages, none of which can say).

A question about an article named by its byline is answered (the article
exists) unless it asks for a fact its passage does not state.

When the answer is withdrawn because the best passage, on the question's
topic, does not hold the kind of fact asked for (a fact rule, or the model
with the expected answer type missing), `state.missing` says which
(answer_types.MissingFact), for the reader.
"""

from __future__ import annotations

from .. import facts
from ..answer_types import Expected, MissingFact, held_where

# Not where a topic begins or ends: 灵活就业的 -> 灵活就业, 的若干措施 -> 若干措施.
_PARTICLES = frozenset("的了是在和与及把被从对为就都也")
# The kind of answer each fact rule checks for, to tell the reader what was missing.
_RULE_EXPECTS = {"fact_year": Expected("time", "年份"), "fact_money": Expected("money"),
                 "fact_head_count": Expected("count_people")}


class Abstention:
    name = "abstention"

    def __call__(self, state) -> None:
        top = state.top()
        if not top:
            state.abstain("no_passage")
            return
        best = int(state.rows[top[0]])
        params = state.params
        if reason := self.unstated_fact(state, best):
            state.abstain(reason)
        elif not state.about and params.uses("low_evidence") and self.weak(state, best):
            state.abstain("low_evidence")
        elif (state.confidence is not None
              and state.confidence < state.retriever.abstainer.threshold):
            state.abstain("learned_abstention")
        if state.abstained and state.reason != "low_evidence":
            state.missing = self.missing_fact(state, best)

    @staticmethod
    def missing_fact(state, row: int) -> MissingFact | None:
        """The fact passage `row` lacks, when that is why the answer was withdrawn."""
        query, reason = state.query, state.reason
        expected = None
        if reason == "office_holder":
            office = next((a.detail for a in query.facts if a.rule == reason), "")
            expected = Expected("person", f"{office}的姓名" if office else "")
        elif reason in _RULE_EXPECTS:
            # 生育津贴能领多少天 trips fact_money, but what it lacks is a duration.
            own = query.expected
            expected = own if own.asked and reason != "fact_year" else _RULE_EXPECTS[reason]
        elif query.expected.asked:
            passages = state.retriever.passages
            words = [w for w in query.words if len(w) > 1]
            shares = [sum(len(w) for w in words if w in s) for s in passages.sentences(row)]
            if not all(held_where(query.expected, passages.mentions, row, shares)):
                expected = query.expected
        if expected is None:
            return None
        topic = _topic(query, state.retriever.passages.text(row))
        return MissingFact(expected, topic, query.language)

    @staticmethod
    def unstated_fact(state, row: int) -> str:
        """The fact rule that passage `row` fails, or "" when its text states
        what the question asks for."""
        query, params = state.query, state.params
        if not query.facts:
            return ""
        return facts.unstated(query.facts, state.retriever.passages.body(row), params.uses)

    @staticmethod
    def weak(state, row: int) -> bool:
        """Too little evidence: few of the question's words, and not close enough."""
        query, params, passages = state.query, state.params, state.retriever.passages
        if query.translation is not None:
            coverage = query.translation.coverage(passages.text(row))
        else:
            coverage = passages.coverage(row, list(query.words))
        if coverage >= params.min_coverage:
            return False
        if state.cosines is None:  # keyword-only mode has no semantic evidence
            return True
        bar = params.min_cosine_latin if query.language == "en" else params.min_cosine
        return float(state.cosines.max()) < bar - params.cosine_per_coverage * coverage


def _topic(query, text: str, most: int = 3) -> tuple[str, ...]:
    """The stretches of the question the passage also holds, around its content
    words: 灵活就业人员的缴费, not 灵活就业人员 and 缴费 apart."""
    if query.translation is not None:  # an English question: its Chinese terms
        terms = [group[0] for group in query.translation.terms if group]
        return tuple(t for t in dict.fromkeys(terms) if len(t) > 1 and t in text)[:most]
    question, spans = query.normalized, []
    for word in dict.fromkeys(query.content_words):
        start = question.find(word)
        if len(word) < 2 or start < 0 or word not in text:
            continue
        a, b = start, start + len(word)
        while a > 0 and question[a - 1].isalnum() and question[a - 1:b] in text:
            a -= 1
        while b < len(question) and question[b].isalnum() and question[a:b + 1] in text:
            b += 1
        while question[a] in _PARTICLES and a < start:
            a += 1
        while question[b - 1] in _PARTICLES and b > start + len(word):
            b -= 1
        spans.append((a, b))
    kept = [(a, b) for a, b in dict.fromkeys(spans)
            if not any((c, d) != (a, b) and c <= a and b <= d for c, d in spans)]
    return tuple(question[a:b] for a, b in sorted(kept)[:most])
