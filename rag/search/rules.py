"""Every hand-written rule of the query side, by name.

A rule is switched off by naming it in `RetrievalParams(rules_off=...)`;
`benchmarks/quality.py --ablate` switches each off in turn and measures what
it was worth (benchmarks/results/ablation.md). A rule serves a class of
questions stated in general terms, never one phrasing.
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
    Rule("english_dense_terms", "query",
         "the dense side ranks an English question by the embedding of its Chinese terms alone",
         "questions asked in English"),
    Rule("pinyin_author_names", "query",
         "an English question names authors in pinyin (Hu Yuling -> 胡玉玲)",
         "English questions naming an author"),
    Rule("whole_author_names", "query",
         "authors' names are set apart so the tokenizer keeps them whole (张三是 -> 张三 是)",
         "questions naming an author"),
    Rule("reordered_compounds", "query",
         "a word + one-character adjective also matches the attributive compound "
         "(收入低 -> 低收入)",
         "questions with a predicative adjective"),
    Rule("follow_up_context", "query",
         "an elliptical follow-up (那广东省呢？) is read with the last standalone question",
         "follow-up questions in a conversation"),
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
    Rule("low_evidence", "abstain",
         "abstain unless the best passage holds most of the question's words or is "
         "semantically close",
         "off-topic questions"),
    Rule("unknown_place", "abstain",
         "abstain when the question names a place the corpus never mentions",
         "questions restricted to a country, region, province or city"),
    Rule("office_holder", "abstain",
         "who holds an office is answered only by a passage naming that office",
         "questions asking who holds an office"),
    Rule("agent", "abstain",
         "who did a thing (由谁主编) is answered only by a passage saying it was done",
         "questions asking who did something"),
    Rule("fact_year", "abstain", "a year is answered only by a passage stating a calendar year",
         "questions asking for a year"),
    Rule("fact_day", "abstain", "a day is answered only by a passage stating a date",
         "questions asking for a day or date"),
    Rule("fact_money", "abstain", "a sum is answered only by a passage stating a sum of money",
         "questions asking for a price, wage, benefit or other sum"),
    Rule("fact_head_count", "abstain",
         "a head count (多少人) is answered only by a passage stating one",
         "questions asking how many people"),
    Rule("fact_head_count_noun_first", "abstain",
         "the same for a head count asked noun first (人员总数是多少)",
         "questions asking how many people, the noun first"),
    Rule("fact_count", "abstain", "a count (多少个) is answered only by a passage stating one",
         "questions asking how many things"),
    Rule("fact_amount", "abstain",
         "any other amount (多少, 几次, how many) is answered only by a passage holding a number",
         "questions asking for an amount"),
    Rule("byline_facts", "abstain",
         "a byline that names its author counts as stating an office or affiliation",
         "questions for a fact that only an article's byline states"),
    Rule("dateline_facts", "abstain",
         "the page's dateline answers a year or day asked of the article (哪天发表)",
         "questions asking when an article appeared"),
    # -- hits added
    Rule("byline_hit", "inject",
         "a question for a byline field (作者是谁, 单位, 题目) gets the article's headline, byline "
         "and dateline as its first hit",
         "questions asking who wrote an article, where its author works, what it is called"),
    Rule("who_is_author", "inject",
         "asking who a named author is (胡玉玲是谁, Who is Hu Yuling) gets the byline",
         "questions asking who an author is"),
    Rule("published_dateline", "inject",
         "where and when an article appeared (哪天发表, 哪份报纸) gets the byline hit and the "
         "dateline is quoted",
         "questions asking where or when an article appeared"),
)

RULES = {rule.name: rule for rule in CATALOGUE}


def check_names(names) -> frozenset[str]:
    names = frozenset(names)
    unknown = sorted(names - RULES.keys())
    if unknown:
        raise ValueError(f"unknown rule(s) {', '.join(unknown)}; the rules are "
                         f"{', '.join(RULES)}")
    return names
