"""The same article under two file names (or two ids) is indexed once.

People save an article twice (a page as PDF and as HTML, a download renamed,
one JSON Lines file copied into another); indexed twice, it would fill the
top results with the same passage and be cited under two names. Two articles
are the same when their body text is, up to Unicode width forms and spacing
(NFKC, whitespace removed): what differs between two saves of one text, not
between two texts. The first copy by path order is kept (the loader walks the
folder sorted; inside a file, the file's order), the others are reported.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass

from ..types import Article

_SPACE = re.compile(r"\s+")


def content_key(article: Article) -> str:
    """What decides that two articles are one: a hash of the normalised body."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", article.body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Duplicate:
    """Article `id` of `file` has the same text as `same_as` of `same_as_file`,
    which is the copy indexed. Files are relative to the corpus folder, or as
    given when the copy was never put into it."""

    id: str
    file: str
    same_as: str
    same_as_file: str

    def __str__(self) -> str:
        return (f"{self.file}: article {self.id!r} has the same text as {self.same_as!r} "
                f"({self.same_as_file}); indexed once, as {self.same_as!r}")

    def to_dict(self) -> dict:
        return asdict(self)
