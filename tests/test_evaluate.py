"""rag.evaluate: the scoring rule of ../shared/eval/README.md and the numbers the
quality benchmark reports, on a stand-in retriever whose answers are known."""

import json

import pytest

from rag.evaluate import Question, evaluate, format_table, load_questions, load_squad, report_of
from rag.types import Hit, SearchResult


def hit(text: str, article_id: str = "a") -> Hit:
    return Hit(text=text, score=1.0, article_id=article_id, title="", author="", section="",
               paragraph=1, start=0, end=len(text), chunk_id=f"{article_id}:{text[:4]}")


class Canned:
    """Returns the hits and abstention set for each question."""

    def __init__(self, answers: dict[str, tuple[list[Hit], bool]]):
        self.answers = answers

    def search(self, query, k=5, *, mode="hybrid"):
        if not query.strip():
            raise ValueError("the query is empty")
        hits, abstained = self.answers[query]
        return SearchResult(query=query, hits=tuple(hits[:k]), abstained=abstained)


QUESTIONS = [
    Question("q1", "一", ("生育保险",), "factoid"),
    Question("q2", "二", ("劳模工匠",), "paraphrase"),
    Question("q3", "三", ("不存在",), "factoid"),
    Question("u1", "四", (), "unanswerable"),
    Question("u2", "五", (), "unanswerable"),
]
RETRIEVER = Canned({
    # The page breaks lines mid-word: whitespace never hides an answer.
    "一": ([hit("灵活就业人员的生育\n保险制度")], False),
    "二": ([hit("别的段落"), hit("别的"), hit("发挥劳模 工匠作用")], False),
    "三": ([hit("别的段落")], True),  # answerable, abstained on: a false abstention
    "四": ([hit("别的段落")], True),
    "五": ([hit("别的段落")], False),
})


def test_hits_ranks_and_abstention_are_scored_as_the_readme_says():
    report = evaluate(RETRIEVER, QUESTIONS)
    ranks = {r["id"]: r["rank"] for r in report["rows"]}
    assert ranks == {"q1": 1, "q2": 3, "q3": None, "u1": None, "u2": None}
    s = report["overall"]
    assert s["answerable"] == 3 and s["questions"] == 5
    assert s["hit@1"] == pytest.approx(1 / 3) and s["hit@3"] == pytest.approx(2 / 3)
    assert s["mrr@5"] == pytest.approx((1 + 1 / 3) / 3)
    assert (s["abstained_unanswerable"], s["unanswerable"], s["false_abstentions"]) == (1, 2, 1)
    # Two abstentions, one of them right; one of two unanswerable questions caught.
    assert s["abstain_precision"] == 0.5 and s["abstain_recall"] == 0.5
    assert report["by_type"]["unanswerable"]["abstain_recall"] == 0.5
    assert report["by_type"]["paraphrase"]["abstain_precision"] is None  # nothing to count


def test_an_open_retrieval_hit_must_come_from_the_questions_own_article():
    q = Question("c1", "六", ("巴黎",), "cmrc", article_id="mine")
    retriever = Canned({"六": ([hit("巴黎古监狱", "other"), hit("位于巴黎", "mine")], False)})
    assert evaluate(retriever, [q])["rows"][0]["rank"] == 2


def test_an_empty_question_counts_as_a_miss_not_a_crash():
    rows = evaluate(RETRIEVER, [Question("e", " ", ("x",))])["rows"]
    assert rows[0]["rank"] is None and rows[0]["abstained"]


def test_pooled_sets_add_up_and_the_table_shows_precision_and_recall():
    one = evaluate(RETRIEVER, QUESTIONS[:3])
    two = evaluate(RETRIEVER, QUESTIONS[3:])
    pooled = report_of(one["rows"] + two["rows"], mode="hybrid", name="pooled")
    assert pooled["overall"] == {**evaluate(RETRIEVER, QUESTIONS)["overall"],
                                 "p50_ms": pooled["overall"]["p50_ms"]}
    table = format_table([pooled])
    assert "| abst. P / R |" in table.splitlines()[1]
    assert "| pooled | hybrid | all | 5 | 0.333 |" in table and "| 0.50 / 0.50 |" in table


def test_a_broken_qa_line_is_reported_with_its_place(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"id": "a", "question": "问", "answers": ["答"]}) + "\n{oops\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"qa.jsonl:2"):
        load_questions(path)


def test_squad_contexts_become_articles_and_questions_point_at_them(tmp_path):
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": [{"title": "巴黎", "paragraphs": [
        {"id": "P1", "context": "巴黎是法国首都。", "qas": [
            {"id": "Q1", "question": "法国首都是哪里？", "answers": [{"text": "巴黎"}]}]}]}]}),
        encoding="utf-8")
    articles, questions = load_squad(path)
    assert [(a.id, a.title, a.body) for a in articles] == [("P1", "巴黎", "巴黎是法国首都。")]
    assert questions == [Question("Q1", "法国首都是哪里？", ("巴黎",), "cmrc", "P1")]


def test_quotes_are_scored_by_what_the_reader_sees():
    """The first quote decides, not the passage behind it; a byline citation
    shows its metadata with the quote."""
    from rag.answer import Answer, Citation
    from rag.evaluate import quoted

    def cite(quote, text, kind="passage"):
        return Citation(1, quote, text, "a", "", "", "", 1, 0, len(quote), kind)

    q = Question("q1", "生育津贴？", ("生育津贴",))
    passage = "灵活就业人员参加生育保险。可以领取生育津贴。"
    lead_in = Answer("?", "?", "", False, (cite("灵活就业人员参加生育保险。", passage),
                                          cite("可以领取生育津贴。", passage)))
    assert quoted(lead_in, q) == (False, True)  # the answer is in the passage, not the first quote
    assert quoted(Answer("?", "?", "", True), q) == (False, False)
    byline = Answer("?", "?", "", False, (cite("文/班小辉", "作者：班小辉", "byline"),))
    assert quoted(byline, Question("q2", "作者是谁", ("班小辉",))) == (True, True)
