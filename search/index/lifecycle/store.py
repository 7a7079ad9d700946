"""Document text: UTF-8 records in one file per segment, read through ``mmap``.

Whoosh stored fields are unpickled per hit; reading a slice of a memory map is much cheaper and
keeps 40 MB of article text out of the Python heap.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

STORE_FILE = "text.bin"


TextRow = list[int]  # [text_offset, text_len, md_offset, md_len] in bytes within one file


def write_store(path: Path, records: Iterable[tuple[str, str]]) -> list[TextRow]:
    """Write (plain text, Markdown) records; returns the :data:`TextRow` of each."""
    offsets: list[TextRow] = []
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
    """Read-only access to records written by :func:`write_store` into several files: document
    ``n`` is ``rows[n]`` of file ``files[n]``."""

    def __init__(self, paths: list[Path], files: list[int], rows: list[TextRow]) -> None:
        self._files = files
        self._rows = rows
        self._handles: list[BinaryIO] = []
        self._maps: list[mmap.mmap | bytes] = []
        try:
            for path in paths:
                handle = open(path, "rb")  # noqa: SIM115  (mapped for the generation's life; close())
                self._handles.append(handle)
                size = os.fstat(handle.fileno()).st_size
                self._maps.append(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b"")
        except BaseException:
            self.close()
            raise

    def text(self, docnum: int, max_bytes: int | None = None) -> str:
        """Plain text of a document, optionally only its first ``max_bytes`` bytes (cut at a character boundary)."""
        data = self._maps[self._files[docnum]]
        start, length = self._rows[docnum][0], self._rows[docnum][1]
        if max_bytes is not None and length > max_bytes:
            return data[start : start + max_bytes].decode("utf-8", "ignore")
        return data[start : start + length].decode("utf-8")

    def markdown(self, docnum: int) -> str:
        start, length = self._rows[docnum][2], self._rows[docnum][3]
        return self._maps[self._files[docnum]][start : start + length].decode("utf-8")

    def close(self) -> None:
        for data in self._maps:
            if isinstance(data, mmap.mmap):
                data.close()
        for handle in self._handles:
            handle.close()
