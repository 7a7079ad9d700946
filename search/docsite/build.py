"""Build the site into a fresh directory and swap it in only when the build succeeded.

A failed build (content errors, broken links under ``strict``, a full disk) leaves the previous
site exactly as it was, so ``kb start`` keeps serving it. The swap is one atomic
``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames leave ``site_dir`` missing for an
instant. ``kb build`` stages the site (:func:`stage_site`), builds the index, and swaps the site
in (:func:`swap_in`) only together with the index switch. Builds of one site take turns on a lock
file beside it; whoever holds it removes what interrupted builds left (``.site.build-*``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import logging
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..content.problems import Problem
from ..content.progress import Progress, no_progress
from .plugin import ContentProblems, GuidesPlugin

CONFIG_FILE = "mkdocs.yml"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class SiteBuildError(Exception):
    """The site did not build; ``messages`` are mkdocs's warnings and errors, ``problems`` content errors."""

    def __init__(self, message: str, messages: list[str], problems: list[Problem] | None = None) -> None:
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
    with site_lock(site_dir):
        staging = stage_site(root, site_dir, strict, config_file)
        try:
            swap_in(staging, site_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # after the swap: the previous site
    return site_dir


@contextmanager
def site_lock(site_dir: Path) -> Iterator[None]:
    """One build of ``site_dir`` at a time; on entry, remove what interrupted builds left behind."""
    site_dir = Path(site_dir).resolve()
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        handle = open(site_dir.parent / f".{site_dir.name}.lock", "a+")  # noqa: SIM115  (held for the build, closed below)
    except OSError as exc:
        raise SiteBuildError(_disk_error(exc, site_dir.parent), []) from exc
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            for leftover in site_dir.parent.glob(f".{site_dir.name}.build-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            for leftover in site_dir.parent.glob(f".{site_dir.name}.old-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def stage_site(root: Path, site_dir: Path, strict: bool = True, config_file: Path | None = None, progress: Progress = no_progress) -> Path:
    """Build the site into a new staging folder beside ``site_dir`` and return it (call under :func:`site_lock`).
    ``progress`` hears of the content loaded and checked and of each page rendered.

    The folder is created with the process umask (0755 under the usual 022), so a web server
    running as another user can read the swapped-in site.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    root, site_dir = Path(root).resolve(), Path(site_dir).resolve()
    staging = site_dir.parent / f".{site_dir.name}.build-{os.getpid()}-{secrets.token_hex(4)}"
    collect = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)
    plugin = None
    try:
        staging.mkdir()
        config = load_config(str(config_file or root / CONFIG_FILE), site_dir=str(staging), strict=strict)
        plugin = config.plugins.get("kb-guides")
        if isinstance(plugin, GuidesPlugin):
            plugin.progress = progress
        build(config)
    except (Abort, ConfigurationError, ContentProblems) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        problems = list(getattr(plugin, "errors", []))
        raise SiteBuildError(_summary(exc, collect.messages), collect.messages, problems) from exc
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteBuildError(_disk_error(exc, staging), collect.messages) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        mkdocs_log.removeHandler(collect)
    return staging


def _disk_error(exc: OSError, where: Path) -> str:
    return f"cannot write the site: {exc.filename or where}: {exc.strerror or exc}"


def _summary(exc: BaseException, messages: list[str]) -> str:
    lines = [str(exc) or type(exc).__name__, *messages]
    return "\n".join(dict.fromkeys(line for line in lines if line))


def swap_in(staging: Path, site_dir: Path) -> None:
    """Put the built ``staging`` folder at ``site_dir``; ``staging`` then holds the previous site (or nothing)."""
    site_dir = Path(site_dir).resolve()
    if not site_dir.exists():
        os.rename(staging, site_dir)
        return
    if _exchange(staging, site_dir):
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
    return bool(renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0)
