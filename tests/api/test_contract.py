"""The API contract ticket tools build on: operation ids, security, shapes (README: versioning policy)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# Generated clients name their methods after these: renaming one breaks them, so a change here is
# deliberate and follows the versioning policy in the README.
OPERATIONS = {
    ("get", "/api/diagnose"): "diagnose",
    ("get", "/api/search"): "search",
    ("get", "/api/categories"): "listCategories",
    ("get", "/api/guides"): "listGuides",
    ("get", "/api/articles"): "listArticles",
    ("get", "/api/guides/{guide_id}"): "getGuide",
    ("get", "/api/articles/{article_id}"): "getArticle",
    ("get", "/api/escalation"): "getEscalation",
    ("post", "/api/guides/{guide_id}/walk"): "walkGuide",
    ("post", "/api/triage"): "triage",
    ("get", "/api/health"): "getHealth",
    ("post", "/api/admin/reload"): "reloadIndex",
}


def _schema(client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/api/openapi.json").json()
    return schema


def test_operation_ids_are_pinned(client: TestClient) -> None:
    found = {(method, path): op["operationId"] for path, ops in _schema(client)["paths"].items() for method, op in ops.items()}
    assert found == OPERATIONS


def test_operation_ids_are_unique_camel_case(client: TestClient) -> None:
    ids = list(OPERATIONS.values())
    assert len(set(ids)) == len(ids)
    assert all(i[0].islower() and i.isalnum() for i in ids)
