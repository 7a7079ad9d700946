from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.servers import start_shipped


@pytest.fixture(scope="module")
def live_shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over real HTTP, as `kb serve` runs it, on the shipped content (support.servers.start_shipped)."""
    server = start_shipped(tmp_path_factory.mktemp("shipped"))
    yield server.url
    server.stop()
