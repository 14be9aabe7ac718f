"""Articles left out of a corpus folder without touching the file that holds them.

One article of a JSON Lines file or of a newspaper page cannot be removed by
moving its file aside (the others would go too), and editing the user's file
is not ours to do. `rag remove` lists such an article here instead, in a
hidden file of the corpus folder, and loading the corpus skips it. An entry
names the article's id and its file (relative to the corpus folder), so an
article of the same id in another file is not caught by it. Deleting an
entry restores the article on the next build.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .common import CorpusError

EXCLUSIONS_FILE = ".rag-removed.json"
# Where `rag remove` moves a file whose articles are all removed: hidden, so
# never read, and nothing is lost.
REMOVED_FOLDER = ".removed"

_NOTE = ("Articles of this corpus folder that rag leaves out of its index (rag remove). "
         "Delete an entry to bring the article back at the next build.")


@dataclass(frozen=True)
class Exclusion:
    id: str
    file: str  # relative to the corpus folder, with forward slashes
    reason: str = "removed"

    def to_dict(self) -> dict:
        return {"id": self.id, "file": self.file, "reason": self.reason}


def read_exclusions(folder: str | Path) -> tuple[Exclusion, ...]:
    """The folder's exclusion list (empty when it has none)."""
    path = Path(folder) / EXCLUSIONS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, ValueError) as exc:
        raise CorpusError([f"{path}: not a readable list of removed articles ({exc}); "
                           "fix or delete it"]) from exc
    entries = data.get("excluded") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("id"), str) and isinstance(e.get("file"), str)
            for e in entries):
        raise CorpusError([f"{path}: expected {{\"excluded\": [{{\"id\": …, \"file\": …}}]}}; "
                           "fix or delete it"])
    return tuple(Exclusion(e["id"], e["file"], str(e.get("reason", "removed"))) for e in entries)


def write_exclusions(folder: str | Path, entries: list[Exclusion] | tuple[Exclusion, ...]) -> None:
    """Replace the folder's exclusion list (atomically); no entries, no file."""
    path = Path(folder) / EXCLUSIONS_FILE
    unique = list(dict.fromkeys(entries))
    if not unique:
        path.unlink(missing_ok=True)
        return
    data = {"note": _NOTE, "excluded": [e.to_dict() for e in unique]}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
