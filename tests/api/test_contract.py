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
    ("post", "/api/integrations/zendesk/webhook"): "receiveZendeskWebhook",
    ("post", "/api/integrations/zendesk/tickets/{ticket_id}/escalate"): "escalateZendeskTicket",
    ("get", "/api/admin/zendesk/outbox"): "getZendeskOutbox",
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


def test_guides_and_articles_are_listed_a_page_at_a_time(client: TestClient) -> None:
    for kind in ("guides", "articles"):
        everything = client.get(f"/api/{kind}").json()
        ids = [item["id"] for item in everything[kind]]
        assert ids == sorted(ids) and len(ids) >= 3 and everything["next"] is None
        seen: list[str] = []
        url: str | None = f"/api/{kind}?limit=2"
        pages = 0
        while url:
            response = client.get(url)
            assert response.status_code == 200
            page = response.json()
            seen += [item["id"] for item in page[kind]]
            assert len(page[kind]) <= 2
            if page["next"]:
                assert response.headers["link"] == f'<{page["next"]}>; rel="next"'
                assert page["next"] == f"/api/{kind}?limit=2&after={page[kind][-1]['id']}"
            else:
                assert "link" not in response.headers
            url, pages = page["next"], pages + 1
        assert seen == ids and pages == (len(ids) + 1) // 2


def test_list_filters_by_category_with_sub_categories_and_by_tag(client: TestClient) -> None:
    network = client.get("/api/articles", params={"category": "network"}).json()["articles"]
    assert network and all(a["category"].startswith("network") for a in network)
    by_tag = client.get("/api/guides", params={"category": "vpn", "limit": 1}).json()  # a Zendesk tag names the category too
    assert [g["category"] for g in by_tag["guides"]] == ["network/vpn"]
    tagged = client.get("/api/guides", params={"tag": "vpn"}).json()["guides"]
    assert tagged and all("vpn" in g["tags"] for g in tagged)
    assert client.get("/api/guides", params={"tag": "no-such-tag"}).json() == {"guides": [], "next": None, "generation": 1}
    unknown = client.get("/api/articles", params={"category": "nowhere"})
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    for bad in ({"limit": 0}, {"limit": 201}):
        assert client.get("/api/guides", params=bad).status_code == 422


def test_one_escalation_shape_in_escalation_diagnose_and_walk_outcomes(client: TestClient) -> None:
    protocol = client.get("/api/escalation", params={"category": "network/vpn", "priority": "P2"}).json()["protocols"][0]["steps"]
    diagnosis = client.get("/api/diagnose", params={"category": "network/vpn", "priority": "P2"}).json()
    assert diagnosis["escalation"][0]["steps"] == protocol
    assert any(step["escalate_after_minutes"] is not None for step in protocol)
    by_id = {step["id"]: step for step in protocol}
    guide = client.get("/api/guides/vpn-no-connect").json()
    leaf = next(s for s in guide["steps"] if s["kind"] == "escalation" and s["escalation_step"] in by_id)
    answers = _route_to(guide, leaf["node"])
    outcome = client.post("/api/guides/vpn-no-connect/walk", json={"answers": answers, "priority": "P2"}).json()["outcome"]
    assert outcome["type"] == "escalation" and outcome["escalation"] == by_id[leaf["escalation_step"]]
    assert (outcome["team"], outcome["queue"]) == (outcome["escalation"]["team"], outcome["escalation"]["queue"])  # deprecated copies
    schema = _schema(client)["components"]["schemas"]
    assert schema["EscalationProtocol"]["properties"]["steps"]["items"] == {"$ref": "#/components/schemas/ProtocolStep"}
    assert {"$ref": "#/components/schemas/ProtocolStep"} in schema["EscalationOutcome"]["properties"]["escalation"]["anyOf"]
    assert "EscalationStepOut" not in schema


def _route_to(guide: dict[str, Any], target: str) -> list[str]:
    """Answers from the start to ``target``, breadth first over the guide's numbered steps."""
    steps = {s["node"]: s for s in guide["steps"]}
    start = guide["steps"][0]["node"]
    routes: dict[str, list[str]] = {start: []}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for branch in steps[node]["branches"]:
            if branch["node"] not in routes:
                routes[branch["node"]] = [*routes[node], branch["label"]]
                todo.append(branch["node"])
    return routes[target]
