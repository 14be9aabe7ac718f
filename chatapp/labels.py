"""What the chat says, in the question's language: an English question gets
English labels and messages, with the Chinese quotes kept verbatim."""

from __future__ import annotations

from rag import ABSTAIN_MESSAGE, LOW_RELEVANCE, UNSURE_MESSAGE

LABELS = {
    "zh": {
        "sources": "来源",
        "paragraph": "第{n}段",
        "byline": "署名",
        "context": "在原文中查看上下文",
        "cite": "引用",
        "copy": "复制引用",
        "copied": "已复制",
        "source_n": "来源 {n}",
        "open_source": "查看原文段落",
        "unmentioned": "以下段落未提及{names}。",
        "quote_open": "“",
        "quote_close": "”",
        "list_sep": "、",
        "searching": "正在检索…",
        "abstain": ABSTAIN_MESSAGE,
        "unsure": UNSURE_MESSAGE,
        "low": LOW_RELEVANCE,
        "you": "你的问题",
        "answer": "回答",
    },
    "en": {
        "sources": "Sources",
        "paragraph": "para. {n}",
        "byline": "byline",
        "context": "Show in the article",
        "cite": "Cite",
        "copy": "Copy citations",
        "copied": "Copied",
        "source_n": "Source {n}",
        "open_source": "Open the passage",
        "unmentioned": "The passages below do not mention {names}.",
        "quote_open": "“",
        "quote_close": "”",
        "list_sep": ", ",
        "searching": "Searching…",
        "abstain": "The articles in this collection do not cover this question.",
        "unsure": "These quotes may not answer the question directly: check them.",
        "low": "Closest passages (low relevance: not an answer, for reference only)",
        "you": "Your question",
        "answer": "Answer",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["zh"])


def language_of(text: str) -> str:
    """"en" for a message without Chinese characters (as rag's Query reads it),
    for what is shown before the answer is there."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
