"""Extractive answers: the sentences of the best passages that carry the answer,
quoted verbatim with numbered citations. Shared by the chat UI and `rag ask`.

Nothing here paraphrases: every quote is `article.body[start:end]`, so a reader
can always check it against the article.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..search import Query
from ..search.bylines import printed
from ..search.entities import unmentioned
from ..search.filters import NO_MATCH
from ..text import fold
from ..types import Article, Hit
from .lists import (
    asks_about,
    elaborated,
    expand,
    head_of_item,
    item_asked,
    lede,
    points_at_article,
)
from .render import (
    FILTERED_MESSAGE,
    FILTERED_MESSAGE_EN,
    UNSURE_BELOW,
    UNSURE_MESSAGE,
    UNSURE_MESSAGE_EN,
    abstain_message,
    escape_markdown,
    render_quotes,
)
from .select import select_sentences


@dataclass(frozen=True)
class Citation:
    n: int
    quote: str  # the selected sentence(s), verbatim
    text: str  # the full passage the quote comes from
    article_id: str
    title: str
    author: str
    section: str
    paragraph: int  # 0 for a quote of the article's byline/metadata
    start: int  # body offsets of the quote; -1 when it is metadata, not body text
    end: int
    # "passage"; "item": one item of a list the answer quotes; "byline": the
    # article's headline, byline and dateline; "headline": its headline and deck
    kind: str = "passage"

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Answer:
    question: str
    query: str  # what retrieval used, after follow-up context
    answer: str  # markdown, HTML-escaped
    abstained: bool
    citations: tuple[Citation, ...] = ()
    closest: tuple[Hit, ...] = field(default_factory=tuple)
    terms: tuple[str, ...] = ()  # the question's words, longest first, for highlighting
    truncated: bool = False  # only the question's first MAX_QUESTION_CHARS were read
    confidence: float | None = None  # calibrated probability that the first quote's passage answers
    language: str = "zh"  # the question's: "en" for one without Chinese characters
    # What the question names (a place, an organisation, an author) that no
    # quoted passage mentions, nor its article's headline or byline: the
    # reader is told before the quotes.
    unmentioned: tuple[str, ...] = ()
    # "quote": sentences that answer; "list": a lead-in and the items of an
    # enumeration (citations of kind "item"); "about": the headline and lede of
    # the article a question asks about as a whole; "byline": the article's byline;
    # "filtered": no article passes the search filters (nothing was searched)
    kind: str = "quote"
    # Why it abstained, when the reason is a fact the passages on the topic lack
    # (search.answer_types.MissingFact, from SearchResult.missing): the reader is told.
    missing: object | None = None

    @property
    def unsure(self) -> bool:
        """Quotes are given, but the search doubts they answer."""
        return (not self.abstained and self.confidence is not None
                and self.confidence < UNSURE_BELOW)

    def to_dict(self) -> dict:
        data = {
            "question": self.question,
            "query": self.query,
            "answer": self.answer,
            "abstained": self.abstained,
            "confidence": self.confidence,
            "unsure": self.unsure,
            "citations": [c.to_dict() for c in self.citations],
            "closest": [h.to_dict(rank=i + 1) for i, h in enumerate(self.closest)],
            "terms": list(self.terms),
            "language": self.language,
            "unmentioned": list(self.unmentioned),
            "kind": self.kind,
        }
        if self.missing is not None:  # present only then
            data["missing"] = self.missing.to_dict()
        if self.truncated:  # present only then, like SearchResult.to_dict
            data["truncated"] = True
        return data


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) > len(letters) / 2


def _byline_citation(article: Article) -> Citation:
    """The article's byline as printed (see bylines.printed), or its title."""
    quote = printed(article) or f"《{article.title}》"
    start = article.body.find(quote)
    meta = [f"标题：{article.title}", f"作者：{article.author}", f"单位：{article.affiliation}",
            f"日期：{article.date}", f"来源：{article.source}", article.byline.strip()]
    return Citation(1, quote, "\n".join(m for m in meta if m and not m.endswith("：")),
                    article.id, article.title, article.author, "", 0, start,
                    start + len(quote) if start >= 0 else -1, kind="byline")


