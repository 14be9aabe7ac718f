"""`rag search --batch FILE|-`: many questions in, one JSON object a line out.

Questions come one a line, or as JSON Lines with a `question` (and optional
`id`) field. A line that is not a question is an `{"error": …}` line in its
place, so the output lines up with the input; the index is loaded once, after
the whole input is known to be readable UTF-8.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .cli import UserError, _decoded, _load, _print_json


def search_batch(args) -> int:
    if args.batch == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        text = _decoded(stdin.read(), "standard input") if stdin else sys.stdin.read()
    else:
        path = Path(args.batch)
        if not path.is_file():
            raise UserError(f"batch file {path} not found")
        text = _decoded(path.read_bytes(), f"batch file {path}")
    lines = text.splitlines()
    requests = [_parse_request(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    retriever = _load(args)  # once, after the input is known to be readable
    for ident, query, problem in requests:
        head = {} if ident is None else {"id": ident}
        if problem is None:
            try:
                result = retriever.search(query, args.k, mode=args.mode)
                out = {**head, **result.to_dict(debug=args.debug)}
            except ValueError as err:
                problem = str(err)
        if problem is not None:
            out = {**head, "query": query, "error": problem}
        _print_json(out)
    return 0


def _parse_request(number: int, line: str):
    """(id or None, question, error or None) for one input line."""
    text = line.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            question = data.get("question")
            ident = data.get("id")
            if not isinstance(question, str) or not question.strip():
                return ident, question if isinstance(question, str) else "", (
                    f"line {number}: no question (expected a non-empty `question` field)"
                )
            return ident, question, None
    return None, text, None
