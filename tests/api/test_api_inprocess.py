"""The service in-process (TestClient): shapes, errors as problem+json, auth, CORS, limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from search.api import Settings, create_app
from support.servers import TOKEN

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def test_diagnose_by_category_id(client: TestClient) -> None:
    r = client.get("/api/diagnose", params={"category": "network/vpn", "priority": "P1"})
    assert r.status_code == 200
    body = r.json()
    assert body["category"]["id"] == "network/vpn"
    assert [p["id"] for p in body["category"]["parents"]] == ["network"]
    assert body["category"]["url"] == "/categories/network/vpn/"
    guide = body["guides"][0]
    assert guide["id"] == "vpn-no-connect" and guide["url"] == "/guides/vpn-no-connect/"
    assert guide["gather"] == ["The user's location and network", "The exact error message"]
    assert guide["steps"][0]["line"] == "1. Ask: Can the user open a public website? If yes go to step 2; if no go to step 8."
    assert guide["tree"]["nodes"]["internet-works"]["type"] == "question"
    [protocol] = body["escalation"]
    assert protocol["priority"]["id"] == "P1"
    assert protocol["priority"]["sla"] == {
        "kind": "incident",
        "first_response": "15m",
        "first_response_minutes": 15,
        "resolution": "4h",
        "resolution_minutes": 240,
    }
    steps = protocol["steps"]
    assert [s["team"] for s in steps] == ["Service Desk", "Network Operations", "IT Duty Manager"]
    netops = steps[1]
    assert netops["queue"] == "NetOps" and netops["contact"] == 'Zendesk group "NetOps"'
    assert netops["trigger"] and netops["handoff"] == ["What L1 already tried"] and netops["escalate_after_minutes"] == 120
    assert body["articles"] == [{"id": "vpn-reinstall", "title": "Reinstall the VPN client", "category": "network/vpn", "url": "/articles/vpn-reinstall/"}]
    assert body["generation"] >= 1 and body["content_version"]


@pytest.mark.parametrize(("tag", "priority", "expected_priority"), [("vpn", "urgent", "P1"), ("remote-access", "normal", "P3"), ("VPN", "p4", "P4")])
def test_diagnose_by_zendesk_tag_and_priority_names(client: TestClient, tag: str, priority: str, expected_priority: str) -> None:
    body = client.get("/api/diagnose", params={"category": tag, "priority": priority}).json()
    assert body["category"]["id"] == "network/vpn"
    assert body["priority"]["id"] == expected_priority
    assert [p["priority"]["id"] for p in body["escalation"]] == [expected_priority]


def test_diagnose_without_priority_lists_every_protocol(client: TestClient) -> None:
    body = client.get("/api/diagnose", params={"category": "printing"}).json()
    assert body["priority"] is None
    assert [p["priority"]["id"] for p in body["escalation"]] == ["P1", "P2", "P3", "P4"]
    assert [s["id"] for s in body["escalation"][3]["steps"]] == ["service-desk", "desktop-l2"]


def test_diagnose_falls_back_to_parent_category(client: TestClient) -> None:
    body = client.get("/api/diagnose", params={"category": "mfa"}).json()
    assert body["category"]["id"] == "accounts/mfa"
    assert body["guides_from"] == "accounts"
    assert [g["id"] for g in body["guides"]] == ["password-reset"]
    assert "mfa-new-phone" in [a["id"] for a in body["articles"]]


def test_diagnose_with_ticket_text(client: TestClient) -> None:
    body = client.get("/api/diagnose", params={"category": "accounts", "q": "new phone authenticator"}).json()
    assert body["query"] == "new phone authenticator"
    assert body["articles"][0]["id"] == "mfa-new-phone"
    assert_problem(client.get("/api/diagnose", params={"category": "accounts", "q": "((("}), 400)


def test_diagnose_answers_are_cached_per_generation(client: TestClient) -> None:
    first = client.get("/api/diagnose", params={"category": "vpn", "priority": "P2"})
    second = client.get("/api/diagnose", params={"category": "network/vpn", "priority": "high"})
    assert first.content == second.content


def test_unknown_category_is_404_with_suggestions(client: TestClient) -> None:
    body = assert_problem(client.get("/api/diagnose", params={"category": "netwrk/vpn"}), 404)
    assert body["type"] == "urn:kb-guides:problem:unknown-category"
    assert body["suggestions"][0] == "network/vpn"
    assert 'did you mean "network/vpn"' in body["detail"]


def test_search(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "vpn client"}).json()
    assert body["hits"][0]["id"] == "vpn-reinstall"
    hit = body["hits"][0]
    text = hit["snippet"]["text"]
    assert [text[m["start"] : m["end"]].lower() for m in hit["snippet"]["matches"]][:2] == ["vpn", "client"]
    assert body["facets"]["categories"][0] == {"id": "network/vpn", "title": "VPN and remote access", "count": body["total"]}
    assert body["suggestion"] is None and not body["corrected"]


def test_search_typo_filters_and_limits(client: TestClient) -> None:
    typo = client.get("/api/search", params={"q": "pasword"}).json()
    assert typo["corrected"] and typo["suggestion"] == "password" and typo["hits"]
    only_guides = client.get("/api/search", params={"q": "password", "type": "guide"}).json()
    assert {h["type"] for h in only_guides["hits"]} == {"guide"}
    in_category = client.get("/api/search", params={"q": "user", "category": "accounts"}).json()
    assert {h["category"] for h in in_category["hits"]} <= {"accounts", "accounts/mfa"}
    assert len(client.get("/api/search", params={"q": "user", "limit": 1}).json()["hits"]) == 1
    nothing = client.get("/api/search", params={"q": "zzzqqq"}).json()
    assert nothing["hits"] == [] and nothing["total"] == 0


@pytest.mark.parametrize("q", ["a" * 60_000, "vpn " * 2_000, "*", "(((vpn", "vpn AND", '"open', "NOT", "(" * 50 + "x" + ")" * 50, "title:"])
def test_hostile_search_queries_are_400_problems(client: TestClient, q: str) -> None:
    body = assert_problem(client.get("/api/search", params={"q": q}), 400)
    assert body["type"] == "urn:kb-guides:problem:invalid-query"


def test_categories_guides_articles(client: TestClient) -> None:
    cats = client.get("/api/categories").json()["categories"]
    vpn = next(c for c in cats if c["id"] == "network/vpn")
    assert vpn["guide_count"] == 1 and vpn["article_count"] == 1 and vpn["zendesk_tags"] == ["vpn", "remote-access"]
    guide = client.get("/api/guides/password-reset").json()
    assert guide["revision"].startswith("2.1+") and guide["body"].startswith("Verify")
    article = client.get("/api/articles/password-rules").json()
    assert "**14 characters**" in article["markdown"] and "14 characters" in article["text"] and "**" not in article["text"]
    body = assert_problem(client.get("/api/guides/pasword-reset"), 404)
    assert body["suggestions"] == ["password-reset"]
    assert assert_problem(client.get("/api/articles/nothing-like-it"), 404)["suggestions"] == []


def test_escalation(client: TestClient) -> None:
    body = client.get("/api/escalation", params={"category": "accounts", "priority": "high"}).json()
    assert body["category"]["id"] == "accounts"
    [protocol] = body["protocols"]
    assert protocol["priority"]["sla"]["resolution_minutes"] == 480
    assert [s["id"] for s in protocol["steps"]] == ["service-desk", "identity-l2", "duty-manager"]
    everyone = client.get("/api/escalation").json()
    assert everyone["category"] is None and len(everyone["protocols"]) == 4
    assert [s["id"] for s in everyone["protocols"][0]["steps"]] == ["service-desk", "duty-manager"]


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["generation"] >= 1 and body["generation_name"].startswith("gen-")
    assert body["documents"] == {"guides": 3, "articles": 4, "total": 7}
    assert body["categories"] == 6 and body["content_version"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nothing-here", 404),
        ("GET", "/api/diagnose", 422),  # category missing
        ("GET", "/api/diagnose?category=vpn&priority=P9", 422),
        ("GET", "/api/search?q=", 422),
        ("GET", "/api/search?q=vpn&limit=51", 422),
        ("GET", "/api/search?q=vpn&limit=abc", 422),
        ("GET", "/api/search?q=vpn&type=movie", 422),
        ("GET", "/api/search?q=vpn&category=nope", 404),
        ("DELETE", "/api/search", 405),
        ("POST", "/api/diagnose", 405),
        ("GET", "/api/admin/reload", 405),
        ("PUT", "/api/guides/vpn-no-connect", 405),
    ],
)
def test_every_4xx_is_problem_json(client: TestClient, method: str, path: str, status: int) -> None:
    body = assert_problem(client.request(method, path), status)
    if status == 422:
        assert body["errors"] and body["type"] == "urn:kb-guides:problem:validation"
    if status == 405:
        assert "allow" in {k.lower() for k in client.request(method, path).headers}


def test_admin_reload_auth(client: TestClient) -> None:
    assert_problem(client.post("/api/admin/reload"), 401)
    assert client.post("/api/admin/reload").headers["www-authenticate"] == "Bearer"
    assert_problem(client.post("/api/admin/reload", headers={"Authorization": "Bearer wrong-token-0123456789"}), 403)
    assert_problem(client.post("/api/admin/reload", headers={"Authorization": f"Basic {TOKEN}"}), 401)
    ok = client.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.json()["changed"] is False


def test_admin_disabled_without_token(content: Path) -> None:
    with TestClient(create_app(Settings(root=content))) as c:
        body = assert_problem(c.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}), 403)
        assert body["type"] == "urn:kb-guides:problem:admin-disabled"


def test_body_size_limit(client: TestClient) -> None:
    body = assert_problem(client.post("/api/admin/reload", content=b"x" * 5000, headers={"Authorization": f"Bearer {TOKEN}"}), 413)
    assert "1024 bytes" in body["detail"]


def test_cors_allow_list(client: TestClient) -> None:
    allowed = client.get("/api/health", headers={"Origin": "https://desk.example.com"})
    assert allowed.headers["access-control-allow-origin"] == "https://desk.example.com"
    other = client.get("/api/health", headers={"Origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/api/search", headers={"Origin": "https://evil.example.net", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 400


def test_cors_wildcard_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="cors_origins"):
        Settings(cors_origins=["*"], cors_allow_credentials=True)


def test_settings_from_env_and_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "kb.toml"
    config.write_text('admin_token = "from-the-config-file-1234"\nmax_query_chars = 80\n', "utf-8")
    monkeypatch.setenv("KB_CONFIG", str(config))
    monkeypatch.setenv("KB_MAX_QUERY_CHARS", "120")
    settings = Settings()
    assert settings.admin_token is not None and settings.admin_token.get_secret_value() == "from-the-config-file-1234"
    assert settings.max_query_chars == 120  # environment wins over the file
    assert settings.index_path == Path(".") / ".kb-index"


def test_unexpected_errors_are_generic_500_problems(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        body = assert_problem(c.get("/api/boom"), 500)
        assert "secret" not in c.get("/api/boom").text
        assert body["detail"] == "the server failed to answer this request; the error was logged"


def test_no_index_is_503_problem(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(root=tmp_path))) as c:
        body = assert_problem(c.get("/api/health"), 503)
        assert "kb index" in body["detail"]
        assert_problem(c.get("/api/diagnose", params={"category": "vpn"}), 503)


def test_site_served_at_root_and_api_not_shadowed(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "guides" / "x").mkdir(parents=True)
    (site / "index.html").write_text("<h1>KB home</h1>", "utf-8")
    (site / "guides" / "x" / "index.html").write_text("<h1>Guide X</h1>", "utf-8")
    with TestClient(create_app(Settings(root=content, site_dir=site))) as c:
        assert "KB home" in c.get("/").text
        assert "Guide X" in c.get("/guides/x/").text
        assert_problem(c.get("/api/nothing"), 404)
        assert_problem(c.delete("/api/search"), 405)
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/docs").status_code == 200
        assert c.get("/api/openapi.json").json()["info"]["title"] == "kb-guides search API"


def test_importing_reads_no_settings_and_builds_no_app() -> None:
    import subprocess
    import sys

    code = (
        "import fastapi, search.api, search.api.app as m\n"
        "assert not any(isinstance(v, (fastapi.FastAPI, search.api.Settings)) for mod in (search.api, m) for v in vars(mod).values())\n"
    )
    # a KB_CONFIG naming a missing file makes Settings() fail: importing must not build one
    env = {"KB_CONFIG": "/nonexistent/kb.toml", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr


def test_diagnose_fast_path_serves_the_routes_bytes(client: TestClient) -> None:
    params = {"category": "printing", "priority": "low"}
    first = client.get("/api/diagnose", params=params)  # through the route: fills the cache
    second = client.get("/api/diagnose", params=params)  # answered before routing
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and second.headers["content-type"] == "application/json"
    # anything the cache does not hold goes to the route and its validation
    assert_problem(client.get("/api/diagnose", params={"category": "printing", "priority": "P7"}), 422)
    assert client.get("/api/diagnose", params={"category": "printing", "q": "offline"}).json()["query"] == "offline"
    assert_problem(client.get("/api/diagnose?category=printing&category=nowhere"), 404)
