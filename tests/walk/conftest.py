"""Fixtures for the walk tests: the shipped repository and routes found in its trees."""

from __future__ import annotations

import pytest

from search.content.models import EscalationNode, ResolutionNode
from search.content.repository import Repository, load_repository
from support import ROOT
from support.walkpaths import Route, routes_to


@pytest.fixture(scope="session")
def repo() -> Repository:
    loaded = load_repository(ROOT)
    assert loaded.guides, "the shipped repository has no guides"
    return loaded


@pytest.fixture(scope="session")
def resolution_routes(repo: Repository) -> list[Route]:
    found = routes_to(repo, ResolutionNode)
    assert found, "no shipped guide has a reachable resolution leaf"
    return found


@pytest.fixture(scope="session")
def escalation_routes(repo: Repository) -> list[Route]:
    found = routes_to(repo, EscalationNode)
    assert found, "no shipped guide has a reachable escalation leaf"
    return found
