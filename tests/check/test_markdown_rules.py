"""Content safety and links: raw HTML and script URLs in any text, links that lead nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from .casekit import FIXTURES, Case, assert_case, make_repo, params, run_check

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
    Case("broken-link-article", "kb/articles/vpn-reinstall.md:18:39 broken-link", ('"guides/vpn-no-conect.md"', 'did you mean "guides/vpn-no-connect.md"?')),
    Case("broken-link-guide-body", "guides/vpn-no-connect.md:13:32 broken-link", ('"guides/articles/vpn-reinstall.md"', 'did you mean "articles/vpn-reinstall.md"?')),
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
