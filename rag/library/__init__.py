"""The user's library of articles: add files, remove articles, list them.

    from rag.library import add_files, remove_articles, list_articles
    report = add_files(["~/Downloads/page.pdf"], "corpus", "index")

Each changes the corpus folder (the source of truth, which `rag build` and the
chat's start-up refresh read too) and then updates the index through
`build_index`, which embeds only passages it has not embedded before.
"""

from .add import MAX_FILE_BYTES, AddedFile, AddReport, Problem, add_files
from .listing import ArticleEntry, list_articles
from .remove import RemovedArticle, RemoveReport, UnknownArticleError, remove_articles

__all__ = ["MAX_FILE_BYTES", "AddReport", "AddedFile", "ArticleEntry", "Problem",
           "RemoveReport", "RemovedArticle", "UnknownArticleError", "add_files",
           "list_articles", "remove_articles"]
