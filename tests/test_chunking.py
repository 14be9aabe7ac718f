"""Chunks are exact quotes: whole sentences, inside one paragraph, with true offsets."""

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.index.chunking import ChunkParams, chunk_article, split_sentences
from rag.types import Article, Section

SENTENCE_ENDS = "。！？；"


def make_article(paragraphs, heading=""):
    body = "\n\n".join(([heading] if heading else []) + paragraphs)
    sections = (Section(heading, 0),) if heading else ()
    return Article(id="a", title="标题", body=body, sections=sections)


def test_sentences_end_after_closing_quotes():
    text = "他说：“要坚持。”然后离开了！最后一句没有句号"
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert spans == ["他说：“要坚持。”", "然后离开了！", "最后一句没有句号"]


def test_chunks_quote_the_body_and_know_their_paragraph_and_section():
    paragraphs = ["第一段第一句。第一段第二句。", "第二段只有一句话。"]
    article = make_article(paragraphs, heading="一个小标题")
    chunks = chunk_article(article, ChunkParams(max_chars=10, overlap=0))
    for chunk in chunks:
        assert article.body[chunk.start : chunk.end] == chunk.text
        assert chunk.section == "一个小标题"
    assert [c.paragraph for c in chunks] == [1, 1, 2]
    assert [c.text for c in chunks] == ["第一段第一句。", "第一段第二句。", "第二段只有一句话。"]


def test_neighbouring_chunks_share_the_overlap_sentence():
    text = "".join(f"这是第{i}句话，内容不短。" for i in range(8))
    chunks = chunk_article(make_article([text]), ChunkParams(max_chars=40, overlap=1))
    assert len(chunks) > 2
    for left, right in zip(chunks, chunks[1:], strict=False):
        last_sentence = split_sentences(left.text)[-1]
        assert right.text.startswith(left.text[last_sentence[0] : last_sentence[1]])


def test_an_overlong_sentence_is_cut_at_clauses_within_hard_max():
    sentence = "，".join(["很长的从句内容"] * 60) + "。"
    chunks = chunk_article(make_article([sentence]), ChunkParams(max_chars=100, hard_max=120))
    assert all(len(c.text) <= 120 for c in chunks)
    assert "".join(c.text for c in chunks) == sentence


ALPHABET = list("工会职业院校灵活就业生育保险，、 abc12")
sentences = st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=40).map(
    lambda s: s.strip() + "。"
)


@settings(max_examples=150, deadline=None)
@given(
    paragraphs=st.lists(
        st.lists(sentences, min_size=1, max_size=8).map("".join), min_size=1, max_size=4
    ),
    max_chars=st.integers(20, 200),
    overlap=st.integers(0, 2),
)
def test_every_sentence_is_in_a_chunk_and_no_chunk_cuts_a_sentence(paragraphs, max_chars, overlap):
    article = make_article(paragraphs)
    chunks = chunk_article(article, ChunkParams(max_chars=max_chars, overlap=overlap))
    covered = set()
    for chunk in chunks:
        assert article.body[chunk.start : chunk.end] == chunk.text
        assert chunk.text[-1] in SENTENCE_ENDS  # ends at a sentence end
        assert "\n" not in chunk.text  # never crosses a paragraph
        covered.update(range(chunk.start, chunk.end))
    for para in article.paragraphs():
        for a, b in split_sentences(para.text, offset=para.start):
            assert set(range(a, b)) <= covered
