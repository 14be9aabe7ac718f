"""Every hand-written rule of the query side, by name.

A rule is switched off by naming it in `RetrievalParams(rules_off=...)`;
`benchmarks/quality.py --ablate` switches each off in turn and measures what
it was worth (benchmarks/results/ablation.md). A rule serves a class of
questions stated in general terms, never one phrasing, and stays only while
it pays on data that was not used to write it (README, "Rules").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    stage: str  # where it acts: query, candidates, rerank, abstain, inject, answer
    purpose: str
    serves: str  # the class of questions it is for


CATALOGUE: tuple[Rule, ...] = (
    # -- reading the question
    Rule("english_terms", "query",
         "an English question gains the Chinese corpus terms its words translate to (CC-CEDICT)",
         "questions asked in English"),
    Rule("follow_up_context", "query",
         "an elliptical follow-up (那广东省呢？) is read with the last standalone question",
         "follow-up questions in a conversation"),
    Rule("follow_up_pointers", "query",
         "a message pointing into the previous answer (第二个理由是什么？, 为什么会这样？) is "
         "read with the last standalone question",
         "follow-ups asking about an item of, or the reason for, the previous answer"),
    Rule("previous_article", "query",
         "a question about the article itself (作者是谁？) asks of the previous answer's article",
         "questions about the article the previous answer came from"),
    # -- candidates
    Rule("byline_article", "candidates",
         "a question naming an article only by its byline ranks that article's opening "
         "passages against its headline",
         "questions about what an author's article says as a whole"),
    Rule("article_pointer_words", "candidates",
         "words that only point at an article or its gist (这篇, 评论, 话题, 核心主张) leave a "
         "byline question about the article",
         "questions about an author's article, worded with pointer words"),
    # -- fusion
    Rule("fusion_weighting", "fusion",
         "the dense side's weight follows the question (its words' coverage of the corpus, "
         "how flat BM25 is, how far the best cosine stands out, length, script), as fitted "
         "per encoder; off: the encoder's constant weight",
         "questions whose words the articles do not use (colloquial, paraphrased)"),
    # -- re-ranking
    Rule("sentence_bonus", "rerank",
         "a passage holding most of the question's words in one sentence gains up to "
         "sentence_weight",
         "questions whose words a long passage holds scattered"),
    Rule("named_entity", "rerank",
         "when the best passage does not speak of a place, organisation or author the question "
         "names, passages that do (or whose article is about it) gain up to entity_weight",
         "questions naming a place, an organisation or a person"),
    # -- abstention
    Rule("learned_abstention", "abstain",
         "abstain when the calibrated probability that the best passage answers (a model "
         "trained on DRCD near misses, reading among its features whether the best passage "
         "and its best sentence hold the kind of answer the question expects) is below its "
         "threshold",
         "questions the articles almost but do not answer (same topic, fact absent)"),
    Rule("low_evidence", "abstain",
         "abstain unless the best passage holds most of the question's words or is "
         "semantically close",
         "off-topic questions"),
    Rule("office_holder", "abstain",
         "who holds an office is answered only by a passage naming that office",
         "questions asking who holds an office"),
    Rule("fact_year", "abstain", "a year is answered only by a passage stating a calendar year",
         "questions asking for a year"),
    Rule("fact_money", "abstain", "a sum is answered only by a passage stating a sum of money",
         "questions asking for a price, wage, benefit or other sum"),
    Rule("fact_head_count", "abstain",
         "a head count (多少人, 多少学生) is answered only by a passage stating one",
         "questions asking how many people"),
    # -- the answer
    Rule("list_items", "answer",
         "a quote that introduces an enumeration (一是…二是…, 第一…, 首先…其次…, （一）…), or is "
         "an item of one when the question asks for several things, is answered with the "
         "items, each quoted and cited",
         "questions asking for several things (有哪些, 包括哪几点, 存在什么问题)"),
    Rule("item_elaboration", "answer",
         "a quote that is only an item's first sentence (三是系统实施史志图书出版宣传。) runs on "
         "through the sentences that spell the item out",
         "questions about what one point of an enumerated argument says"),
    Rule("about_answer", "answer",
         "a question about an article as a whole (那篇文章讲了什么, 主要内容) is answered with "
         "its headline, deck and lede, cited as such",
         "questions asking what an article is about"),
    Rule("list_follow_up", "answer",
         "a message asking for one item of the previous answer's list (第三条是什么？, 最后一点呢) "
         "quotes that item",
         "follow-ups into a list"),
    # -- hits added
    Rule("byline_hit", "inject",
         "a question for a byline field (作者是谁, 单位, 题目) gets the article's headline, byline "
         "and dateline as its first hit",
         "questions asking who wrote an article, where its author works, what it is called"),
)

RULES = {rule.name: rule for rule in CATALOGUE}


def check_names(names) -> frozenset[str]:
    names = frozenset(names)
    unknown = sorted(names - RULES.keys())
    if unknown:
        raise ValueError(f"unknown rule(s) {', '.join(unknown)}; the rules are "
                         f"{', '.join(RULES)}")
    return names
