"""Every error from a real server process is problem+json, except what the README names (protocol errors)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample
from support.servers import LiveServer, start_server

PROBLEM = "application/problem+json"
LIMIT = 4096


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = write_sample(tmp_path_factory.mktemp("shapes"))
    build_generation(checked(load_repository(root)), root / ".kb-index")
    live = start_server(root, tmp_path_factory.mktemp("logs") / "shapes.log", KB_MAX_BODY_BYTES=str(LIMIT), KB_CORS_ORIGINS='["https://desk.example.com"]')
    yield live
    live.stop()


def _chunks(total: int, size: int = 1000) -> Iterator[bytes]:
    yield b'{"subject": "vpn", "description": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'"}'


def _raw(server: LiveServer, data: bytes) -> bytes:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_chunked_body_over_the_limit_is_413_problem(server: LiveServer) -> None:
    r = httpx.post(server.url + "/api/triage", content=_chunks(3 * LIMIT), headers={"Content-Type": "application/json"}, timeout=10)
    assert r.request.headers.get("transfer-encoding") == "chunked" and "content-length" not in r.request.headers
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
    assert r.json()["status"] == 413


def test_a_raw_chunked_request_over_the_limit_is_413(server: LiveServer) -> None:
    body = b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in _chunks(2 * LIMIT, 700)) + b"0\r\n\r\n"
    head = b"POST /api/triage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    answer = _raw(server, head + body)
    assert answer.startswith(b"HTTP/1.1 413 ") and PROBLEM.encode() in answer


def test_a_chunked_body_under_the_limit_is_served(server: LiveServer) -> None:
    r = httpx.post(server.url + "/api/triage", content=_chunks(LIMIT // 2), headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 200 and r.json()["categories"][0]["category"] == "network/vpn"


@pytest.mark.parametrize(
    ("headers", "failure"),
    [
        ({"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, "origin"),
        ({"Origin": "https://desk.example.com", "Access-Control-Request-Method": "DELETE"}, "method"),
        ({"Origin": "https://desk.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Evil"}, "headers"),
    ],
)
def test_a_rejected_cors_preflight_is_a_problem(server: LiveServer, headers: dict[str, str], failure: str) -> None:
    r = httpx.options(server.url + "/api/search", headers=headers, timeout=10)
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["type"] == "urn:kb-guides:problem:cors-rejected" and failure in body["detail"]


def test_an_allowed_preflight_still_passes(server: LiveServer) -> None:
    r = httpx.options(server.url + "/api/search", headers={"Origin": "https://desk.example.com", "Access-Control-Request-Method": "GET"}, timeout=10)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://desk.example.com"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("HEAD", "/api/search?q=vpn", 405), ("OPTIONS", "/api/search", 405), ("HEAD", "/api/nope", 404), ("GET", "/api", 404), ("DELETE", "/api/triage", 405)],
)
def test_methods_and_paths_the_api_does_not_take(server: LiveServer, method: str, path: str, status: int) -> None:
    r = httpx.request(method, server.url + path, timeout=10)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("request_bytes", [b"GARBAGE\r\n\r\n", b"POST /api/triage HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"])
def test_protocol_errors_are_the_servers_plain_400(server: LiveServer, request_bytes: bytes) -> None:
    """The exception the README names: uvicorn answers before the application runs."""
    answer = _raw(server, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400 ") and b"text/plain" in answer
