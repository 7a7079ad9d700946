"""`kb import zendesk` through the real CLI over a hostile Help Center export: nothing executable
reaches the Markdown (nor the HTML Python-Markdown makes of it), every removal is reported, the
structure survives, links between articles follow the import, and a second import changes nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import markdown

from support import ROOT
from support.sample import write_sample

from .test_markdown_import import errors_of_kb_check, kb, tree_digest

EXPORT = ROOT / "tests" / "fixtures" / "import" / "zendesk"
VPN = "kb/articles/zendesk/remote-access/reset-your-vpn-client.md"
MAIL = "kb/articles/zendesk/mail/mailbox-full.md"
EXECUTABLE = re.compile(r"(?i)(?<!\\)<\s*(script|iframe|object|embed|svg|style|form|input)\b|\bon[a-z]+\s*=|javascript:|vbscript:|data:|srcdoc|style\s*=")


def import_json(root: Path, export: Path, *extra: str | Path) -> tuple[int, dict[str, Any]]:
    done = kb("import", "zendesk", export, "--root", root, "--format", "json", *extra)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_nothing_executable_survives_and_every_removal_is_reported(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    code, report = import_json(root, EXPORT)
    assert code == 0 and report["counts"]["created"] == 3
    for path in (root / "kb/articles/zendesk").rglob("*.md"):
        text = path.read_text("utf-8")
        assert not EXECUTABLE.search(text), (path, EXECUTABLE.search(text))
        html = markdown.markdown(text.split("---\n", 2)[2], extensions=["tables", "attr_list", "fenced_code"])
        assert not EXECUTABLE.search(html), (path, EXECUTABLE.search(html))
    removed = next(p["message"] for p in report["problems"] if p["rule"] == "html-removed")
    for what in ("1 <script>", "1 <style>", "2 <iframe>", "1 <object>", "1 <svg>", "1 <form>", "1 onclick", "1 onerror", "1 javascript: URL", "1 data: URL"):
        assert what in removed, what
    rules = {(p["path"], p["rule"]) for p in report["problems"]}
    vpn_where = "articles-page-1.json#article-1001"
    assert {(vpn_where, "raw-html"), (vpn_where, "script-link"), (vpn_where, "unsafe-attribute"), (vpn_where, "text-changed")} <= rules
    unmapped = {p["message"].split('"')[1] for p in report["problems"] if p["rule"] == "unmapped-field"}
    assert {"author_id", "vote_sum", "created_at", "promoted"} <= unmapped  # nothing is dropped without a word
    assert errors_of_kb_check(root) == []


def test_structure_links_and_fields_survive(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    _, report = import_json(root, EXPORT)
    head, body = (root / VPN).read_text("utf-8").split("---\n")[1:3]
    assert 'title: "Reset your ‹b›VPN‹/b› client"' in head and 'tags: ["vpn", "remote access"]' in head
    assert 'reviewed: "2024-05-01"' in head and 'status: "published"' in head and 'audience: "public"' in head
    assert 'category: "network/remote-access"' in head
    assert '"origin": "1001/en-us", "url": "https://help.example.com/hc/en-us/articles/1001-Reset-your-VPN-client"' in head
    assert "## Before you start" in body
    assert "1.  Quit the client\n    -   on Windows: the tray icon\n    -   on macOS: the menu bar\n        1.  hold `Option`\n2.  Reinstall" in body
    assert "```powershell\nGet-Service -Name vpn* | Restart-Service\n$env:Path -split ';'\n```" in body
    assert "| 809 | blocked \\| filtered port |" in body and "| 812 | policy mismatch |" in body
    assert "![VPN settings](https://help.example.com/hc/article_attachments/555/vpn.png) inline chart" in body
    assert "[Embedded iframe: https://www.youtube.com/embed/vpn123](https://www.youtube.com/embed/vpn123)" in body
    assert "[retired one](https://help.example.com/hc/en-us/articles/9999-Gone)" in body  # not imported: its web address
    assert "\\<script>alert(6)\\</script> is shown as text, and so is x and ." in body  # HTML-looking text stays readable, inert
    assert "Check the mailbox article and" in body  # a published article never links to a draft
    assert any(p["rule"] == "link-to-draft" for p in report["problems"])
    mail = (root / MAIL).read_text("utf-8")
    assert 'status: "draft"' in mail and 'audience: "internal"' in mail and 'category: "email/mail"' in mail
    assert "[the VPN article](../remote-access/reset-your-vpn-client.md)" in mail
    assert 'title: "Printer offline"' in (root / "kb/articles/zendesk/printers/printer.md").read_text("utf-8")  # an empty body imports too


def test_second_import_changes_nothing_and_a_new_export_updates_in_place(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    import_json(root, export)
    before = tree_digest(root)
    _, again = import_json(root, export)
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "failed": 0} and tree_digest(root) == before

    article = root / VPN
    article.write_text(article.read_text("utf-8").replace('status: "published"\n', 'status: "published"\nreview_every_days: 180\n'), "utf-8")
    page = json.loads((export / "articles-page-1.json").read_text("utf-8"))
    page["articles"][0]["title"] = "Reset the VPN client"
    page["articles"][0]["label_names"] = ["vpn"]
    (export / "articles-page-1.json").write_text(json.dumps(page), "utf-8")
    _, third = import_json(root, export)
    assert [(a["path"], a["action"]) for a in third["articles"] if a["action"] != "unchanged"] == [(VPN, "updated")]
    text = article.read_text("utf-8")
    assert 'title: "Reset the VPN client"' in text and 'tags: ["vpn"]' in text and "review_every_days: 180" in text
    assert len(list((root / "kb/articles/zendesk").rglob("*.md"))) == 3


def test_sections_through_a_category_map_with_did_you_mean(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    mapping = tmp_path / "sections.yml"
    mapping.write_text('"Network/Remote acess": network/vpn\nMail: network\n203: printing\n', "utf-8")
    _, report = import_json(root, EXPORT, "--category-map", mapping)
    unmapped = [p["message"] for p in report["problems"] if p["rule"] == "unmapped-category"]
    assert unmapped == [
        f'"Network/Remote access" (1 articles) is not in {mapping.as_posix()} (did you mean "network/remote acess"?); its articles were imported without a category'
    ]
    assert 'category: "network"' in (root / MAIL).read_text("utf-8")
    assert 'category: "printing"' in (root / "kb/articles/zendesk/printers/printer.md").read_text("utf-8")
    assert report["categories_added"] == []


def test_a_broken_export_file_is_reported_where_it_breaks(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "repo")
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    (export / "broken.json").write_text('{"articles": [\n  {"id": 5,}\n]}', "utf-8")
    (export / "wrong.json").write_text('{"articles": [{"title": "no id"}]}', "utf-8")
    code, report = import_json(root, export)
    assert code == 1 and report["counts"]["created"] == 3
    found = {(p["path"], p["line"], p["col"], p["rule"]) for p in report["problems"] if p["severity"] == "error"}
    assert found == {("broken.json", 2, 12, "json"), ("wrong.json", 1, 1, "json")}
