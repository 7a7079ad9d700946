"""A generation's document text: one file of UTF-8 records read through ``mmap``.

Whoosh stored fields are unpickled per hit; reading a slice of a memory map is much cheaper and
keeps 40 MB of article text out of the Python heap.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable
from pathlib import Path

STORE_FILE = "text.bin"


def write_store(path: Path, records: Iterable[tuple[str, str]]) -> list[list[int]]:
    """Write (plain text, Markdown) records; returns per record [text_offset, text_len, md_offset, md_len] in bytes."""
    offsets: list[list[int]] = []
    position = 0
    with open(path, "wb") as out:
        for text, markdown in records:
            row: list[int] = []
            for value in (text, markdown):
                data = value.encode("utf-8")
                out.write(data)
                row += [position, len(data)]
                position += len(data)
            offsets.append(row)
        out.flush()
        os.fsync(out.fileno())
    return offsets


class TextStore:
    """Read-only access to the records written by :func:`write_store`."""

    def __init__(self, path: Path, offsets: list[list[int]]) -> None:
        self._offsets = offsets
        self._file = open(path, "rb")  # noqa: SIM115  (mapped for the generation's life; close())
        size = os.fstat(self._file.fileno()).st_size
        self._map: mmap.mmap | bytes = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def text(self, docnum: int, max_bytes: int | None = None) -> str:
        """Plain text of a document, optionally only its first ``max_bytes`` bytes (cut at a character boundary)."""
        start, length = self._offsets[docnum][0], self._offsets[docnum][1]
        if max_bytes is not None and length > max_bytes:
            return self._map[start : start + max_bytes].decode("utf-8", "ignore")
        return self._map[start : start + length].decode("utf-8")

    def markdown(self, docnum: int) -> str:
        start, length = self._offsets[docnum][2], self._offsets[docnum][3]
        return self._map[start : start + length].decode("utf-8")

    def close(self) -> None:
        if isinstance(self._map, mmap.mmap):
            self._map.close()
        self._file.close()
