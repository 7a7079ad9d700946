"""Every lint rule, each with a stable kebab-case id. ``run_checks`` runs them all over a repository.

A rule function yields :class:`Finding` (where, and what to fix); the registry stamps each with
the rule's id and severity, so a rule states them once, in its ``@rule`` line (as yamllint's
registry does). Rules reported while loading (``search.content``) are listed here too, so one
table documents every id a user can see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from ..content.cache import FileCache, code_salt
from ..content.problems import ContentError, Problem, Severity
from ..content.progress import Progress, no_progress
from ..content.repository import Checked, Repository


@dataclass(frozen=True)
class Finding:
    """What a rule found at ``path:line:col`` (1-based); the registry adds its id and severity."""

    path: str
    line: int
    col: int
    message: str


CheckFn = Callable[[Repository, dt.date], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    check: CheckFn | None = None
    # What it finds in a guide, article or page follows from that document's own files alone
    # (not from other files, the date or the publishing policy): cached per document by content.
    per_file: bool = False


RULES: dict[str, Rule] = {}
AFTER_RUN: list[Callable[[], None]] = []  # rules' per-run memos, cleared when a run ends
T = TypeVar("T")


@dataclass
class _CachedRun:
    """What :func:`file_facts` needs from the run in progress: the cache, and the repository of
    the documents whose files changed since they were cached."""

    cache: FileCache
    changed: Repository


_run: list[_CachedRun] = []  # the cached run in progress, if any


def rule(rule_id: str, summary: str, severity: Severity = Severity.ERROR, per_file: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under a stable rule id (``per_file``: see :class:`Rule`)."""

    def register(fn: CheckFn) -> CheckFn:
        RULES[rule_id] = Rule(rule_id, severity, summary, fn, per_file)
        return fn

    return register


def loader_rule(rule_id: str, summary: str) -> None:
    RULES[rule_id] = Rule(rule_id, Severity.ERROR, summary)


loader_rule("encoding", "File is not UTF-8, or starts with a byte-order mark.")
loader_rule("yaml-syntax", "YAML cannot be parsed (tabs in indentation, bad indentation, unclosed quotes, several documents).")
loader_rule(
    "duplicate-key",
    "A key appears twice in one mapping (also duplicate node ids in a tree); both lines are named. Keys equal only once loaded (`true` and `1`, `1` and `1.0`) are named as non-strings to quote.",
)
loader_rule("yaml-alias", "YAML aliases (*name) are refused: they hide repetition and allow alias bombs.")
loader_rule("yaml-tag", "Custom YAML tags (!tag) are refused; only plain values are content.")
loader_rule("too-large", "File over the size cap (1 MB for YAML, 5 MB for Markdown).")
loader_rule("too-deep", "YAML nested deeper than 32 levels.")
loader_rule("schema", "A field is missing, unknown, of the wrong type, or has an invalid value (dates, ids, durations).")
loader_rule("answer-not-string", "An answer label loaded as a boolean, number or null; quote it.")
loader_rule("missing-file", "A required file (categories, priorities, escalation, a guide's tree) is missing.")
loader_rule("unreadable", "A file exists but cannot be read.")
loader_rule(
    "control-character",
    "NUL, ESC, BEL or another control character (C0/C1 except tab and newline), or a bidi override/isolate (U+202A-U+202E, U+2066-U+2069), in any content text.",
)


def checked(repo: Repository, today: dt.date | None = None, cache: FileCache | None = None) -> Checked:
    """The repository as :class:`Checked` content, or :class:`ContentError` listing its errors
    (``cache``: the one ``repo`` was loaded with, see :func:`run_checks`)."""
    problems = run_checks(repo, today, cache=cache)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise ContentError(errors)
    return Checked(repo, tuple(problems))


def check_cache(root: Path) -> FileCache:
    """``kb check``'s cache for ``root``, valid for this code of the loader and the rules."""
    package = Path(__file__).resolve().parent
    return FileCache(root, code_salt(package.parent / "content", package))


