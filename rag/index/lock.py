"""One build at a time per index folder.

Two builds into one folder used to both succeed, the last swap silently
winning. A build now holds an exclusive `flock` on `.<name>.lock` beside the
folder (beside, so it exists before the folder does and survives the swap);
a second build waits for it, then finds the index up to date or builds on
top of it. Readers take no lock: the swap is atomic (see folder.py).

The lock is released by the kernel when its holder exits, even on SIGKILL,
so a crashed build never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from pathlib import Path

log = logging.getLogger("rag")

DEFAULT_WAIT = 600.0  # seconds a build waits for another to finish
_POLL = 0.2


class IndexBusyError(RuntimeError):
    """Another build of the same index folder is running."""


def lock_path(index_dir: Path) -> Path:
    index_dir = Path(index_dir).resolve()
    return index_dir.parent / f".{index_dir.name}.lock"


def build_lock(index_dir: str | Path, *, wait: float | None = None):
    """Hold the index folder's build lock, waiting up to `wait` seconds
    (default DEFAULT_WAIT) for
    another build to finish; IndexBusyError after that. Yields whether it
    had to wait (the index may have changed meanwhile). Where no lock file
    can be made (a read-only parent) the build goes on unlocked: it can only
    succeed if nothing needs writing."""
    return hold_lock(lock_path(Path(index_dir)), f"build of the index at {index_dir}", wait=wait)


@contextlib.contextmanager
def hold_lock(path: Path, what: str, *, wait: float | None = None):
    """Hold an exclusive lock on the file `path` for `what` (a phrase: "build
    of the index at X"), as build_lock does."""
    wait = DEFAULT_WAIT if wait is None else wait
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield False
        return
    try:
        waited = _acquire(fd, path, what, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield waited
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, path: Path, what: str, wait: float) -> bool:
    """Lock `fd`; whether that meant waiting."""
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return told
        except BlockingIOError:
            pass
        holder = _holder(path)
        if time.monotonic() >= deadline:
            raise IndexBusyError(
                f"another {what} is running{holder}; waited "
                f"{wait:.0f} s, try again when it has finished"
            )
        if not told:
            log.warning("another %s is running%s; waiting up to %.0f s for it to finish",
                        what, holder, wait)
            told = True
        time.sleep(min(_POLL, max(deadline - time.monotonic(), 0.0)))


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
