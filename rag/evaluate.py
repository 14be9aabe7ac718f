"""Retrieval quality on QA files: the scoring rule of ../shared/eval/README.md.

A question is a hit at k when one of the top-k passages contains one of its
answers once all whitespace is removed from both; for open-retrieval sets
(CMRC) the passage must also come from the question's own article.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from .types import Article

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    type: str = ""
    article_id: str = ""  # set when only passages of this article count

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def _records(path: str | Path, make, what: str) -> list:
    """`make(record)` for each JSON line of `path`; a bad line names itself."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(make(json.loads(line)))
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{n}: not {what} ({err})") from err
    return out


def load_questions(path: str | Path) -> list[Question]:
    """Questions in the seed_qa_dev.jsonl format."""
    return _records(path, lambda d: Question(d["id"], d["question"], tuple(d["answers"]),
                                             d.get("type", "")), "a QA line")


def load_squad(path: str | Path) -> tuple[list[Article], list[Question]]:
    """A SQuAD-format file (CMRC 2018) as articles (one per context) and questions."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    articles, questions = [], []
    for doc in data["data"]:
        for n, para in enumerate(doc["paragraphs"]):
            article_id = para.get("id") or f"{doc.get('id', 'doc')}-{n}"
            title = doc.get("title", "")
            articles.append(Article(id=article_id, title=title, body=para["context"]))
            for qa in para["qas"]:
                answers = tuple(a["text"] for a in qa["answers"])
                questions.append(Question(qa["id"], qa["question"], answers, "cmrc", article_id))
    return articles, questions


@dataclass(frozen=True)
class Conversation:
    """Earlier user turns and a last question, scored on the answer to the last."""

    id: str
    turns: tuple[str, ...]
    answers: tuple[str, ...]
    type: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_conversations(path: str | Path) -> list[Conversation]:
    """Conversations in the seed_conv_fresh.jsonl format."""
    return _records(path, lambda d: Conversation(d["id"], tuple(d["turns"]), tuple(d["answers"]),
                                                 d.get("type", "")), "a conversation line")


def evaluate_conversations(retriever, conversations: list[Conversation], *,
                           mode: str = "hybrid", k: int = 5) -> dict:
    """The chat's answer to each conversation's last turn, with the earlier
    turns as history: a hit when a quoted passage (or byline) holds an answer."""
    from .answer import answer_question

    rows = []
    for c in conversations:
        started = time.perf_counter()
        answer = answer_question(retriever, c.turns[-1], k=k, mode=mode, history=c.turns[:-1])
        seconds = time.perf_counter() - started
        texts = [_squash(x.text + x.quote) for x in answer.citations]
        found = any(_squash(a) in t for a in c.answers for t in texts)
        rows.append({"id": c.id, "type": c.type, "answerable": c.answerable,
                     "rank": 1 if found else None, "abstained": answer.abstained,
                     "seconds": seconds, "ctx1": sum(len(_squash(x.quote))
                                                     for x in answer.citations),
                     "ctx5": sum(len(t) for t in texts)})
    return report_of(rows, mode=mode, k=k)


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def is_hit(hit, question: Question) -> bool:
    if question.article_id and hit.article_id != question.article_id:
        return False
    text = _squash(hit.text)
    return any(_squash(a) in text for a in question.answers)


def quoted(answer, question: Question) -> tuple[bool, bool]:
    """Whether the answer's first quote, and any of its quotes, holds an answer
    string: what a reader sees, not the passage behind it. A byline citation
    shows its metadata (title, author, unit, date) with the quote."""
    if answer.abstained or not answer.citations:
        return False, False

    def holds(c) -> bool:
        shown = _squash(c.quote + (c.text if c.kind == "byline" else ""))
        return any(_squash(a) in shown for a in question.answers)

    found = [holds(c) for c in answer.citations]
    return found[0], any(found)


def evaluate(retriever, questions: list[Question], *, mode: str = "hybrid", k: int = 5,
             quotes: bool = False) -> dict:
    """Score one retrieval mode; returns overall and per-type metrics plus per-question rows.
    `quotes`: also compose each answerable question's answer and score its quotes."""
    rows = []
    for q in questions:
        started = time.perf_counter()
        try:
            result = retriever.search(q.question, k=k, mode=mode)
            hits, abstained = result.hits, result.abstained
        except ValueError:  # an empty question counts as a miss, never a crash
            hits, abstained = (), True
        seconds = time.perf_counter() - started
        ranks = [i + 1 for i, h in enumerate(hits) if is_hit(h, q)]
        rows.append({
            "id": q.id,
            "type": q.type,
            "answerable": q.answerable,
            "rank": ranks[0] if ranks else None,
            "abstained": abstained,
            "seconds": seconds,
            "ctx1": len(_squash(hits[0].text)) if hits else 0,
            "ctx5": sum(len(_squash(h.text)) for h in hits[:5]),
        })
        if quotes and q.answerable:
            from .answer import answer_question

            try:
                answer = answer_question(retriever, q.question, k=k, mode=mode)
                rows[-1]["quote1"], rows[-1]["quote_any"] = quoted(answer, q)
            except ValueError:
                rows[-1]["quote1"] = rows[-1]["quote_any"] = False
    return report_of(rows, mode=mode, k=k)


