from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.checks import checked
from search.content.repository import load_repository
from search.index import build_generation
from support.postgres import Cluster
from support.sample import write_sample
from support.zendesk import StandIn

GROUP_ID = 360000111


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample repository, with the network team's Zendesk group on its escalation step."""
    root = write_sample(tmp_path_factory.mktemp("content"))
    protocol = root / "guides" / "escalation.yml"
    text = protocol.read_text("utf-8")
    marker = "categories: [network]\n"
    assert marker in text
    indent = text.split(marker, 1)[0].rsplit("\n", 1)[1]
    protocol.write_text(text.replace(marker, f"{marker}{indent}zendesk_group_id: {GROUP_ID}\n", 1), "utf-8")
    build_generation(checked(load_repository(root)), root / ".kb-index")
    return root


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with StandIn() as zd:
        yield zd


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the session (fails, never skips, when it cannot start)."""
    with Cluster() as cluster:
        yield cluster


def _outbox_at(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "sqlite":
        return str(tmp_path / "outbox.sqlite")
    assert kind == "postgresql", kind
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's outbox lives, once per backend: a SQLite file, or a fresh PostgreSQL schema."""
    return _outbox_at(request.param, request, tmp_path)


@pytest.fixture
def outbox_at(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The outbox of a live service: SQLite unless the test asks for more with ``@both_backends``."""
    return _outbox_at(getattr(request, "param", "sqlite"), request, tmp_path)


both_backends = pytest.mark.parametrize("outbox_at", ["sqlite", "postgresql"], indirect=True)
