"""English questions find Chinese passages through dictionary translation."""

from pathlib import Path

import pytest

import rag
from rag.search import crosslingual

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
pytestmark = pytest.mark.skipif(not crosslingual.available(), reason="CC-CEDICT package missing")


def test_phrases_translate_whole_and_only_into_known_terms():
    known = {"工会", "历史", "举办"}
    t = crosslingual.translate("Can trade unions hold events about history?", known)
    assert t.words == ("trade", "unions", "hold", "events", "history")
    by_word = dict(zip(t.words, t.terms, strict=True))
    assert by_word["trade"] == by_word["unions"] == ("工会",)  # the phrase, not 贸易
    assert "举办" in by_word["hold"] and by_word["history"] == ("历史",)
    assert by_word["events"] == ()  # its translations are not in the corpus
    assert t.coverage("工会举办了活动") == pytest.approx(3 / 5)


def test_words_absent_from_the_corpus_add_nothing():
    t = crosslingual.translate("What is the capital of France?", {"工会", "生育"})
    assert t.expansion == "" and t.coverage("工会") == 0.0


def test_an_english_question_finds_its_chinese_passage_by_keywords(seed):
    res = seed.search("What should the revision of the Social Insurance Law make clear?",
                           k=3, mode="bm25")
    assert "社会保险法的修订进程" in res.hits[0].text.replace("\n", "")


def test_an_english_question_about_something_else_abstains(seed):
    assert seed.search("How do I bake sourdough bread?", mode="bm25").abstained


def test_terms_the_corpus_only_has_as_bigrams_and_adjective_forms_count():
    # jieba splits 为主线 as 为主|线, yet the corpus does say 主线.
    t = crosslingual.translate("the main line of ideological work", {"~主线", "思想"})
    by_word = dict(zip(t.words, t.terms, strict=True))
    assert by_word["main"] == by_word["line"] == ("主线",)
    assert "思想" in by_word["ideological"]  # via 'ideology'


def test_more_word_forms_names_before_commas_and_headed_glosses():
    known = {"计算", "民主", "职业", "工会", "习近平", "技能"}
    t = crosslingual.translate("Xi Jinping: democratic vocational unions calculated skilled", known)
    by_word = dict(zip(t.words, t.terms, strict=True))
    assert by_word["xi"] == by_word["jinping"] == ("习近平",)  # gloss "Xi Jinping (1953-), ..."
    assert "民主" in by_word["democratic"] and "职业" in by_word["vocational"]
    assert by_word["unions"] == ("工会",)  # only via "trade union" / "labor union"
    assert "计算" in by_word["calculated"] and "技能" in by_word["skilled"]


class Recording(rag.HashEncoder):
    """A HashEncoder that remembers what it was asked to embed."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def encode(self, texts, **kwargs):
        self.seen.extend(texts)
        return super().encode(texts, **kwargs)


def test_an_english_question_is_embedded_with_its_chinese_terms(tmp_path):
    """m3e-small reads Chinese: the question is embedded once, with the corpus
    terms it translates to appended."""
    rag.build_index(CORPUS, tmp_path / "index", encoder=rag.HashEncoder(), progress=False)
    encoder = Recording()
    retriever = rag.Retriever.load(tmp_path / "index", encoder=encoder, rebuild=False,
                                   progress=False)
    question = "What should the revision of the Social Insurance Law make clear?"
    retriever.search(question, k=3)
    (embedded,) = encoder.seen
    assert embedded.startswith(question.lower().rstrip("?")) and "修订" in embedded
    encoder.seen.clear()
    retriever.search("社会保险法的修订要明确什么？", k=3)
    assert len(encoder.seen) == 1  # a Chinese question is embedded once, as asked
