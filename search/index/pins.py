"""Pins: a process marks each generation it has open so a build's clean-up never deletes it.

A pin is a file ``.pins/<generation>.<pid>.<random>`` on which its process holds a shared
``flock`` for as long as the generation is open. The lock dies with the process, so a cleaner
that can lock a pin exclusively knows its owner is gone and removes it: stale pins of killed
servers never block clean-up for long.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import weakref
from pathlib import Path

PIN_DIR = ".pins"
log = logging.getLogger("search.index")


class Pin:
    """A held pin on one generation (released by :meth:`release` or when garbage collected)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._finalizer = weakref.finalize(self, _release, path, fd)

    def release(self) -> None:
        self._finalizer()


def _release(path: Path, fd: int) -> None:
    try:
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def pin(index_dir: Path, name: str) -> Pin | None:
    """Pin generation ``name``; None when the index directory is read-only (nothing can clean it then)."""
    folder = Path(index_dir) / PIN_DIR
    try:
        folder.mkdir(exist_ok=True)
        while True:
            path = folder / f"{name}.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            fcntl.flock(fd, fcntl.LOCK_SH)
            # a cleaner may have taken the fresh file for a stale pin before we locked it
            try:
                linked = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                linked = False
            if linked:
                return Pin(path, fd)
            os.close(fd)
    except OSError as exc:
        log.warning("cannot pin %s in %s (%s); a build may remove it while it is served", name, index_dir, exc)
        return None


def pinned(index_dir: Path) -> set[str]:
    """Names of the generations pinned by live processes; pins of dead processes are removed."""
    folder = Path(index_dir) / PIN_DIR
    names: set[str] = set()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return names
    for path in entries:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                names.add(path.name.partition(".")[0])
                continue
            path.unlink(missing_ok=True)  # its process is gone
        finally:
            os.close(fd)
    return names
