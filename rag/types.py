"""The small frozen records every part of the package passes around.

They never change shape: the CLI's JSON, the index files and the UI are all
built from these fields, so adding a field is a format change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class Section:
    """A heading inside an article body; `start` is its offset in the body."""

    heading: str
    start: int


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article body: `body[start:end] == text`.

    `number` counts text paragraphs from 1 (headings are not counted, they
    name the `section` of the paragraphs below them).
    """

    number: int
    start: int
    end: int
    text: str
    section: str


@dataclass(frozen=True)
class Article:
    """One article: clean body text (paragraphs separated by a blank line)
    plus what a reader needs to cite it."""

    id: str
    title: str
    body: str
    author: str = ""
    affiliation: str = ""
    date: str = ""
    source: str = ""
    url: str = ""
    deck: str = ""
    byline: str = ""
    sections: tuple[Section, ...] = ()
    # Read by OCR from a scan: each text paragraph's OCR confidence (its least
    # sure line), in order; empty for text from a text layer or a file. A
    # field with a default, so indexes written before it read unchanged.
    ocr: tuple[float, ...] = ()

    def paragraphs(self) -> list[Paragraph]:
        """Text paragraphs in order, each with the heading it sits under."""
        heading_at = {s.start: s.heading for s in self.sections}
        result: list[Paragraph] = []
        section = ""
        pos = 0
        for block in self.body.split(PARAGRAPH_BREAK):
            start = pos
            pos += len(block) + len(PARAGRAPH_BREAK)
            lead = len(block) - len(block.lstrip())
            text = block.strip()
            if not text:
                continue
            start += lead
            if heading_at.get(start) == text:
                section = text
                continue
            result.append(Paragraph(len(result) + 1, start, start + len(text), text, section))
        return result

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Article:
        sections = tuple(Section(**s) for s in data.get("sections", ()))
        return cls(**{**data, "sections": sections, "ocr": tuple(data.get("ocr", ()))})


def chunk_id(article_id: str, start: int, end: int) -> str:
    return f"{article_id}#{start}-{end}"


@dataclass(frozen=True)
class Chunk:
    """A passage: `article.body[start:end] == text`, never crossing a paragraph."""

    id: str
    article_id: str
    text: str
    start: int
    end: int
    paragraph: int
    section: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


HIT_KINDS = ("passage", "byline")


@dataclass(frozen=True)
class Hit:
    """A ranked passage with everything needed to quote and cite it.

    `kind` is "passage" for body text (`text == article.body[start:end]`) and
    "byline" for the article's headline, byline and dateline (paragraph 0,
    see search.bylines.byline_hit), returned first for a question asking who
    wrote an article, where its author works, what it is called or when it
    appeared."""

    text: str
    score: float
    article_id: str
    title: str
    author: str
    section: str
    paragraph: int
    start: int
    end: int
    chunk_id: str = ""
    kind: str = "passage"

    @property
    def citation(self) -> str:
        parts = [f"《{self.title}》"]
        if self.author:
            parts.append(self.author)
        if self.section:
            parts.append(f"“{self.section}”")
        parts.append("署名" if self.kind == "byline" else f"第{self.paragraph}段")
        return "，".join(parts)

    def to_dict(self, rank: int | None = None) -> dict:
        data = {} if rank is None else {"rank": rank}
        data.update(
            score=round(float(self.score), 6),
            text=self.text,
            article_id=self.article_id,
            title=self.title,
            author=self.author,
            section=self.section,
            paragraph=self.paragraph,
            start=self.start,
            end=self.end,
            kind=self.kind,
            citation=self.citation,
        )
        return data


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits for one query. When `abstained` is true the hits are only
    the closest passages, not an answer, and must be shown as such;
    `abstain_reason` names the rule that decided it. `confidence` is the
    learned abstention's calibrated probability that the first hit answers
    (None where no model applies, e.g. a question about an article itself). `pipeline` names the
    stages that ran and the rules switched off ("-rule"), so a result always
    says what produced it."""

    query: str
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    abstained: bool = False
    abstain_reason: str = ""
    # search.answer_types.MissingFact: when the answer was withdrawn because the
    # passages on the topic lack the fact asked for (a rate, a year), which.
    missing: object | None = None
    pipeline: tuple[str, ...] = ()
    confidence: float | None = None  # calibrated probability that the first hit answers
    truncated: bool = False  # only the question's first MAX_QUESTION_CHARS were read

    def to_dict(self, *, debug: bool = False) -> dict:
        data = {
            "query": self.query,
            "abstained": self.abstained,
            "confidence": self.confidence,
            "hits": [h.to_dict(rank=i + 1) for i, h in enumerate(self.hits)],
        }
        if self.truncated:  # present only then, so the usual object keeps its keys
            data["truncated"] = True
        if self.abstain_reason == "no_article_matches_filters":  # search.filters.NO_MATCH
            data["no_article_matches_filters"] = True  # so nothing was searched
        if self.missing is not None:  # likewise
            data["missing"] = self.missing.to_dict()
        if debug:
            data.update(abstain_reason=self.abstain_reason, pipeline=list(self.pipeline))
        return data
