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
"""

from __future__ import annotations

from .. import facts


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