def report_of(rows: list[dict], *, mode: str, k: int = 5, name: str = "") -> dict:
    """Overall and per-type metrics of per-question `rows` (from `evaluate`,
    possibly of several sets pooled)."""
    report = {"mode": mode, "k": k, "overall": summarize(rows), "by_type": {}}
    for qtype in sorted({r["type"] for r in rows}):
        report["by_type"][qtype] = summarize([r for r in rows if r["type"] == qtype])
    report["rows"] = rows
    if name:
        report["set"] = name
    return report


def summarize(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    n = len(answerable)
    right = sum(r["abstained"] for r in unanswerable)
    wrong = sum(r["abstained"] for r in answerable)

    def hit_at(k: int) -> float:
        return sum(1 for r in answerable if r["rank"] and r["rank"] <= k) / n if n else 0.0

    quoted_rows = [r for r in answerable if "quote1" in r]

    def quote_share(key: str) -> float | None:
        return sum(r[key] for r in quoted_rows) / len(quoted_rows) if quoted_rows else None

    return {
        "questions": len(rows),
        "answerable": n,
        # Of the answerable questions, the share whose first quote / any quote
        # holds an answer (None where answers were not composed).
        "quote@1": quote_share("quote1"),
        "quote@any": quote_share("quote_any"),
        "hit@1": hit_at(1),
        "hit@3": hit_at(3),
        "hit@5": hit_at(5),
        "mrr@5": sum(1 / r["rank"] for r in answerable if r["rank"] and r["rank"] <= 5) / n
        if n
        else 0.0,
        "abstained_unanswerable": right,
        "unanswerable": len(unanswerable),
        "false_abstentions": wrong,
        # Of the abstentions, the share that were right; of the unanswerable
        # questions, the share abstained on (None where there is nothing to count).
        "abstain_precision": right / (right + wrong) if right + wrong else None,
        "abstain_recall": right / len(unanswerable) if unanswerable else None,
        "p50_ms": 1000 * statistics.median([r["seconds"] for r in rows]) if rows else 0.0,
        "ctx@1": statistics.mean([r["ctx1"] for r in rows]) if rows else 0.0,
        "ctx@5": statistics.mean([r["ctx5"] for r in rows]) if rows else 0.0,
    }


def format_table(reports: list[dict], title: str = "") -> str:
    """Markdown table: one row per mode, then per question type for each mode."""
    head = ("| set | mode | type | n | hit@1 | hit@3 | hit@5 | MRR@5 | first quote / any quote "
            "| abstain (unans.) | false abst. | abst. P / R | ctx@1 | ctx@5 | p50 ms |")
    lines = [f"### {title}" if title else "", head, "|" + "---|" * 15]
    for rep in reports:
        groups = [("all", rep["overall"])]
        if len(rep["by_type"]) > 1:
            groups += list(rep["by_type"].items())
        for qtype, s in groups:
            lines.append(
                f"| {rep.get('set', '')} | {rep['mode']} | {qtype} | {s['questions']} "
                f"| {s['hit@1']:.3f} | {s['hit@3']:.3f} | {s['hit@5']:.3f} | {s['mrr@5']:.3f} "
                f"| {_share(s.get('quote@1'), 3)} / {_share(s.get('quote@any'), 3)} "
                f"| {s['abstained_unanswerable']}/{s['unanswerable']} | {s['false_abstentions']} "
                f"| {_share(s['abstain_precision'])} / {_share(s['abstain_recall'])} "
                f"| {s['ctx@1']:.0f} | {s['ctx@5']:.0f} | {s['p50_ms']:.1f} |"
            )
    return "\n".join(line for line in lines if line is not None)


def _share(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"
