"""A question that names a place, an organisation or an author restricts
itself to it (新疆工会怎样培养技能人才？): when the best passage neither names
it nor belongs to an article about it, passages of an article about it gain
entity_weight (for several names, in proportion). A question whose best
passage already speaks of every name it holds is left as it was.

A passage naming it in passing gains nothing: 上海市工会如何宣传工运史？ would
otherwise be answered by the one passage that names Shanghai, on maternity
insurance (even at half the weight), rather than by the history article
with a note that it does not mention Shanghai."""

from __future__ import annotations

from ..entities import article_is_about


class NamedEntity:
    name = "named_entity"

    def __call__(self, state) -> None:
        query, params = state.query, state.params
        if (not query.entities or state.about or not len(state.rows)
                or not params.entity_weight or not params.uses(self.name)):
            return
        passages = state.retriever.passages
        about: dict[tuple[str, str], bool] = {}  # (article id, name) -> is about it

        def speaks_of(row: int, entity) -> bool:
            """Passage `row` belongs to an article about `entity`."""
            _, article = passages.chunk(row)
            key = (article.id, entity.name)
            if key not in about:
                about[key] = article_is_about(article, entity)
            return about[key]

        best = int(state.rows[state.top()[0]])
        missing = [e for e in query.entities
                   if not (e.in_text(passages.text(best)) or speaks_of(best, e))]
        if not missing:
            return
        for j, row in enumerate(state.rows.tolist()):
            share = sum(speaks_of(row, e) for e in missing) / len(missing)
            state.scores[j] += params.entity_weight * share
