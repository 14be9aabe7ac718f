"""收入低 -> 低收入: a question's "noun + one-character adjective" phrase also
matches the attributive compound articles use.

Questions put the adjective after the word (收入低的人), articles often
before it as one compound (低收入人群), and jieba makes that compound a token
of its own, which the question's tokens never match. Adding the compound
(BM25 ignores it unless some passage holds it), weighted as much as the
phrase it rewrites, lets the two forms meet.
"""

from __future__ import annotations

from ..text.tokens import CJK_RUN, STOPWORDS, jieba_module, posseg, tokens_of


def reordered_phrases(normalized: str) -> list[tuple[str, int]]:
    """Attributive forms of "noun/verb + one-character adjective" phrases in
    normalised text, each with the number of BM25 tokens the phrase itself
    produced: 收入低 -> (低收入, 4), 质量高 -> (高质量, 4)."""
    # A predicative adjective ends its clause (收入低的人, 质量高吗); one
    # followed by more content starts a name or a word of its own (长谷川,
    # 古监狱, 省长职务), which the tagger would take for 长 / 古 + noun.
    # jieba's POS tagger costs ~1 ms a question: run it only on such a phrase.
    cut = list(jieba_module().cut(normalized))
    if not any(len(a) >= 2 and len(b) == 1 and CJK_RUN.fullmatch(a + b) and b not in STOPWORDS
               and _ends_clause(c) for a, b, c in zip(cut, cut[1:], cut[2:] + [""], strict=False)):
        return []
    tagged = [(p.word, p.flag) for p in posseg().cut(normalized)] + [("", "")]
    out = []
    triples = zip(tagged, tagged[1:], tagged[2:], strict=False)
    for (word, flag), (adj, adj_flag), (after, _) in triples:
        if (len(adj) == 1 and adj_flag == "a" and flag[:1] in ("n", "v") and len(word) >= 2
                and CJK_RUN.fullmatch(word + adj) and word not in STOPWORDS
                and _ends_clause(after)):
            out.append((adj + word, len(tokens_of(word + adj))))
    return out


def _ends_clause(word: str) -> bool:
    """True after the last word of a clause: at the end, before punctuation
    or before a function word (的, 吗, 了 ...)."""
    return not word or word in STOPWORDS or not CJK_RUN.match(word)
