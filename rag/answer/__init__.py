"""Answers made only of quoted sentences, each with a numbered citation."""

from .compose import Answer, Citation, answer_question
from .render import (
    ABSTAIN_MESSAGE,
    ABSTAIN_MESSAGE_EN,
    LOW_RELEVANCE,
    UNSURE_MESSAGE,
    UNSURE_MESSAGE_EN,
    answer_to_text,
    citation_line,
    escape_markdown,
)
from .select import select_sentences

__all__ = ["ABSTAIN_MESSAGE", "ABSTAIN_MESSAGE_EN", "LOW_RELEVANCE", "UNSURE_MESSAGE",
           "UNSURE_MESSAGE_EN", "Answer", "Citation",
           "answer_question", "answer_to_text", "citation_line", "escape_markdown",
           "select_sentences"]
