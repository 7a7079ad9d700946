"""`kb import markdown` through the real CLI: odd front matter is reported per file at
path:line:col and never crashes, links and images between imported files still resolve, nothing
executable survives, and re-imports update in place without undoing local edits."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from support import KB, ROOT
from support.sample import write_sample

FIXTURE = ROOT / "tests" / "fixtures" / "import" / "markdown"
IMPORTED = "kb/articles/imported"


def kb(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KB), *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)


def import_json(root: Path, source: Path, *extra: str | Path) -> tuple[int, dict[str, Any]]:
    done = kb("import", "markdown", source, "--root", root, "--format", "json", *extra)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def problems(report: dict[str, Any], path: str) -> list[str]:
    return [f"{p['line']}:{p['col']} {p['severity']} {p['rule']}" for p in report["problems"] if p["path"] == path]


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def errors_of_kb_check(root: Path) -> list[str]:
    done = kb("check", "--root", root, "--format", "json")
    return [f"{p['path']}:{p['line']}:{p['col']} {p['rule']} {p['message']}" for p in json.loads(done.stdout) if p["severity"] == "error"]


def test_odd_front_matter_is_reported_per_file_and_the_rest_imports(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    code, report = import_json(root, FIXTURE, "--base-url", "https://vendor.example")
    assert code == 1  # two files could not be imported; everything else was
    assert problems(report, "Email/malformed.md") == ["2:14 error front-matter"]
    assert problems(report, "Email/unclosed.md") == ["1:1 error front-matter"]
    assert problems(report, "Email/duplicate-keys.md") == ["4:1 warning duplicate-key"]
    assert problems(report, "Email/bom.md") == ["1:1 warning encoding"]
    assert problems(report, "Email/latin1.md") == ["2:11 warning encoding"]
    assert problems(report, "Email/list-front-matter.md") == ["1:1 warning missing-title", "2:1 warning front-matter"]
    assert problems(report, "Email/no-front-matter.md") == ["1:1 warning missing-title"]
    assert problems(report, "Email/odd-values.md") == ["4:1 warning unmapped-value", "6:1 warning unmapped-value"]
    by_origin = {a["origin"]: a for a in report["articles"]}
    assert set(by_origin) == {
        "Email/bom.md",
        "Email/duplicate-keys.md",
        "Email/latin1.md",
        "Email/list-front-matter.md",
        "Email/mailbox-full.md",
        "Email/no-front-matter.md",
        "Email/odd-values.md",
        "Network/VPN/vpn-drops.md",
    }
    assert all(a["action"] == "created" for a in report["articles"])
    text = (root / by_origin["Email/latin1.md"]["path"]).read_text("utf-8")
    assert 'title: "Café wifi"' in text and "The café network ? drops." in text  # 0x81 has no Windows-1252 character: reported
    assert 'title: "Second title"' in (root / by_origin["Email/duplicate-keys.md"]["path"]).read_text("utf-8")
    bom = (root / by_origin["Email/bom.md"]["path"]).read_bytes()
    assert bom.startswith(b"---\n") and b'reviewed: "2022-05-06"' in bom
    assert 'title: "Printer offline"' in (root / by_origin["Email/no-front-matter.md"]["path"]).read_text("utf-8")
    odd = (root / by_origin["Email/odd-values.md"]["path"]).read_text("utf-8")
    assert 'id: "odd-values"' in odd and 'status: "draft"' in odd  # draft: yes is a draft
    assert errors_of_kb_check(root) == []


def test_fields_map_onto_the_schema_and_unmapped_ones_are_named(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    _, report = import_json(root, FIXTURE, "--base-url", "https://vendor.example")
    vpn = (root / IMPORTED / "network/vpn/vpn-drops.md").read_text("utf-8")
    head = vpn.split("---\n")[1]
    assert 'title: "VPN drops every ‹b›hour‹/b›"' in head  # a tag in a title is shown, never markup
    assert 'description: "The VPN client disconnects after sixty minutes."' in head
    assert 'owner: "ana, ben"' in head and 'reviewed: "2023-03-15"' in head and 'category: "network/vpn"' in head
    assert 'tags: ["vpn", "timeout", "disconnect"]' in head and 'status: "published"' in head
    mail = (root / IMPORTED / "email/mailbox-full.md").read_text("utf-8")
    assert 'reviewed: "2024-02-01"' in mail and 'owner: "Messaging team"' in mail and 'audience: "public"' in mail and 'tags: ["mailbox", "quota"]' in mail
    unmapped = [p for p in report["problems"] if p["path"] == "Network/VPN/vpn-drops.md" and p["rule"] == "unmapped-field"]
    assert [(p["line"], p["message"].split(" ")[0]) for p in unmapped] == [(8, '"ms.custom"')]
    assert "email" in report["categories_added"]
    before = (write_sample(tmp_path / "fresh") / "guides/categories.yml").read_text("utf-8")
    assert (root / "guides/categories.yml").read_text("utf-8") == before.rstrip(
        "\n"
    ) + '\n  - id: "email"\n    title: "Email"\n'  # appended, the rest as it was


def test_links_images_and_unsafe_prose(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    _, report = import_json(root, FIXTURE, "--base-url", "https://vendor.example")
    body = (root / IMPORTED / "network/vpn/vpn-drops.md").read_text("utf-8").split("---\n", 2)[2]
    assert "[the mailbox article](../../email/mailbox-full.md#archive)" in body
    assert '![the dialog](../../media/vpn-dialog.png "Dialog")' in body
    assert (root / IMPORTED / "media/vpn-dialog.png").read_bytes() == (FIXTURE / "media/vpn dialog.PNG").read_bytes()
    assert "[client guide](https://vendor.example/windows/vpn-client)" in body
    assert "the old notes are not in this folder" in body  # outside the import: text kept, link reported
    assert "javascript:" not in body and "onclick" not in body and "this never" in body
    assert "\\<kbd>Ctrl\\</kbd>" in body and "<https://example.com/status>" in body
    assert '```xml\n<config timeout="3600"/>\n```' in body  # code is kept as written
    assert "[VPN drops](../network/vpn/vpn-drops.md)" in (root / IMPORTED / "email/mailbox-full.md").read_text("utf-8")
    rules = {(p["line"], p["col"], p["rule"]) for p in report["problems"] if p["path"] == "Network/VPN/vpn-drops.md"}
    assert {(14, 80, "link-outside-import"), (15, 5, "raw-html"), (15, 32, "script-link"), (16, 12, "unsafe-attribute")} <= rules
    # malformed links: a doubled "(" repaired, brackets in a link's text resolved, "[x](" opening no link kept as text
    assert "[the script](https://vendor.example/collect.ps1)" in body and "([[Mailbox]](../../email/mailbox-full.md))" in body
    assert "Create[TService]\\(Uri name)" in body
    assert {(21, 28, "malformed-link"), (21, 126, "malformed-link")} <= rules
    assert errors_of_kb_check(root) == []


def test_without_base_url_site_absolute_links_are_reported(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    _, report = import_json(root, FIXTURE)
    found = [p for p in report["problems"] if p["rule"] == "link-outside-import" and "--base-url" in p["message"]]
    assert [(p["path"], p["line"], p["col"]) for p in found] == [("Network/VPN/vpn-drops.md", 14, 20)]


def test_reimport_changes_nothing_then_updates_only_what_the_source_changed(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    source = tmp_path / "source"
    shutil.copytree(FIXTURE, source)
    import_json(root, source)
    before = tree_digest(root)
    _, again = import_json(root, source)
    assert {a["action"] for a in again["articles"]} == {"unchanged"} and tree_digest(root) == before

    article = root / IMPORTED / "email/mailbox-full.md"
    edited = (
        article.read_text("utf-8")
        .replace('title: "Mailbox full"', 'title: "Mailbox is full"')
        .replace('status: "published"\n', 'status: "published"\nreview_every_days: 90\n')
    )
    article.write_text(edited, "utf-8")
    src = source / "Email/mailbox-full.md"
    src.write_text(src.read_text("utf-8").replace("## Archive", "## Archive old mail"), "utf-8")
    _, third = import_json(root, source)
    actions = {a["origin"]: a["action"] for a in third["articles"]}
    assert actions["Email/mailbox-full.md"] == "updated" and set(actions.values()) == {"unchanged", "updated"}
    text = article.read_text("utf-8")
    assert "## Archive old mail" in text and 'title: "Mailbox is full"' in text and "review_every_days: 90" in text  # local edits kept
    assert not [p for p in third["problems"] if p["rule"] == "overwrote-local-edit"]

    src.write_text(src.read_text("utf-8").replace("title: Mailbox full", "title: Mailbox over quota"), "utf-8")
    _, fourth = import_json(root, source)
    assert 'title: "Mailbox over quota"' in article.read_text("utf-8") and "review_every_days: 90" in article.read_text("utf-8")
    overwrote = [p for p in fourth["problems"] if p["rule"] == "overwrote-local-edit"]
    assert [(p["path"], p["message"].rsplit(": ", 1)[1]) for p in overwrote] == [(f"{IMPORTED}/email/mailbox-full.md", "title")]
    assert len(list((root / IMPORTED).rglob("*.md"))) == 8  # updated in place, never duplicated


def test_a_moved_article_is_found_by_its_origin_and_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    source = tmp_path / "source"
    shutil.copytree(FIXTURE, source)
    import_json(root, source)
    (root / "kb/articles/mail").mkdir(parents=True)
    moved = root / "kb/articles/mail/quota.md"
    (root / IMPORTED / "email/mailbox-full.md").rename(moved)
    kept = root / "kb/articles/mail/bom.md"
    text = (root / IMPORTED / "email/bom.md").read_text("utf-8").replace("---\nid:", "---\n# kept by the team\nid:", 1)
    kept.write_text(text, "utf-8")
    (root / IMPORTED / "email/bom.md").unlink()
    _, again = import_json(root, source)
    found = {a["origin"]: (a["path"], a["action"]) for a in again["articles"]}
    assert found["Email/bom.md"] == ("kb/articles/mail/bom.md", "unchanged") and kept.read_text("utf-8") == text  # not re-created, not reformatted
    assert found["Email/mailbox-full.md"] == ("kb/articles/mail/quota.md", "updated")  # its link is fixed for where it is now
    assert "[VPN drops](../imported/network/vpn/vpn-drops.md)" in moved.read_text("utf-8")
    assert "(../../../mail/quota.md#archive)" in (root / IMPORTED / "network/vpn/vpn-drops.md").read_text("utf-8")
    assert not list((root / IMPORTED / "email").glob("mailbox-full*.md")) and errors_of_kb_check(root) == []

    before = tree_digest(root)
    (source / "Email/mailbox-full.md").write_text((source / "Email/mailbox-full.md").read_text("utf-8") + "\nMore.\n", "utf-8")
    _, dry = import_json(root, source, "--dry-run")
    assert dry["dry_run"] and [(a["origin"], a["path"]) for a in dry["articles"] if a["action"] == "updated"] == [
        ("Email/mailbox-full.md", "kb/articles/mail/quota.md")
    ]
    assert tree_digest(root) == before


def test_category_map_with_did_you_mean_for_unmapped_folders(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    mapping = tmp_path / "map.yml"
    mapping.write_text("Network/VPN: network/vpn\nEmial: email/mailbox\n", "utf-8")
    _, report = import_json(root, FIXTURE, "--category-map", mapping)
    unmapped = [p for p in report["problems"] if p["rule"] == "unmapped-category"]
    assert [p["message"] for p in unmapped] == [
        f'"Email" (7 articles) is not in {mapping.as_posix()} (did you mean "emial"?); its articles were imported without a category'
    ]
    assert "category:" not in (root / IMPORTED / "email/mailbox-full.md").read_text("utf-8")
    assert 'category: "network/vpn"' in (root / IMPORTED / "network/vpn/vpn-drops.md").read_text("utf-8")
    mapping.write_text("Network/VPN: network/vpn\nEmail: email/mailbox\n", "utf-8")
    _, fixed = import_json(root, FIXTURE, "--category-map", mapping)
    assert 'category: "email/mailbox"' in (root / IMPORTED / "email/mailbox-full.md").read_text("utf-8")
    assert sorted(fixed["categories_added"]) == ["email", "email/mailbox"]
    assert errors_of_kb_check(root) == []


def test_a_broken_category_map_is_a_positioned_error(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    mapping = tmp_path / "map.yml"
    mapping.write_text("Network: network\nEmail: Not A Category\n", "utf-8")
    code, report = import_json(root, FIXTURE, "--category-map", mapping)
    assert code == 1 and report["articles"] == []
    assert [(p["line"], p["col"], p["rule"]) for p in report["problems"]] == [(2, 8, "category-map")]
