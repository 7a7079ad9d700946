"""The terminal path through the real ``kb``: triage -> diagnose -> walk by id, did-you-mean on near
misses, and every data command's ``--format json`` equal to the API's answer for the same request."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from search.api import Settings, create_app, schemas
from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support import KB, ROOT
from support.sample import write_sample


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = write_sample(tmp_path_factory.mktemp("content"))
    build_generation(checked(load_repository(content)), content / ".kb-index")
    return content


@pytest.fixture(scope="module")
def api(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(root=root))) as client:
        yield client


def kb(root: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(KB), *args, "--root", str(root)], capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def answer(root: Path, model: type[BaseModel], *args: str) -> dict[str, Any]:
    """The command's JSON, validated by the API's model for the same object, with nothing more or less."""
    text = kb(root, *args, "--format", "json").stdout
    data: dict[str, Any] = json.loads(text)
    assert model.model_validate_json(text, by_alias=False, by_name=True).model_dump(mode="json") == data  # field names: as the API writes them
    return data


def test_triage_then_diagnose_then_walk_by_id(root: Path) -> None:
    triaged = answer(root, schemas.TriageOut, "triage", "--no-ask", "--impact", "low", "--urgency", "high", "The VPN will not connect from the hotel")
    category, guide = triaged["categories"][0]["category"], triaged["guides"][0]["id"]
    assert (category, guide, triaged["priority"]["id"]) == ("network/vpn", "vpn-no-connect", "P2")
    human = kb(root, "triage", "--no-ask", "The VPN will not connect from the hotel").stdout
    assert "Guides to try:\n  vpn-no-connect  " in human and "Next: kb walk vpn-no-connect, or kb diagnose network/vpn" in human

    diagnosed = answer(root, schemas.Diagnosis, "diagnose", category, "--priority", "P2")
    assert guide in [g["id"] for g in diagnosed["guides"]] and [p["priority"]["id"] for p in diagnosed["escalation"]] == ["P2"]
    human = kb(root, "diagnose", "vpn", "--priority", "high").stdout  # a ticket-tool tag and a Zendesk priority name
    assert human.startswith("network/vpn: VPN and remote access (incident)") and "Escalation P2 High" in human
    assert f"Next: kb walk {guide} --priority P2" in human

    walked = answer(root, schemas.WalkOut, "walk", guide, "--format", "json", "--answer", "yes", "--answer", "yes", "--answer", "done", "--answer", "yes")
    assert walked["finished"] and walked["outcome"]["type"] == "resolution"
    assert [step["choice"] for step in walked["path"]] == ["yes", "yes", "done", "yes"]
    piped = subprocess.run([str(KB), "walk", guide, "--root", str(root), "--no-gather"], input="1\n1\n1\n1\n", capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert walked["transcript"].splitlines()[0] in piped.stdout  # the interactive walk of the same answers, same transcript


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("walk", "vpn"), 'no guide "vpn" (did you mean "vpn-no-connect"?)'),  # prefix
        (("walk", "printer"), 'no guide "printer" (did you mean "printer-offline"?)'),
        (("walk", "reset-pasword"), 'did you mean "password-reset"'),  # shared word
        (("walk", "vpn-no-conect", "--format", "json"), 'no guide "vpn-no-conect" (did you mean "vpn-no-connect"?)'),  # one edit
        (("diagnose", "netwrk/vpn"), 'unknown category "netwrk/vpn" (did you mean "network/vpn"'),
        (("diagnose", "print"), 'did you mean "printing"'),
        (("guides", "--category", "acounts"), 'did you mean "accounts"'),
        (("search", "vpn", "--category", "netwrk"), 'did you mean "network"'),
        (("review", "--done", "password"), 'no guide or article "password" (did you mean "password-reset" or "password-rules"?)'),  # articles too
    ],
)
def test_near_miss_ids_get_a_did_you_mean(root: Path, args: tuple[str, ...], message: str) -> None:
    assert message in kb(root, *args, code=2).stderr


def test_json_is_the_apis_answer_for_the_same_request(root: Path, api: TestClient) -> None:
    def same(model: type[BaseModel], args: tuple[str, ...], response: Any) -> None:
        assert response.status_code == 200, response.text
        assert answer(root, model, *args) == response.json()

    same(schemas.CategoriesOut, ("categories",), api.get("/api/categories"))
    same(schemas.Diagnosis, ("diagnose", "vpn"), api.get("/api/diagnose", params={"category": "vpn"}))
    same(schemas.GuidesPage, ("guides", "--category", "network"), api.get("/api/guides", params={"category": "network"}))
    same(schemas.SearchOut, ("search", "vpn", "--limit", "5"), api.get("/api/search", params={"q": "vpn", "limit": 5}))
    ticket = {"subject": "printer offline", "description": "", "impact": "high", "urgency": "low"}
    same(schemas.TriageOut, ("triage", "--no-ask", "--impact", "high", "--urgency", "low", "printer offline"), api.post("/api/triage", json=ticket))
    ticket = {"subject": "Printer offline", "description": "the queue shows jobs stuck since this morning"}
    same(schemas.TriageOut, ("triage", "--no-ask", "Printer offline", "the queue shows", "jobs stuck since this morning"), api.post("/api/triage", json=ticket))
    assert "Usage: kb triage [OPTIONS] SUBJECT [DESCRIPTION]..." in kb(root, "triage", "--help").stdout
    same(
        schemas.WalkOut,
        ("walk", "vpn-no-connect", "--answer", "yes", "--answer", "no", "--priority", "P3"),
        api.post("/api/guides/vpn-no-connect/walk", json={"answers": ["yes", "no"], "priority": "P3"}),
    )


def test_build_json_is_the_new_index_as_health_describes_it(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "content")
    shutil.copyfile(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    built = answer(root, schemas.HealthOut, "build", "--site-dir", str(tmp_path / "site"), "--index-dir", str(tmp_path / "ix"))
    assert built["status"] == "ok" and built["documents"] == {"guides": 3, "articles": 4, "total": 7} and built["generation"] == 1
    assert (tmp_path / "site" / "index.html").is_file()


def test_walk_json_refuses_what_the_api_refuses(root: Path) -> None:
    stale = kb(root, "walk", "vpn-no-connect", "--format", "json", "--answer", "maybe", code=2).stderr
    assert 'answer 1 "maybe" is not offered at node "internet-works"; choose one of: yes, no' in stale
    assert "--answer goes with --format json" in kb(root, "walk", "vpn-no-connect", "--answer", "yes", code=2).stderr
