"""Every rule id a user can see is documented in the README's `## Rules` section."""

from __future__ import annotations

import re

from search.checks import RULES

from .casekit import ROOT


def _rules_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Rules[ \t]*\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, "README.md has no '## Rules' section"
    return match.group(1)


def test_every_rule_id_is_in_the_readme_rules_section() -> None:
    section = _rules_section()
    missing = [rule_id for rule_id in RULES if not re.search(rf"(?<![\w-]){re.escape(rule_id)}(?![\w-])", section)]
    assert missing == [], f"rule ids missing from README.md '## Rules': {missing}"


def test_readme_rules_section_names_no_unknown_rule() -> None:
    documented = set(re.findall(r"^\|\s*`([a-z0-9-]+)`\s*\|", _rules_section(), flags=re.M))
    assert documented - set(RULES) == set()
