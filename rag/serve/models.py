"""What the JSON API takes and gives, as pydantic models: FastAPI validates
requests with them and builds the OpenAPI schema at /docs from them; MCP's
tools take the same fields.

A request is checked strictly (a number sent as a string, an unknown field,
k = 0 are refused with the field and the reason) by the same rules as the
chat (limits.py). The responses are the CLI's JSON (`SearchResult.to_dict`,
`Answer.to_dict`), described here field by field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import limits

Mode = Literal["hybrid", "dense", "bm25"]
MAX_ARTICLE_IDS = 100


def _question(text: str) -> str:
    return limits.check_question(text)


def _history(items: list[str]) -> list[str]:
    return limits.check_history(items)


Question = Annotated[str, AfterValidator(_question), Field(
    description="The question, in Chinese (simplified or traditional) or English.",
    examples=["灵活就业人员能领生育津贴吗？"],
    json_schema_extra={"maxLength": limits.MAX_QUESTION_CHARS})]
K = Annotated[int, Field(ge=limits.K_RANGE[0], le=limits.K_RANGE[1],
                         description="How many passages to search for.")]
History = Annotated[list[str], AfterValidator(_history), Field(
    max_length=limits.MAX_HISTORY,
    description="Earlier questions of the conversation, oldest first, for a follow-up "
                "such as “作者是谁？”.")]
ArticleIds = Annotated[list[Annotated[str, Field(min_length=1)]] | None, Field(
    max_length=MAX_ARTICLE_IDS,
    description="Only passages of these articles (ids as GET /api/v1/articles lists them).")]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


DateText = Annotated[str | None, Field(
    description="A date: 2025-07-01, 2025/7/1 or 2025年7月1日.", examples=["2025-06-30"])]
Names = Annotated[list[Annotated[str, Field(min_length=1)]] | None, Field(
    max_length=MAX_ARTICLE_IDS)]


class Filters(Strict):
    """Which articles a question is asked of, applied before ranking
    (rag.Filters). The one place the request's restrictions live: every
    endpoint takes these fields."""

    article_ids: ArticleIds = None
    since: DateText = None
    until: DateText = None
    source: Annotated[Names, Field(description="Only articles whose source (the paper) "
                                               "contains one of these.")] = None
    author: Annotated[Names, Field(description="Only articles whose author contains one "
                                               "of these.")] = None

    def to_filters(self):
        """The search's Filters; a bad date is limits.BadRequest."""
        from ..search.filters import Filters as SearchFilters

        try:
            return SearchFilters.from_mapping({
                "since": self.since, "until": self.until, "source": self.source,
                "author": self.author, "article": self.article_ids})
        except ValueError as err:
            raise limits.BadRequest(str(err)) from None


class SearchRequest(Filters):
    question: Question
    k: K = 5
    mode: Mode = "hybrid"
    history: History = Field(default_factory=list)


class AskRequest(SearchRequest):
    """The same fields as a search; the answer quotes the passages found."""


# -- responses ------------------------------------------------------------------


class HitOut(BaseModel):
    rank: int
    score: float
    text: str = Field(description="The passage, exactly as in the article: body[start:end].")
    article_id: str
    title: str
    author: str
    section: str
    paragraph: int = Field(description="Paragraph number from 1; 0 for the byline.")
    start: int
    end: int
    kind: str = Field(description="passage, or byline (the headline, byline and dateline)")
    citation: str = Field(description="The citation as the chat prints it.")


class SearchOut(BaseModel):
    query: str
    abstained: bool = Field(description="True: the articles do not answer; the hits are only "
                                        "the closest passages.")
    abstain_reason: str = Field(description="The rule that decided the abstention, or empty.")
    confidence: float | None = Field(description="Calibrated probability that the first hit "
                                                 "answers (null where no model applies).")
    hits: list[HitOut]
    pipeline: list[str] = Field(description="The search stages that ran, and rules switched off.")
    no_article_matches_filters: bool = Field(
        False, description="True: no article passes the request's filters, so nothing was "
                           "searched (abstain_reason says the same).")


class CitationOut(BaseModel):
    n: int = Field(description="The number the answer's [n] marker refers to.")
    quote: str = Field(description="The quoted sentence(s), verbatim.")
    text: str = Field(description="The whole passage the quote comes from.")
    article_id: str
    title: str
    author: str
    section: str
    paragraph: int
    start: int = Field(description="Body offset of the quote; -1 when it is metadata.")
    end: int
    kind: str = Field(description="passage, item (of a list), byline or headline")


class AnswerOut(BaseModel):
    question: str
    query: str = Field(description="What was searched, after a follow-up's context.")
    answer: str = Field(description="Markdown: the quotes, each followed by its [n].")
    abstained: bool
    confidence: float | None
    unsure: bool = Field(description="Quotes are given but may not answer: check them.")
    citations: list[CitationOut]
    closest: list[HitOut] = Field(description="When abstained: the closest passages (not an "
                                              "answer).")
    terms: list[str]
    language: str
    unmentioned: list[str] = Field(description="What the question names that no quote mentions.")
    kind: str = Field(description="quote, list, about or byline")


class ArticleSummary(BaseModel):
    id: str
    title: str
    author: str
    affiliation: str
    date: str
    source: str
    url: str


class ArticleList(BaseModel):
    total: int
    offset: int
    articles: list[ArticleSummary]


class ParagraphOut(BaseModel):
    number: int
    start: int
    end: int
    text: str
    section: str


class ArticleOut(ArticleSummary):
    deck: str
    byline: str
    body: str
    paragraphs: list[ParagraphOut]


class ErrorOut(BaseModel):
    status: int
    reason: str
