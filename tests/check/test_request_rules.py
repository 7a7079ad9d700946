"""Incidents and service requests: fulfilment guides, request targets, an L2 step for every category.

Each case lays one broken file over ``tests/fixtures/requests`` (a valid repository with an
incident category, a request category with a child, and a fulfilment guide) and expects exactly
one problem at its position, with a fix in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from .casekit import Case, assert_case, make_repo, params, problems_of, run_check

CASES = [
    Case(
        "request-without-fulfilment",
        "guides/access-request.md:4:1 request-without-fulfilment",
        ('"requests/access" is a request category', "add fulfilled_by: <step id"),
        base="requests",
    ),
    Case(
        "request-without-approval",
        "guides/access-request.md:4:1 request-without-fulfilment",
        ("add approval: {by: <who approves>", "and fulfilled_by:"),
        base="requests",
    ),
    Case(
        "request-field-on-incident",
        "guides/password-reset.md:9:1 request-field-on-incident",
        ('"accounts" is an incident category', "remove fulfilled_by, or move the guide to a request category"),
        base="requests",
    ),
    Case(
        "fulfilled-by-unknown-step",
        "guides/access-request.md:13:15 unknown-escalation-step",
        ('fulfilled_by names unknown step "identity-l3"', 'did you mean "identity-l2"?'),
        base="requests",
    ),
    Case("approval-without-approver", "guides/access-request.md:11:3 schema", ("must say who approves (by: <role>)", "required: false"), base="requests"),
    Case("category-kind-unknown", "guides/categories.yml:11:11 schema", ("expected 'incident' or 'request'",), base="requests"),
    Case(
        "category-without-l2",
        "guides/categories.yml:7:9 category-without-l2",
        ('no L2 step serves category "requests"', "add it (or a parent) to the categories of an L2 step"),
        base="requests",
    ),
    Case(
        "request-sla-missing",
        "guides/priorities.yml:10:1 request-sla-missing",
        ("(requests, requests/access) have no request targets", "add a requests: section"),
        base="requests",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_request_fault_reports_one_problem_at_its_position(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


def test_the_requests_base_is_clean_even_strict(tmp_path: Path) -> None:
    root = make_repo(tmp_path, Case("clean", "", base="requests"))
    result = run_check(root, "--strict", "--format", "json")
    assert problems_of(result) == [] and result.exit_code == 0


def test_a_pre_approved_request_needs_no_approver(tmp_path: Path) -> None:
    root = make_repo(tmp_path, Case("clean", "", base="requests"))
    guide = root / "guides" / "access-request.md"
    text = guide.read_text(encoding="utf-8").replace("  by: The folder's owner\n", "  required: false\n")
    guide.write_text(text.replace("The owner approves in the ticket.", "Standard request, pre-approved."), encoding="utf-8")
    assert problems_of(run_check(root, "--strict", "--format", "json")) == []