def answer_question(retriever, question: str | Query, *, k: int = 5, mode: str = "hybrid",
                    history=()) -> Answer:
    """Answer `question` with quotes from the corpus, using `history` (earlier user
    questions, or (user, assistant) pairs, or Gradio messages) for follow-ups."""
    query = question if isinstance(question, Query) else retriever.analyze(question,
                                                                           history=history)
    if history and retriever.params.uses("list_follow_up") and not isinstance(question, Query):
        if (item := _item_of_previous_list(retriever, query, history, k, mode)) is not None:
            return item
    result = retriever.search(query, k=k, mode=mode)
    terms = query.highlight_terms
    if result.abstain_reason == NO_MATCH:  # the filters', not the question's, doing
        message = FILTERED_MESSAGE.format(filters=retriever.filters.describe()) + (
            f" {FILTERED_MESSAGE_EN}" if _mostly_latin(query.question) else "")
        return Answer(query.question, query.context, message, True, (), (), terms,
                      query.truncated, None, query.language, kind="filtered")
    if result.abstained or not result.hits:
        message = abstain_message(result.missing, english=_mostly_latin(query.question))
        if result.missing is not None:  # it quotes the question's words: made inert
            message = escape_markdown(message)
        return Answer(query.question, query.context, message, True, (),
                      tuple(result.hits[:3]), terms, query.truncated, result.confidence,
                      query.language, missing=result.missing)
    # The retriever puts the byline first for a question asking for it; a
    # follow-up such as "作者是谁？" asks of the previous turn's article.
    if query.about_article or result.hits[0].kind == "byline":
        top = retriever.article(result.hits[0].article_id)
        citation = _byline_citation(top)
        text = f"{escape_markdown(f'《{citation.title}》')}：{render_quotes([citation])}"
        return Answer(query.question, query.context, text, False, (citation,), (), terms,
                      query.truncated, result.confidence, query.language, kind="byline")
    if retriever.params.uses("about_answer") and asks_about(query.question):
        if about := _about(retriever, query, result, history, k, mode):
            return Answer(query.question, query.context, render_quotes(about), False, about,
                          (), terms, query.truncated, result.confidence, query.language,
                          kind="about")
    chosen = select_sentences(retriever, query, result.hits)
    kind, citations = _expanded(retriever, query, chosen)
    if not citations:
        citations = tuple(_spelled_out(retriever, _cited(c, i + 1)) for i, c in enumerate(chosen))
    text = render_quotes(citations)
    if result.confidence is not None and result.confidence < UNSURE_BELOW:
        unsure = UNSURE_MESSAGE_EN if _mostly_latin(query.question) else UNSURE_MESSAGE
        text = f"*{escape_markdown(unsure)}*\n\n{text}"
    missing = unmentioned(query.entities,
                          [(fold(c.text), retriever.article(c.article_id)) for c in citations])
    return Answer(query.question, query.context, text, False, citations, (), terms,
                  query.truncated, result.confidence, query.language, missing, kind)


def _cited(candidate, n: int) -> Citation:
    """A chosen sentence (select.Candidate) as citation n."""
    hit = candidate.hit
    return Citation(n, candidate.text, hit.text, hit.article_id, hit.title, hit.author,
                    hit.section, hit.paragraph, candidate.start, candidate.end)


def _spelled_out(retriever, citation: Citation) -> Citation:
    """An item's first sentence quoted alone (三是系统实施史志图书出版宣传。) only
    names its point: the quote runs on through the sentences that spell it out
    (rule item_elaboration)."""
    if not retriever.params.uses("item_elaboration") or citation.start < 0:
        return citation
    article = retriever.article(citation.article_id)
    span = head_of_item(article.body, citation.start, citation.end)
    if span is None or span[1] <= citation.end:
        return citation
    paragraph = next((p for p in article.paragraphs() if p.start <= span[0] < p.end), None)
    if paragraph is None:
        return citation
    end = min(span[1], paragraph.end)
    return replace(citation, quote=article.body[citation.start:end], text=paragraph.text, end=end)


def _previous_answer(retriever, history, k: int, mode: str) -> Answer | None:
    """The answer the conversation's last earlier question got (None without one)."""
    from ..search.inputs import read_history

    earlier = read_history(history) if history else []
    if not earlier:
        return None
    return answer_question(retriever, earlier[-1], k=k, mode=mode, history=earlier[:-1])