def run_checks(repo: Repository, today: dt.date | None = None, progress: Progress = no_progress, cache: FileCache | None = None) -> list[Problem]:
    """Loader problems plus every registered check, sorted by path and position (``progress``: rules run).

    With a ``cache`` (the one ``repo`` was loaded with), the per-file rules run only over the
    documents whose files changed since they were cached; the other rules run over everything."""
    today = today or dt.date.today()
    problems = list(repo.problems)
    rules = [r for r in RULES.values() if r.check is not None]
    over: dict[str, Repository] = {}  # rule id -> the repository it runs over
    if cache is not None:
        changed = _cached_findings(repo, cache, problems)
        over = {r.id: changed for r in rules if r.per_file}
        _run[:] = [_CachedRun(cache, changed)]
    try:
        for done, registered in enumerate(rules, 1):
            assert registered.check is not None
            found = registered.check(over.get(registered.id, repo), today)
            problems.extend(Problem(f.path, f.line, f.col, registered.id, f.message, registered.severity) for f in found)
            progress("checking", done, len(rules))
    finally:
        _run.clear()
        for forget in AFTER_RUN:
            forget()
    if cache is not None:
        _store_findings(repo, over, cache, problems)
        cache.save()
    return sorted(set(problems))


def file_facts(repo: Repository, name: str, compute: Callable[[Repository], Iterable[tuple[str, T]]]) -> list[tuple[str, T]]:
    """What ``compute`` finds in ``repo``: (file path, fact) pairs, each following from the
    document's own files alone (a link and its position, a key's position).

    A cross-file rule works out such facts for every document and then relates them; in a cached
    run (``kb check`` after a few edits) the facts of unchanged documents come from the cache, by
    the digests of their files, and ``compute`` runs only over the changed ones and the
    configuration files (never cached). Same facts either way: the same findings (0048)."""
    if not _run or _run[0].changed is repo:
        return list(compute(repo))
    run = _run[0]
    found: list[tuple[str, T]] = []
    missing: set[str] = set()
    stale = {path for path, _ in _units(run.changed)}
    for path, files in _units(repo):
        hit = None if path in stale else run.cache.get(f"fact:{name}", path, _unit_digest(repo, files), tuple)
        if hit is None:
            missing.add(path)
        else:
            found += hit
    over = documents_at(repo, missing)
    owner = {f: path for path, files in _units(over) for f in files}
    fresh: dict[str, list[tuple[str, T]]] = {path: [] for path in missing}
    for item in compute(over):
        found.append(item)
        if item[0] in owner:
            fresh[owner[item[0]]].append(item)
    for path, files in _units(over):
        run.cache.put(f"fact:{name}", path, _unit_digest(repo, files), tuple(fresh[path]))
    return found


def documents_at(repo: Repository, paths: set[str]) -> Repository:
    """``repo`` with only the guides, articles and pages at ``paths`` (the configuration files kept)."""
    return replace(
        repo,
        guides=[g for g in repo.guides if g.path in paths],
        articles=[a for a in repo.articles if a.path in paths],
        pages=[p for p in repo.pages if p.path in paths],
    )


def _units(repo: Repository) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(document path, its files) for every guide, article and page: what per-file findings are cached by."""
    for guide in repo.guides:
        yield guide.path, (guide.path, guide.tree_path)
    for path in [*(a.path for a in repo.articles), *(p.path for p in repo.pages)]:
        yield path, (path,)


def _unit_digest(repo: Repository, files: tuple[str, ...]) -> str | None:
    digests = [repo.digests.get(f) for f in files]
    return None if None in digests else "+".join(d for d in digests if d)


def _cached_findings(repo: Repository, cache: FileCache, problems: list[Problem]) -> Repository:
    """Add the cached per-file findings of unchanged documents to ``problems``; return the
    repository of the changed ones (and the configuration files, never cached), to run the
    per-file rules over."""
    stale: set[str] = set()
    for path, files in _units(repo):
        hit = cache.get("rules", path, _unit_digest(repo, files), tuple)
        if hit is None:
            stale.add(path)
        else:
            problems.extend(p for p in hit if isinstance(p, Problem))
    return documents_at(repo, stale)


def _store_findings(repo: Repository, over: dict[str, Repository], cache: FileCache, problems: list[Problem]) -> None:
    """Cache what the per-file rules found in each document they ran over (nothing found included)."""
    changed = next(iter(over.values()), None)
    if changed is None:
        return
    owner = {f: path for path, files in _units(changed) for f in files}
    found: dict[str, list[Problem]] = {path: [] for path in owner.values()}
    for p in problems:
        if p.rule in over and p.path in owner:
            found[owner[p.path]].append(p)
    for path, files in _units(changed):
        cache.put("rules", path, _unit_digest(repo, files), tuple(found[path]))


from . import articles, escalation, markdown, publishing, references, requests, review, templates, tree  # noqa: E402,F401  (each module registers its rules)
