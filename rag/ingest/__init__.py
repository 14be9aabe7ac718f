"""From a folder of files to Articles: one loader a format, in a registry.

Registering a format is one line below (and its module with a `LOADER`).
Loaders with a `claims` test (a .txt newspaper page with its manifest) are
asked before the plain loader for the same suffix.
"""

from . import jsonl, markdown, newspaper, pdf, plaintext, webpage, word
from .common import CorpusError
from .folder import (
    Corpus,
    Skipped,
    candidate_files,
    corpus_stamp,
    load_corpus,
    read_corpus,
    stamp_files,
    walk,
)
from .pdf_document import IndexLossWarning
from .registry import Loader, loader_for, loaders, register, suffixes

register(newspaper.LOADER)
register(markdown.LOADER)
register(plaintext.LOADER)
register(jsonl.LOADER)
register(pdf.LOADER)
register(pdf.IMAGE_LOADER)
register(webpage.LOADER)
register(word.LOADER)

__all__ = ["Corpus", "CorpusError", "IndexLossWarning", "Loader", "Skipped", "candidate_files",
           "corpus_stamp", "load_corpus", "loader_for", "loaders", "read_corpus", "register",
           "stamp_files", "suffixes", "walk"]
