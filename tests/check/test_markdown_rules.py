"""Content safety and links: raw HTML and script URLs in any text, links that lead nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .casekit import FIXTURES, TODAY, Case, assert_case, make_repo, params, run_check, run_kb

CASES = [
    Case("raw-html-body", "kb/articles/vpn-reinstall.md:16:23 raw-html", ('"<br>"',)),
    Case("raw-html-after-code", "kb/articles/vpn-reinstall.md:21:1 raw-html", ('"<img src=x onerror=alert(1)>"',)),
    Case("html-comment-body", "guides/password-reset.md:11:1 raw-html", ('"<!--"',)),
    Case("raw-html-page", "kb/index.md:6:1 raw-html", ("<iframe",)),
    Case("raw-html-node-text", "guides/vpn-no-connect.yml:24:34 raw-html", ("<script",)),
    Case("raw-html-node-block", "guides/password-reset.yml:12:48 raw-html", ('"<br/>"',)),
    Case("raw-html-quoted", "guides/password-reset.yml:18:43 raw-html", ('"<hr>"',)),
    Case("raw-html-config", "guides/categories.yml:12:34 raw-html", ('"<img src=x>"',)),
    Case("javascript-link-body", "kb/articles/password-rules.md:15:17 javascript-link", ('"javascript:"',)),
    Case("javascript-link-node", "guides/vpn-no-connect.yml:11:46 javascript-link", ('"javascript:"',)),
    Case("data-link-reference", "kb/articles/vpn-reinstall.md:13:9 javascript-link", ('"data:"',)),
    Case("unsafe-attribute-image", "kb/articles/vpn-reinstall.md:11:57 unsafe-attribute", ('event handler "onerror"',)),
    Case("unsafe-attribute-block", "guides/password-reset.md:12:10 unsafe-attribute", ('event handler "onmouseover"',)),
    Case("unsafe-attribute-node", "guides/vpn-no-connect.yml:11:64 unsafe-attribute", ('"href" is set to a script or data URL',)),
    Case("unsafe-attribute-config", "guides/categories.yml:5:47 unsafe-attribute", ('"style" is removed',)),
    Case("broken-link-article", "kb/articles/vpn-reinstall.md:18:39 broken-link", ('"guides/vpn-no-conect.md"', 'did you mean "guides/vpn-no-connect.md"?')),
    Case(
        "broken-link-guide-body",
        "guides/vpn-no-connect.md:13:32 broken-link",
        ('"guides/articles/vpn-reinstall.md"', 'did you mean "articles/vpn-reinstall.md"?'),
    ),
    Case("broken-link-page", "kb/index.md:3:30 broken-link", ('"articles/vpn-reinstal.md"',)),
    Case("unknown-related-article", "guides/password-reset.md:8:12 broken-link", ('related article "password-rule"', 'did you mean "password-rules"?')),
]


@pytest.mark.parametrize("case", params(CASES))
def test_markdown_fault_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


def test_html_in_code_escaped_html_and_safe_links_are_fine(tmp_path: Path) -> None:
    root = make_repo(tmp_path, overlay=FIXTURES / "variants" / "safe-markdown")
    result = run_check(root, "--strict", "--format", "json")
    assert (result.exit_code, result.stdout.strip()) == (0, "[]")


# Each attempt to get script into a page, as authors could write it, with the rule that must
# report it and the text the reported column points at.
ATTEMPTS = [
    ('![i](password-rules.md){ onerror="alert(1)" }', "unsafe-attribute", "onerror"),
    ("[c](password-rules.md){ onclick=alert(1) }", "unsafe-attribute", "onclick"),
    ('[m](password-rules.md){: .note OnMouseOver="alert(1)" }', "unsafe-attribute", "OnMouseOver"),
    ('A paragraph.\n{: #anchor onfocus="alert(1)" tabindex="0" }', "unsafe-attribute", "onfocus"),
    ('## A heading { onclick="alert(1)" }', "unsafe-attribute", "onclick"),
    ('[h](password-rules.md){ href="javascript:alert(1)" }', "unsafe-attribute", "href"),
    ("[h](password-rules.md){ src='data:text/html,x' }", "unsafe-attribute", "src"),
    ('[s](password-rules.md){ style="position:fixed" }', "unsafe-attribute", "style"),
    ("<img src=x onerror=alert(1)>", "raw-html", "<img"),
    ("<svg onload=alert(1)></svg>", "raw-html", "<svg"),
    ('<div markdown="1" onclick="alert(1)">**md_in_html**</div>', "raw-html", "<div"),
    ("[j](javascript:alert(1))", "javascript-link", "javascript:"),
    ("[d](data:text/html,x)", "javascript-link", "data:"),
    ("<javascript:alert(1)>", "javascript-link", "javascript:"),
    ("[ref][bad]\n\n[bad]: javascript:alert(1)", "javascript-link", "javascript:"),
]


def test_every_attempt_in_the_catalogue_is_reported_where_it_is(tmp_path: Path) -> None:
    """Through the real ``kb`` command: one problem per attempt (raw HTML closing tags aside),
    at the line and column of the attribute, tag or URL."""
    root = make_repo(tmp_path)
    article = root / "kb/articles/vpn-reinstall.md"
    lines = article.read_text(encoding="utf-8").splitlines()
    expected = set()
    for text, rule, marker in ATTEMPTS:
        lines.append("")
        for part in text.split("\n"):
            lines.append(part)
            if marker in part:
                expected.add((len(lines), part.index(marker) + 1, rule))
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_kb("check", "--root", str(root), "--today", TODAY, "--format", "json")
    found = {
        (p["line"], p["col"], p["rule"])
        for p in json.loads(result.stdout)
        if p["path"] == "kb/articles/vpn-reinstall.md" and not str(p["message"]).startswith('raw HTML "</')
    }
    assert found == expected
    assert result.returncode == 1


def test_a_doubled_parenthesis_before_a_link_target_is_named_with_its_fix(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    article = root / "kb/articles/vpn-reinstall.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nRun [the script]((https://example.com/s.ps1) first.\n", encoding="utf-8")
    lines = article.read_text(encoding="utf-8").splitlines()
    result = run_check(root, "--format", "json")
    found = [p for p in json.loads(result.stdout) if p["rule"] == "broken-link"]
    assert [(p["path"], p["line"], p["col"]) for p in found] == [("kb/articles/vpn-reinstall.md", len(lines), 18)]
    assert 'the target starts with "(": write [text](https://example.com/s.ps1)' in found[0]["message"]
