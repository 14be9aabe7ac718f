"""How sure the search is that its best passage answers: the learned
abstention's calibrated probability (abstainer.py) over the evidence
features of the ranked candidates (evidence.py)."""

from __future__ import annotations

from ..evidence import FEATURES, evidence


class Confidence:
    name = "confidence"

    def __call__(self, state) -> None:
        abstainer = state.retriever.abstainer
        # Fitted on hybrid searches: the features of a one-sided search differ.
        if (abstainer is None or not state.params.uses("learned_abstention") or state.about
                or state.mode != "hybrid"):
            return
        if not len(state.rows):
            state.confidence = 0.0
            return
        state.confidence = abstainer.probability(evidence(state), FEATURES)
