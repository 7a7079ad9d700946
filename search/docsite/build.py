"""Build the site into a fresh directory and swap it in only when the build succeeded.

A failed build (content errors, broken links under ``strict``) leaves the previous site exactly
as it was, so ``kb start`` keeps serving it. The swap is one atomic ``renameat2(RENAME_EXCHANGE)``
on Linux; elsewhere two renames leave ``site_dir`` missing for an instant.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .plugin import ContentProblems

CONFIG_FILE = "mkdocs.yml"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class SiteBuildError(Exception):
    """The site did not build; ``messages`` are mkdocs's warnings and errors, ``problems`` content errors."""

    def __init__(self, message: str, messages: list[str], problems: list | None = None) -> None:
        self.messages = messages
        self.problems = problems or []
        super().__init__(message)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(root: Path, site_dir: Path, strict: bool = True, config_file: Path | None = None) -> Path:
    """Build the site of the content repository at ``root`` into ``site_dir``; return ``site_dir``.

    ``strict`` turns mkdocs warnings (broken links and anchors) into a failed build. Raises
    :class:`SiteBuildError`; the previous ``site_dir`` is then untouched.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    root, site_dir = Path(root).resolve(), Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.build-", dir=site_dir.parent))
    collect = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)
    plugin = None
    try:
        config = load_config(str(config_file or root / CONFIG_FILE), site_dir=str(staging), strict=strict)
        plugin = config.plugins.get("kb-guides")
        build(config)
    except (Abort, ConfigurationError, ContentProblems) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        problems = list(getattr(plugin, "errors", []))
        raise SiteBuildError(_summary(exc, collect.messages), collect.messages, problems) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        mkdocs_log.removeHandler(collect)
    _swap_in(staging, site_dir)
    return site_dir


def _summary(exc: BaseException, messages: list[str]) -> str:
    lines = [str(exc) or type(exc).__name__, *messages]
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _swap_in(staging: Path, site_dir: Path) -> None:
    if not site_dir.exists():
        os.rename(staging, site_dir)
        return
    if _exchange(staging, site_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
    os.rename(site_dir, old / "site")
    os.rename(staging, site_dir)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False when the platform cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False
