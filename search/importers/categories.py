"""Which category an imported article goes to: its folder (or Zendesk section), or a mapping file.

Without a mapping every folder becomes a category (``Windows Server/DNS`` ->
``windows-server/dns``). With one (``--category-map``: YAML, ``source folder or section: category
id``), a folder takes the category of its longest mapped prefix; folders the mapping misses are
reported once each with how many articles they hold and a did-you-mean, and their articles are
imported without a category until the mapping names them (a re-import then fills it in).
Categories the taxonomy lacks are appended to ``guides/categories.yml`` (its comments and
layout kept).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..content.fuzzy import SimilarNames
from ..content.models import CATEGORY_RE, Taxonomy
from ..content.problems import Problem, Severity, suggestion_hint
from ..content.sources import parse_yaml, read_text, validate
from .frontmatter import yaml_value

TAXONOMY = "guides/categories.yml"
_SLUG_BAD = re.compile(r"[^a-z0-9]+")
_CATEGORY = re.compile(CATEGORY_RE)


def category_from_folder(folder: str) -> str | None:
    """``Windows Server/DNS`` -> ``windows-server/dns`` (None for the top folder)."""
    parts = [_SLUG_BAD.sub("-", p.lower()).strip("-") for p in folder.replace("\\", "/").split("/")]
    return "/".join(p for p in parts if p) or None


@dataclass
class CategoryMap:
    """A mapping file: source key (folder or section) -> category id, with each key's line."""

    path: str
    entries: dict[str, str]
    lines: dict[str, int]


def load_category_map(path: Path, problems: list[Problem]) -> CategoryMap | None:
    """Read a mapping file; faults are problems at ``path:line:col`` (None when there are any)."""
    rel = path.as_posix()
    text = read_text(path, rel, problems)
    doc = parse_yaml(text, rel, problems) if text is not None else None
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.append(
            Problem(rel, *doc.pos(()), "category-map", "expected a mapping of source folder or section to category id, e.g. Networking/VPN: network/vpn")
        )
        return None
    entries: dict[str, str] = {}
    lines: dict[str, int] = {}
    before = len(problems)
    for key, value in doc.data.items():
        name = str(getattr(key, "raw", key)).strip("/").lower()
        target = str(getattr(value, "raw", value))
        if not isinstance(value, str) or not _CATEGORY.match(value):
            problems.append(Problem(rel, *doc.pos((key,)), "category-map", f'"{key}" maps to {target!r}, which is not a category id like network/vpn'))
            continue
        entries[name] = value
        lines[name] = doc.pos((key,))[0]
    return CategoryMap(rel, entries, lines) if len(problems) == before else None  # a wrong line would misfile articles


@dataclass
class CategoryPlan:
    """Categories of one import: the taxonomy's, the mapping's, and the ones the import adds."""

    root: Path
    mapping: CategoryMap | None = None
    known: dict[str, str] = field(default_factory=dict)  # id -> title, from the taxonomy
    titles: dict[str, str] = field(default_factory=dict)  # titles for categories the import may add
    added: dict[str, str] = field(default_factory=dict)
    unmapped: Counter[str] = field(default_factory=Counter)
    first_seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, mapping: CategoryMap | None, problems: list[Problem]) -> CategoryPlan:
        plan = cls(root, mapping)
        path = root / TAXONOMY
        if path.is_file():
            text = read_text(path, TAXONOMY, problems)
            doc = parse_yaml(text, TAXONOMY, problems) if text is not None else None
            taxonomy = validate(Taxonomy, doc, TAXONOMY, problems) if doc is not None else None
            plan.known = {c.id: c.title for c in taxonomy.categories} if taxonomy else {}
        return plan

    def resolve(self, keys: list[str], title: str, where: str) -> str | None:
        """The category of an article whose source place is ``keys[0]`` (also known as the rest,
        e.g. a Zendesk section's id and name). ``title`` names a category the import adds."""
        if self.mapping is None:
            found = category_from_folder(keys[0])
            if found is not None:
                self.titles.setdefault(found, title)
            return found
        for key in keys:
            parts = key.strip("/").lower().split("/")
            for n in range(len(parts), 0, -1):
                prefix = "/".join(parts[:n])
                if prefix in self.mapping.entries:
                    return self.mapping.entries[prefix]
        self.unmapped[keys[0]] += 1
        self.first_seen.setdefault(keys[0], where)
        return None

    def use(self, category: str) -> None:
        """Note that an article is in ``category`` (the taxonomy gets it and its parents)."""
        parts = category.split("/")
        for n in range(1, len(parts) + 1):
            cid = "/".join(parts[:n])
            if cid not in self.known and cid not in self.added:
                self.added[cid] = self.titles.get(cid) or parts[n - 1].replace("-", " ").capitalize()

    def problems(self) -> list[Problem]:
        """Folders or sections the mapping missed, and mapped categories that are new, with did-you-means."""
        found: list[Problem] = []
        if self.mapping is not None:
            keys = SimilarNames(self.mapping.entries)
            for key, count in sorted(self.unmapped.items()):
                hint = suggestion_hint(keys.similar(key, n=2))
                found.append(
                    Problem(
                        self.first_seen[key],
                        1,
                        1,
                        "unmapped-category",
                        f'"{key}" ({count} articles) is not in {self.mapping.path}{hint}; its articles were imported without a category',
                        Severity.WARNING,
                    )
                )
            known = SimilarNames(self.known)
            first_key = {target: key for key, target in reversed(self.mapping.entries.items())}
            for target, key in first_key.items():
                if target in self.added:
                    hint = suggestion_hint([s for s in known.similar(target, n=2) if s != target])
                    if hint:
                        found.append(
                            Problem(
                                self.mapping.path,
                                self.mapping.lines[key],
                                1,
                                "new-category",
                                f'"{target}" is not in {TAXONOMY}{hint}; it was added as a new category',
                                Severity.WARNING,
                            )
                        )
        return found

    def write(self, problems: list[Problem]) -> None:
        """Append the added categories to the taxonomy file, keeping what is there as it is."""
        if not self.added:
            return
        path = self.root / TAXONOMY
        text = path.read_text("utf-8") if path.is_file() else "categories:\n"
        indent = re.search(r"^(\s*)- +id:", text, re.M)
        lead = indent.group(1) if indent else "  "
        lines = [f"{lead}- id: {yaml_value(cid)}\n{lead}  title: {yaml_value(title)}\n" for cid, title in sorted(self.added.items())]
        new_text = text.rstrip("\n") + "\n" + "".join(lines)
        check: list[Problem] = []
        doc = parse_yaml(new_text, TAXONOMY, check)
        taxonomy = validate(Taxonomy, doc, TAXONOMY, check) if doc is not None else None
        if taxonomy is None or not set(self.added) | set(self.known) <= {c.id for c in taxonomy.categories}:
            problems.append(
                Problem(TAXONOMY, 1, 1, "taxonomy", f"could not append the new categories to {TAXONOMY}; add them by hand: {', '.join(sorted(self.added))}")
            )
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_text, "utf-8")
