"""Per-client rate limiting (search/api/ratelimit.py) against a real server process over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from search.api.ratelimit import MAX_CLIENTS, Buckets, RateLimit
from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample
from support.servers import TOKEN, LiveServer, start_server

PROBLEM = "application/problem+json"
NO_PROXY_HEADERS = ("--no-proxy-headers",)  # as kb serve runs uvicorn: our trusted_proxies setting alone reads X-Forwarded-For


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_sample(tmp_path_factory.mktemp("rl"))
    build_generation(checked(load_repository(root)), root / ".kb-index")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("<!doctype html><title>KB</title>", "utf-8")
    return root


@pytest.fixture(scope="module")
def strict(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a tiny limit (30/minute, burst 5), trusting 127.0.0.1 as a proxy."""
    server = start_server(
        root,
        tmp_path_factory.mktemp("logs") / "strict.log",
        uvicorn_args=NO_PROXY_HEADERS,
        KB_RATE_LIMIT_PER_MINUTE="30",
        KB_RATE_LIMIT_BURST="5",
        KB_TRUSTED_PROXIES='["127.0.0.1"]',
        KB_REQUIRE_API_KEY="never",  # the forwarded clients are other machines; keys are tested in test_api_keys.py
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def default(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(root, tmp_path_factory.mktemp("logs") / "default.log", uvicorn_args=NO_PROXY_HEADERS)
    yield server
    server.stop()


def _assert_429(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == PROBLEM
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 60
    body = response.json()
    assert body["status"] == 429 and body["type"] == "urn:kb-guides:problem:rate-limited" and body["retry_after"] == retry


def test_a_client_over_its_limit_gets_429_with_retry_after(strict: LiveServer) -> None:
    with httpx.Client(base_url=strict.url, headers={"X-Forwarded-For": "203.0.113.7"}) as client:
        statuses = [client.get("/api/search", params={"q": "vpn"}).status_code for _ in range(5)]
        assert statuses == [200] * 5
        _assert_429(client.get("/api/search", params={"q": "vpn"}))
        _assert_429(client.post("/api/triage", json={"subject": "vpn"}))


def test_other_clients_and_the_site_are_not_affected(strict: LiveServer) -> None:
    with httpx.Client(base_url=strict.url) as client:
        for _ in range(6):
            client.get("/api/search", params={"q": "vpn"}, headers={"X-Forwarded-For": "203.0.113.8"})
        _assert_429(client.get("/api/search", params={"q": "vpn"}, headers={"X-Forwarded-For": "203.0.113.8"}))
        assert client.get("/api/search", params={"q": "vpn"}, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
        assert all(client.get("/", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200 for _ in range(10))


def test_forwarded_for_left_part_is_not_trusted(strict: LiveServer) -> None:
    """A client cannot dodge the limit by inventing hops: only the hop the trusted proxy appended counts."""
    with httpx.Client(base_url=strict.url) as client:
        for n in range(6):
            client.get("/api/health", headers={"X-Forwarded-For": f"10.9.9.{n}, 203.0.113.10"})
        _assert_429(client.get("/api/health", headers={"X-Forwarded-For": "10.9.9.77, 203.0.113.10"}))


def test_the_default_limits_are_not_met_by_a_busy_technician(default: LiveServer) -> None:
    with httpx.Client(base_url=default.url) as client:
        # a burst of search-as-you-type, triage and walks from one desk
        statuses = {client.get("/api/search", params={"q": "vpn"[: 1 + n % 3]}).status_code for n in range(120)}
        statuses |= {client.post("/api/triage", json={"subject": "vpn drops"}).status_code for _ in range(5)}
        assert statuses <= {200, 400}


def test_failed_admin_tokens_are_limited_strictly(default: LiveServer) -> None:
    """Five wrong tokens a minute, then 429 even with the right token; other clients are unaffected."""
    with httpx.Client(base_url=default.url, headers={"X-Forwarded-For": "198.51.100.1"}) as client:
        wrong = [client.post("/api/admin/reload", headers={"Authorization": "Bearer wrong-token-guess-0000"}).status_code for _ in range(5)]
        assert wrong == [403] * 5
        _assert_429(client.post("/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}))
        assert client.get("/api/health").status_code == 200  # the general limit is separate
    # the default server trusts no proxy: X-Forwarded-For above changed nothing, so this is the same peer
    assert httpx.post(default.url + "/api/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 429


def test_triage_costs_more_than_a_search(strict: LiveServer) -> None:
    """Burst 5: one triage (cost 10, capped at the burst) empties the bucket that 5 searches would."""
    with httpx.Client(base_url=strict.url, headers={"X-Forwarded-For": "203.0.113.20"}) as client:
        assert client.post("/api/triage", json={"subject": "vpn drops"}).status_code == 200
        _assert_429(client.get("/api/search", params={"q": "vpn"}))


def test_buckets_refill_and_memory_is_bounded() -> None:
    buckets = Buckets(per_minute=60, burst=2)
    assert buckets.take("a", 0.0) == buckets.take("a", 0.0) == 0.0
    assert buckets.take("a", 0.0) == pytest.approx(1.0)
    assert buckets.take("a", 1.0) == 0.0  # one token a second
    assert buckets.take("b", 5.0, cost=2) == 0.0 and buckets.take("b", 5.0, cost=2) == pytest.approx(2.0)
    for n in range(MAX_CLIENTS + 50):
        buckets.take(f"c{n}", 2.0)
    assert len(buckets._buckets) == MAX_CLIENTS


def test_client_identity_without_and_with_a_trusted_proxy() -> None:
    scope = {"type": "http", "client": ("127.0.0.1", 5000), "headers": [(b"x-forwarded-for", b"1.2.3.4, 10.0.0.9, 10.0.0.8")]}

    async def app(scope: object, receive: object, send: object) -> None:
        return None

    assert RateLimit(app, per_minute=1, burst=1, admin_failures_per_minute=1).client(scope) == "127.0.0.1"
    proxied = RateLimit(app, per_minute=1, burst=1, admin_failures_per_minute=1, trusted_proxies=["127.0.0.1", "10.0.0.0/8"])
    assert proxied.client(scope) == "1.2.3.4"
    assert proxied.client({**scope, "headers": [(b"x-forwarded-for", b"not-an-ip, 10.0.0.9")]}) == "127.0.0.1"
    assert proxied.client({**scope, "client": ("192.0.2.1", 1)}) == "192.0.2.1"


@pytest.mark.parametrize("value", ['["10.0.0.0/33"]', '["proxy.example.com"]'])
def test_a_bad_trusted_proxy_is_a_settings_error(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from search.api.settings import Settings

    monkeypatch.setenv("KB_TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings()