def _about(retriever, query: Query, result, history, k: int, mode: str) -> tuple[Citation, ...]:
    """What an article is about, as it says itself (rule about_answer): its
    headline (and deck), its lede, then the sentence of it the search found
    best. The article is the previous answer's when the question points at one
    (这篇文章, the article), else the best hit's."""
    article_id = result.hits[0].article_id
    if history and points_at_article(query.question):
        previous = _previous_answer(retriever, history, k, mode)
        if previous is not None and previous.citations:
            article_id = previous.citations[0].article_id
    article = retriever.article(article_id)
    paragraphs = article.paragraphs()
    if not paragraphs:
        return ()
    headline = article.title + (f"——{article.deck}" if article.deck else "")
    first = paragraphs[0]
    start, end = lede(article.body, (first.start, first.end))
    more = [c for c in select_sentences(retriever, query, result.hits, limit=1)
            if c.hit.article_id == article.id and not (c.start < end and c.end > start)]
    return (Citation(1, headline, headline, article.id, article.title, article.author, "", 0,
                     -1, -1, kind="headline"),
            Citation(2, article.body[start:end], first.text, article.id, article.title,
                     article.author, first.section, first.number, start, end),
            *(_cited(c, 3 + i) for i, c in enumerate(more)))


def _item_of_previous_list(retriever, query: Query, history, k: int, mode: str) -> Answer | None:
    """第三条是什么？ after a list answer: that item, quoted (rule list_follow_up)."""
    asked = item_asked(query.question)
    if asked is None or (previous := _previous_answer(retriever, history, k, mode)) is None:
        return None
    items = [c for c in previous.citations if c.kind == "item"]
    if previous.kind != "list" or not items or asked > len(items):
        return None
    chosen = items[asked - 1] if asked else items[-1]
    body = retriever.article(chosen.article_id).body
    end = elaborated(body, chosen.start, chosen.end)
    citation = Citation(1, body[chosen.start:end], chosen.text, chosen.article_id, chosen.title,
                        chosen.author, chosen.section, chosen.paragraph, chosen.start, end,
                        kind="passage")
    return Answer(query.question, query.context, render_quotes([citation]), False, (citation,),
                  (), query.highlight_terms, query.truncated, previous.confidence,
                  query.language)


def _expanded(retriever, query: Query, chosen) -> tuple[str, tuple[Citation, ...]]:
    """The chosen quotes with the best one opened into the list it introduces,
    or belongs to when the question asks for several things (rule list_items):
    ("list", citations), the lead-in and items where the best quote stood; else
    ("quote", ())."""
    if not chosen or not retriever.params.uses("list_items"):
        return "quote", ()
    best = max(chosen, key=lambda c: c.score)
    article = retriever.article(best.hit.article_id)
    spans = expand(article.body, best.start, best.end, query.question,
                   passage=(best.hit.start, best.hit.end))
    paragraphs = article.paragraphs()
    listed = []
    for span in spans:
        where = next((p for p in paragraphs if p.start <= span.start < p.end), None)
        if where is not None:
            listed.append(Citation(0, article.body[span.start:span.end], where.text, article.id,
                                   article.title, article.author, where.section, where.number,
                                   span.start, span.end, kind="item" if span.item else "passage"))
    if sum(c.kind == "item" for c in listed) < 2:
        return "quote", ()

    def overlaps(c, x) -> bool:
        return c.hit.article_id == article.id and c.start < x.end and c.end > x.start

    # The list first; the best quote stays whole when it says more than the
    # list's lines it overlaps (a lead-in merged with what follows it), and
    # comes after the list when it is not part of it.
    inside = [x for x in listed if overlaps(best, x)]
    whole = bool(inside) and (best.start < inside[0].start or best.end > inside[-1].end)
    out = [_cited(best, 0)] if whole else []
    out += [x for x in listed if not (whole and overlaps(best, x))]
    out += [_cited(c, 0) for c in chosen if c is not best
            and not any(overlaps(c, x) for x in listed)]
    if not inside:
        out.append(_cited(best, 0))
    return "list", tuple(replace(c, n=i + 1) for i, c in enumerate(out))
