"""Look at what the PDF loader makes of a page:

    python -m rag.ingest.pdf_cli PAGE.pdf            # the articles found, what was set aside
    python -m rag.ingest.pdf_cli PAGE.pdf --lines    # the page text a page manifest quotes
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import CorpusError
from .pdf import load, page_lines, read_layouts


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        print("usage: python -m rag.ingest.pdf_cli PAGE.pdf [--lines]", file=sys.stderr)
        return 2
    path = Path(args[0])
    try:
        layouts = read_layouts(path)
        if "--lines" in args:
            print(page_lines(layouts), end="")
            return 0
        for article in load(path, path.stem):
            print(f"== {article.id}  《{article.title}》  {article.author}  {article.date}")
            if article.deck:
                print(f"   deck: {article.deck}")
            if article.byline:
                print(f"   byline: {article.byline}")
            print(f"   {len(article.body)} characters, {len(article.paragraphs())} paragraphs, "
                  f"sections: {', '.join(s.heading for s in article.sections) or '-'}")
        for layout in layouts:
            for aside in [a for art in layout.articles for a in art.asides] + list(layout.asides):
                print(f"-- set aside ({aside.kind}): {aside.text[:40]}")
    except CorpusError as exc:
        print(f"error: {'; '.join(exc.problems)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
