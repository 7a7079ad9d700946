"""`kb review` lists what is overdue and due soon by owner (table, CSV, JSON, filters); review
intervals come from the document, else its category (or a parent's), else a year; an overdue
review warns in `kb check` and fails only with --fail-on-overdue (or KB_FAIL_ON_OVERDUE)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT
from support.servers import kb_executable

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
# password-reset and password-rules (Identity and Access) reviewed 2026-03-10: due 2027-03-10;
# vpn-no-connect and vpn-reinstall (Network Operations) reviewed 2026-06-01: due 2027-06-01.
TODAY = "2027-03-20"


def kb(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*kb_executable(), *args, "--root", str(root)], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {}), "COLUMNS": "200"}
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return shutil.copytree(MINIMAL, tmp_path / "content")


def items(root: Path, *args: str) -> list[dict[str, object]]:
    done = kb(root, "review", "--today", TODAY, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["items"]  # type: ignore[no-any-return]


def test_json_lists_overdue_and_due_soon_by_owner(root: Path) -> None:
    found = items(root, "--within", "80")
    assert [(i["owner"], i["id"], i["state"], i["days_left"]) for i in found] == [
        ("Identity and Access", "password-rules", "overdue", -10),  # by owner, then due date, then title
        ("Identity and Access", "password-reset", "overdue", -10),
        ("Network Operations", "vpn-reinstall", "due-soon", 73),
        ("Network Operations", "vpn-no-connect", "due-soon", 73),
    ]
    assert found[0] == {
        "kind": "article",
        "id": "password-rules",
        "title": "Password rules",
        "owner": "Identity and Access",
        "path": "kb/articles/password-rules.md",
        "status": "published",
        "reviewed": "2026-03-10",
        "reviewed_by": None,
        "interval_days": 365,
        "due": "2027-03-10",
        "days_left": -10,
        "state": "overdue",
    }
    assert [i["id"] for i in items(root)] == ["password-rules", "password-reset"]  # due in 73 days is not within 30
    assert [i["id"] for i in items(root, "--owner", "network operations", "--within", "80")] == ["vpn-reinstall", "vpn-no-connect"]
    assert len(items(root, "--all", "--owner", "Network Operations")) == 2


def test_csv_for_a_managers_report(root: Path) -> None:
    done = kb(root, "review", "--today", TODAY, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["owner"], r["id"], r["due"], r["state"]) for r in rows] == [
        ("Identity and Access", "password-rules", "2027-03-10", "overdue"),
        ("Identity and Access", "password-reset", "2027-03-10", "overdue"),
    ]


def test_table_for_people(root: Path) -> None:
    done = kb(root, "review", "--today", TODAY)
    assert done.returncode == 0, done.stderr
    assert "Reviews overdue or due within 30 days, as of 2027-03-20" in done.stdout
    line = next(line for line in done.stdout.splitlines() if "password-rules" in line)
    assert "Identity and Access" in line and "overdue" in line and "2027-03-10" in line and "-10" in line
    assert "Nothing is overdue" in kb(root, "review", "--today", "2026-07-01").stdout


def test_intervals_from_the_document_then_the_category_then_its_parent(root: Path) -> None:
    categories = root / "guides" / "categories.yml"
    categories.write_text(
        categories.read_text(encoding="utf-8").replace(
            "  - id: network\n    title: Network and connectivity\n", "  - id: network\n    title: Network and connectivity\n    review_every_days: 90\n"
        ),
        encoding="utf-8",
    )
    article = root / "kb" / "articles" / "vpn-reinstall.md"
    article.write_text(article.read_text(encoding="utf-8").replace("reviewed: 2026-06-01", "reviewed: 2026-06-01\nreview_every_days: 30"), encoding="utf-8")
    found = {i["id"]: (i["interval_days"], i["due"]) for i in items(root, "--all", "--today", "2026-07-15")}
    assert found["vpn-no-connect"] == (90, "2026-08-30")  # network/vpn inherits network's 90 days
    assert found["vpn-reinstall"] == (30, "2026-07-01")  # its own interval wins
    assert found["password-reset"] == (365, "2027-03-10")
    check = kb(root, "check", "--today", "2026-07-15", "--format", "json")
    assert [(p["path"], p["rule"]) for p in json.loads(check.stdout)] == [("kb/articles/vpn-reinstall.md", "review-overdue")]


def test_overdue_warns_and_fails_only_where_asked(root: Path) -> None:
    plain = kb(root, "check", "--today", TODAY)
    assert plain.returncode == 0 and "review-overdue" in plain.stdout
    assert "kb review --done password-rules --by NAME" in plain.stdout  # the fix, named
    assert kb(root, "check", "--today", TODAY, "--strict").returncode == 0  # an unrelated pull request is not blocked
    assert kb(root, "check", "--today", TODAY, "--fail-on-overdue").returncode == 1
    assert kb(root, "check", "--today", TODAY, env={"KB_FAIL_ON_OVERDUE": "1"}).returncode == 1
    assert kb(root, "check", "--today", "2026-07-01", "--fail-on-overdue").returncode == 0


def test_strict_still_fails_on_other_warnings(root: Path) -> None:
    (root / "guides" / "orphan.yml").write_text("nodes:\n  a:\n    type: resolution\n    text: Done.\n", encoding="utf-8")
    assert kb(root, "check", "--today", TODAY).returncode == 0
    assert kb(root, "check", "--today", TODAY, "--strict").returncode == 1


def test_recording_a_review_takes_it_off_the_list(root: Path) -> None:
    assert kb(root, "review", "--done", "password-rules", "--by", "Ana", "--date", "2027-03-19").returncode == 0
    found = items(root)
    assert [i["id"] for i in found] == ["password-reset"]
    assert items(root, "--all", "--owner", "Identity and Access")[-1]["reviewed_by"] == "Ana"
    assert kb(root, "review", "--by", "Ana").returncode == 2  # --by without --done
