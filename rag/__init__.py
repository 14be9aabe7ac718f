"""Retrieval over Chinese newspaper articles: exact quoted passages with citations.

    from rag import Retriever
    r = Retriever.load("index")
    res = r.search("灵活就业人员能领生育津贴吗？", k=5)
"""

from .answer import Answer, Citation, answer_question, answer_to_text
from .chunking import ChunkParams, chunk_article, split_sentences
from .encoder import HashEncoder, SentenceTransformerEncoder, load_encoder
from .indexer import BuildReport, build_index
from .retriever import MODES, RetrievalParams, Retriever
from .store import IndexLoadError, StaleIndexError
from .types import Article, Chunk, Hit, Paragraph, SearchResult, Section

__all__ = [
    "MODES",
    "Answer",
    "Article",
    "BuildReport",
    "ChunkParams",
    "Chunk",
    "Citation",
    "HashEncoder",
    "Hit",
    "IndexLoadError",
    "Paragraph",
    "RetrievalParams",
    "Retriever",
    "SearchResult",
    "Section",
    "SentenceTransformerEncoder",
    "StaleIndexError",
    "answer_question",
    "answer_to_text",
    "build_index",
    "chunk_article",
    "load_encoder",
    "split_sentences",
]
