"""GET /api/search finds what a step's help: says and names the step a guide hit is about."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from search.api import Settings, create_app
from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.sample import write_sample

HELP = "Hold the power button for ten seconds until the fan stops."


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = write_sample(tmp_path_factory.mktemp("content"))
    tree = root / "guides" / "vpn-no-connect.yml"
    text = tree.read_text(encoding="utf-8")
    marker = "    text: Restart the laptop and try the VPN again.\n"
    assert marker in text
    tree.write_text(text.replace(marker, marker + f"    help: {HELP}\n"), encoding="utf-8")
    build_generation(checked(load_repository(root)), root / ".kb-index")
    with TestClient(create_app(Settings(root=root))) as test_client:
        yield test_client


def test_help_text_is_found_and_the_hit_names_its_step(client: TestClient) -> None:
    answer = client.get("/api/search", params={"q": "power button fan"}).json()
    assert [h["id"] for h in answer["hits"]] == ["vpn-no-connect"]  # only the help text has these words
    step = answer["hits"][0]["step"]
    assert step == {
        "node": "restart-client",
        "number": step["number"],
        "text": "Restart the laptop and try the VPN again.",
        "url": "/guides/vpn-no-connect/#node-restart-client",
    }
    assert step["number"] > 1


def test_step_is_the_one_matching_most_words_and_absent_for_articles(client: TestClient) -> None:
    hits = {h["id"]: h for h in client.get("/api/search", params={"q": "webmail password"}).json()["hits"]}
    assert hits["vpn-no-connect"]["step"]["node"] == "password-valid"  # "Can the user sign in to webmail with the same password?"
    articles = client.get("/api/search", params={"q": "password", "type": "article"}).json()["hits"]
    assert articles and all(h["step"] is None for h in articles)


def test_a_three_letter_typo_is_corrected(client: TestClient) -> None:
    answer = client.get("/api/search", params={"q": "vpm"}).json()
    assert answer["corrected"] and answer["suggestion"] == "vpn"
    assert answer["hits"][0]["id"] == "vpn-no-connect"
