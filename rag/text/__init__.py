"""Normalisation and tokenisation: one analyser for questions and passages."""

from .normalization import clean, fold, normalize
from .tokens import STOPWORDS, is_bigram, tokenize, tokens_of


def warm_up() -> None:
    """Load jieba's dictionary and OpenCC's tables ahead of need."""
    from . import normalization, tokens

    tokens.warm_up()
    normalization.warm_up()


__all__ = ["STOPWORDS", "clean", "fold", "is_bigram", "normalize", "tokenize", "tokens_of",
           "warm_up"]
