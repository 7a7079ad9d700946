"""YAML traps: what YAML 1.1 loaders get wrong, and what the loader refuses outright.

Each case breaks one file of the minimal repository and expects exactly one problem at its exact
position. The value tests check what the loader *accepts* loads as text, not as booleans/numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search.content.repository import load_repository
from search.content.yamlload import MAX_BYTES, load_yaml
from support.cost import at_most_cpu

from .casekit import FIXTURES, Case, assert_case, make_repo, params, run_check

VARIANTS = FIXTURES / "variants"


def _oversized_tree(root: Path) -> None:
    """A tree just over the 1 MB YAML cap (valid YAML: the padding is comments)."""
    path = root / "guides" / "vpn-no-connect.yml"
    text = path.read_text(encoding="utf-8")
    padding = "# " + "x" * 97 + "\n"
    path.write_text(text + padding * (MAX_BYTES // len(padding) + 1), encoding="utf-8")


def _oversized_article(root: Path) -> None:
    """An article over the 5 MB Markdown cap."""
    path = root / "kb" / "articles" / "password-rules.md"
    path.write_text(path.read_text(encoding="utf-8") + ("Filler paragraph of a pasted log.\n" * 160_000), encoding="utf-8")


CASES = [
    # answer labels YAML does not load as text (yes/no DO load as text: see the value tests)
    Case("answer-true", "guides/vpn-no-connect.yml:30:7 answer-not-string", ("true (a boolean)", '"true":')),
    Case("answer-false", "guides/password-reset.yml:7:7 answer-not-string", ("false (a boolean)",)),
    Case("answer-null", "guides/vpn-no-connect.yml:31:7 answer-not-string", ("an empty value",)),
    Case("answer-tilde", "guides/password-reset.yml:7:7 answer-not-string", ("an empty value",)),
    Case("answer-number", "guides/vpn-no-connect.yml:30:7 answer-not-string", ("1 (a number)", '"1":')),
    Case("answer-float", "guides/password-reset.yml:6:7 answer-not-string", ("1.5 (a number)",)),
    # duplicate keys: the second one is reported, and the message names the first one's line
    Case("duplicate-key-front-matter", "kb/articles/vpn-reinstall.md:6:1 duplicate-key", ('"title"', "first defined at line 3")),
    Case("duplicate-key-config", "guides/escalation.yml:8:5 duplicate-key", ('"team"', "first defined at line 4")),
    Case("duplicate-node-id", "guides/vpn-no-connect.yml:35:3 duplicate-key", ('"resolved"', "first defined at line 32")),
    # true and 1 are equal once loaded: say that both are non-strings to quote, not just "duplicate"
    Case(
        "answer-true-and-one",
        "guides/vpn-no-connect.yml:31:7 duplicate-key",
        ("true (a boolean) at line 30", "1 (a number)", "non-strings", '"true": and "1":'),
    ),
    # control characters: reported where they are, with the code point
    Case("control-character-body", "kb/articles/vpn-reinstall.md:15:4 control-character", ("U+001B (ESC)", "remove it")),
    # refused constructs
    Case("alias-bomb", "guides/password-reset.yml:2:8 yaml-alias", ('"*a"',)),
    Case("custom-tag", "guides/vpn-no-connect.yml:28:11 yaml-tag", ("!include",)),
    Case("python-tag", "guides/password-reset.yml:18:11 yaml-tag", ("python/object/apply",)),
    Case("deep-nesting", "guides/password-reset.yml:19:40 too-deep", ("32 levels",)),
    Case("multiple-documents", "guides/vpn-no-connect.yml:39:1 yaml-syntax", ("more than one YAML document",)),
    # syntax errors point at the cause, not where the parser gave up
    Case("tab-indentation", "guides/vpn-no-connect.yml:24:1 yaml-syntax", ("tab character",)),
    Case("unclosed-quote", "guides/priorities.yml:17:11 yaml-syntax", ("never closed",)),
    Case("flow-not-closed", "guides/categories.yml:9:15 yaml-syntax", ('"[" is never closed', "line 10, column 17")),
    Case("bad-indentation", "guides/escalation.yml:21:4 yaml-syntax", ("expected key",)),
    # bytes
    Case("bom-yaml", "guides/categories.yml:1:1 encoding", ("byte-order mark",)),
    Case("bom-markdown", "kb/articles/password-rules.md:1:1 encoding", ("byte-order mark",)),
    Case("invalid-utf8-yaml", "guides/password-reset.yml:14:50 encoding", ("0xe9",)),
    Case("invalid-utf8-markdown", "kb/articles/vpn-reinstall.md:15:44 encoding", ("0xff",)),
    Case("too-large-yaml", "guides/vpn-no-connect.yml:1:1 too-large", ("1,000,000-byte limit",), generate=_oversized_tree),
    Case("too-large-markdown", "kb/articles/password-rules.md:1:1 too-large", ("5,000,000-byte limit",), generate=_oversized_article),
]


@pytest.mark.parametrize("case", params(CASES))
def test_broken_yaml_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


def _clean_repo(tmp_path: Path, variant: str | None = None):
    root = make_repo(tmp_path, overlay=VARIANTS / variant if variant else None)
    result = run_check(root, "--strict", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"
    return load_repository(root)


def test_yes_no_answer_labels_are_text_not_booleans(tmp_path: Path) -> None:
    repo = _clean_repo(tmp_path)
    answers = repo.guide_by_id["vpn-no-connect"].tree.nodes["internet-works"].answers
    assert list(answers) == ["yes", "no"]
    assert all(type(label) is str for label in answers)


def test_on_off_answer_labels_stay_text(tmp_path: Path) -> None:
    repo = _clean_repo(tmp_path, "on-off-answers")
    answers = repo.guide_by_id["vpn-no-connect"].tree.nodes["connects"].answers
    assert answers == {"on": "resolved", "off": "escalate"}


def test_quoted_true_and_number_labels_are_fine(tmp_path: Path) -> None:
    repo = _clean_repo(tmp_path, "quoted-answer-labels")
    assert list(repo.guide_by_id["vpn-no-connect"].tree.nodes["connects"].answers) == ["true", "1"]


def test_unquoted_version_keeps_its_spelling(tmp_path: Path) -> None:
    repo = _clean_repo(tmp_path, "version-unquoted")
    assert repo.guide_by_id["vpn-no-connect"].meta.version == "1.10"


def test_crlf_line_endings_are_fine(tmp_path: Path) -> None:
    repo = _clean_repo(tmp_path, "crlf-line-endings")
    assert "\r" not in repo.article_by_id["vpn-reinstall"].body


def test_block_scalars_load_as_text(tmp_path: Path) -> None:
    node = _clean_repo(tmp_path, "block-scalar-text").guide_by_id["vpn-no-connect"].tree.nodes["restart-client"]
    assert node.text == "Restart the laptop.\nThen try the VPN again.\n"
    assert node.help == "Quit the client first, also from the system tray.\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("1:30", "1:30"),
        ("2024-02-30", "2024-02-30"),
        ("0o17", 15),
        ("012", 12),
        ("1_000", "1_000"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("1.10", 1.1),
    ],
)
def test_plain_scalars_resolve_by_yaml_1_2(text: str, expected: object) -> None:
    value = load_yaml(f"key: {text}\n").data["key"]
    assert value == expected and type(value) in {type(expected), *type(expected).__subclasses__()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert value.raw == text  # numbers remember their spelling, so text fields keep "1.10" or "012"


def test_alias_bomb_is_refused_quickly() -> None:
    """Billion laughs: refused at the first alias, without expanding anything."""
    text = (FIXTURES / "broken" / "alias-bomb" / "guides" / "password-reset.yml").read_text(encoding="utf-8")
    with at_most_cpu(1.0):
        with pytest.raises(Exception) as raised:
            load_yaml(text)
        assert getattr(raised.value, "rule", None) == "yaml-alias"
