"""Retrieval over Chinese newspaper articles: exact quoted passages with citations.

    from rag import Retriever
    r = Retriever.load("index")
    res = r.search("灵活就业人员能领生育津贴吗？", k=5)

The package in the order a question meets it: `ingest` (files -> articles,
a loader a format), `index` (articles -> passages -> one index folder with a
manifest, FAISS and BM25 behind the vector-store and keyword interfaces; or
the same index in Milvus), `encoders`,
`search` (a `Query` analysed once, then named stages and rules), `answer`
(quoted sentences with citations), `library` (add files, remove and list
articles), and the shells: `cli`, `ui.py` and `serve` (the JSON API, the
OpenAI-compatible chat and the MCP server that ui.py's process also serves).
"""

from .answer import (
    ABSTAIN_MESSAGE,
    ABSTAIN_MESSAGE_EN,
    LOW_RELEVANCE,
    UNSURE_MESSAGE,
    UNSURE_MESSAGE_EN,
    Answer,
    Citation,
    answer_question,
    answer_to_text,
    citation_line,
    escape_markdown,
)
from .encoders import DEFAULT_MODEL, MODELS, HashEncoder, load_encoder
from .index import (
    BuildReport,
    ChunkParams,
    IndexLoadError,
    StaleIndexError,
    VectorStore,
    build_index,
    chunk_article,
    split_sentences,
)
from .index.milvus import MilvusTarget, parse_store
from .ingest import CorpusError, IndexLossWarning, Loader, load_corpus
from .library import (
    MAX_FILE_BYTES,
    AddReport,
    ArticleEntry,
    RemoveReport,
    UnknownArticleError,
    add_files,
    list_articles,
    remove_articles,
)
from .search import (
    CATALOGUE,
    MAX_K,
    MAX_QUESTION_CHARS,
    MODES,
    Expected,
    Filters,
    MissingFact,
    Query,
    RetrievalParams,
    Retriever,
    Rule,
)
from .search.bylines import printed as printed_byline
from .text import normalize
from .types import Article, Chunk, Hit, Paragraph, SearchResult, Section


def __getattr__(name: str):
    # The torch backend imports sentence-transformers (seconds): only on use.
    if name == "SentenceTransformerEncoder":
        from .encoders.torch_backend import SentenceTransformerEncoder

        return SentenceTransformerEncoder
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


__all__ = [
    "ABSTAIN_MESSAGE",
    "ABSTAIN_MESSAGE_EN",
    "CATALOGUE",
    "DEFAULT_MODEL",
    "LOW_RELEVANCE",
    "MAX_FILE_BYTES",
    "MAX_K",
    "MAX_QUESTION_CHARS",
    "MODELS",
    "MODES",
    "UNSURE_MESSAGE",
    "UNSURE_MESSAGE_EN",
    "AddReport",
    "Answer",
    "Article",
    "ArticleEntry",
    "BuildReport",
    "ChunkParams",
    "Chunk",
    "Citation",
    "CorpusError",
    "Filters",
    "Expected",
    "IndexLossWarning",
    "HashEncoder",
    "Hit",
    "IndexLoadError",
    "Loader",
    "MilvusTarget",
    "MissingFact",
    "Paragraph",
    "Query",
    "RemoveReport",
    "RetrievalParams",
    "Retriever",
    "Rule",
    "SearchResult",
    "Section",
    "SentenceTransformerEncoder",
    "StaleIndexError",
    "UnknownArticleError",
    "VectorStore",
    "add_files",
    "answer_question",
    "answer_to_text",
    "build_index",
    "chunk_article",
    "citation_line",
    "escape_markdown",
    "list_articles",
    "load_corpus",
    "load_encoder",
    "normalize",
    "parse_store",
    "printed_byline",
    "remove_articles",
    "split_sentences",
]
