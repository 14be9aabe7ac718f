"""The search filters of `rag search` and `rag ask`: --since, --until,
--source, --author, --article (rag/search/filters.py), read into a Filters
before the index is opened, a bad value told as a usage error."""

from __future__ import annotations


def add_filter_options(parser) -> None:
    filters = parser.add_argument_group("filters (applied before ranking)")
    filters.add_argument("--since", metavar="DATE",
                         help="articles dated on or after DATE (2025-07-01, 2025/7/1, "
                         "2025年7月1日)")
    filters.add_argument("--until", metavar="DATE", help="articles dated on or before DATE")
    for name, what in (("source", "paper"), ("author", "author"), ("article", "article id")):
        how = "exact id, as `rag list` shows" if name == "article" else "part of the name"
        filters.add_argument(f"--{name}", action="append", metavar=what.upper().replace(" ", "_"),
                             help=f"only this {what} (repeat or separate by commas for "
                             f"several; {how})")


def filters_of(args):
    """The Filters the options ask for (empty when none is given)."""
    from .cli import UserError
    from .search.filters import Filters

    try:
        return Filters.from_mapping({name: getattr(args, name, None) for name in
                                     ("since", "until", "source", "author", "article")})
    except ValueError as err:
        text = str(err)
        raise UserError(f"--{text}" if text.startswith(("since", "until")) else text) from None
