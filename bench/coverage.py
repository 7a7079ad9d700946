"""Coverage of the taxonomy against the real Microsoft support corpus (../shared/corpus).

Usage: .venv/bin/python bench/coverage.py [--root REPO] [--corpus TARBALL] [--by-area]

Method (product-area mapping): every article of the corpus sits in a product folder
(``outlook/client``, ``sharepoint/onedrive``, ``sql/database-engine``: 141 of them). ``AREAS``
maps each folder, by its longest matching prefix, to the category a service-desk ticket about
that product would be filed under, or to ``None`` when the product is infrastructure, database
or developer work that never reaches the desk as a ticket category (SQL Server, System Center,
Azure platform services, SDK and web development). The script then counts the articles whose
category "has a guide" the way the API answers a diagnosis: the category, one of its parents or
one of its sub-categories has a published guide. It prints the share of all articles, the share
of the in-scope (mapped) articles, and the categories that hold mapped articles but no guide.

The mapping is by hand, per product area, not per article: an Outlook article about a server
setting still counts as ``email``. It measures whether the taxonomy and its guides reach the
product areas the corpus covers, not whether a guide solves each article.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from search.content.publishing import listed  # noqa: E402
from search.content.repository import load_repository  # noqa: E402
from search.content.taxonomy import is_within  # noqa: E402

DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"
MANIFEST = "microsoft-support-articles/manifest.jsonl"

# corpus folder prefix -> category id (None: not a service-desk ticket category). Longest prefix wins.
AREAS: dict[str, str | None] = {
    "outlook": "email",
    "outlook/mobile": "mobile",
    "exchange": "email",
    "office": "software",
    "microsoft365/admin": "accounts",
    "microsoft365/enterprise": "accounts",
    "microsoft365/compliance": "security",
    "microsoft365/security": "security",
    "azure/active-directory": "accounts",
    "microsoft-identity-manager": "accounts",
    "windows-server/identity": "accounts",
    "windows-server/user-profiles-and-logon": "accounts",
    "windows-client/identity": "accounts",
    "windows-client/user-profiles-and-logon": "accounts",
    "windows-client": "os",
    "windows-client/networking": "network",
    "windows-client/printing": "printing",
    "windows-client/remote": "remote-desktop",
    "windows-client/application-management": "software",
    "windows-client/app-v": "software",
    "windows-client/backup-and-storage": "storage",
    "windows-client/windows-security": "security",
    "windows-server/networking": "network",
    "windows-server/printing": "printing",
    "windows-server/remote": "remote-desktop",
    "windows-server/backup-and-storage": "storage",
    "windows-server/windows-security": "security",
    "windows-server/security-and-malware": "security",
    "windows-server": None,  # deployment, clustering, virtualization, group policy: server engineering
    "windows-hardware": None,  # driver and device development (WDK, HLK): hardware makers, not a desk; like windows/win32 and developer
    "windows/win32": None,
    "mem/intune": "mobile",
    "mem/configmgr": "software",
    "sharepoint": "storage",
    "sharepoint/onedrive": "storage/sync",
    "teams": "collaboration",
    "teams/phone-system": "telephony",
    "skypeforbusiness": "collaboration",
    "viva": "collaboration",
    "dynamics": "business-apps",
    "dynamics-365": "business-apps",
    "power-platform": "business-apps",
    "developer/browsers": "browsers",
    "developer": None,
    "azure/virtual-desktop": "remote-desktop",
    "azure": None,
    "sql": None,
    "system-center": None,
}


def area_category(folder: str) -> str | None:
    """The category of a corpus folder by its longest prefix in ``AREAS`` (None when unmapped)."""
    parts = folder.split("/")
    for n in range(len(parts), 0, -1):
        prefix = "/".join(parts[:n])
        if prefix in AREAS:
            return AREAS[prefix]
    return None


def read_manifest(tarball: Path) -> list[dict[str, str]]:
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if member.name == MANIFEST:
                handle = archive.extractfile(member)
                assert handle is not None
                return [json.loads(line) for line in io.TextIOWrapper(handle, encoding="utf-8") if line.strip()]
    raise SystemExit(f"{tarball}: no {MANIFEST}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="content repository (default: this checkout)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--by-area", action="store_true", help="also print each corpus folder with its category")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found at {args.corpus}; nothing measured (it lives in ../shared/corpus)")
        return 0

    repo = load_repository(args.root)
    known = {c.id for c in repo.taxonomy.categories} if repo.taxonomy else set()
    unknown = sorted({c for c in AREAS.values() if c is not None} - known)
    if unknown:
        raise SystemExit(f"AREAS names categories the taxonomy lacks: {', '.join(unknown)}")
    guided = {g.meta.category for g in listed(repo.guides, repo.policy) if g.meta.category}

    def has_guide(category: str) -> bool:
        return any(is_within(g, category) or is_within(category, g) for g in guided)

    articles = read_manifest(args.corpus)
    folders = Counter(a["category"] for a in articles)
    by_category: Counter[str | None] = Counter()
    for folder, count in folders.items():
        by_category[area_category(folder)] += count
    total = sum(folders.values())
    mapped = total - by_category[None]
    covered = sum(n for c, n in by_category.items() if c is not None and has_guide(c))

    print(f"corpus: {total} articles in {len(folders)} product folders; taxonomy: {len(known)} categories, {len(guided)} with guides")
    print(f"in a service-desk category (mapped): {mapped} = {mapped / total:.1%}")
    print(f"in a category that has a guide:     {covered} = {covered / total:.1%} of all, {covered / mapped:.1%} of mapped")
    print("\narticles per category (* = no guide in this checkout):")
    for category, count in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0] or "")):
        mark = "" if category is None or has_guide(category) else " *"
        print(f"  {count:5}  {category or '(not a service-desk category)'}{mark}")
    if args.by_area:
        print("\nproduct folders:")
        for folder, count in sorted(folders.items()):
            print(f"  {count:5}  {folder} -> {area_category(folder)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
