"""The Zendesk settings and the escalation step's group id are checked where they are written:
one line naming the variable for settings, ``path:line:col`` and a rule for content."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from search.api.settings import InvalidSettings, load_settings
from support.sample import write_sample
from support.servers import kb_executable


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"zendesk_subdomain": "acme"}, "set KB_ZENDESK_EMAIL, KB_ZENDESK_API_TOKEN too"),
        ({"zendesk_email": "a@b.c", "zendesk_api_token": "t"}, "set KB_ZENDESK_SUBDOMAIN or KB_ZENDESK_BASE_URL too"),
        ({"zendesk_subdomain": "Acme.zendesk.com"}, "KB_ZENDESK_SUBDOMAIN (zendesk_subdomain)"),
        ({"zendesk_base_url": "http://user:pw@proxy:8080"}, "KB_ZENDESK_BASE_URL (zendesk_base_url)"),
        ({"zendesk_base_url": "https://proxy/api/v2"}, "without a path"),
        ({"zendesk_lease_seconds": 5, "zendesk_timeout_seconds": 10}, "KB_ZENDESK_LEASE_SECONDS must be longer"),
        ({"zendesk_category_sources": ["tags", "guess"]}, "KB_ZENDESK_CATEGORY_SOURCES"),
        ({"zendesk_outbox": "mysql://kb:pw@db/kb"}, 'KB_ZENDESK_OUTBOX (zendesk_outbox): a "mysql://" URL is not supported'),
    ],
)
def test_unusable_zendesk_settings_are_one_line_naming_the_variable(values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSettings) as refused:
        load_settings(**values)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_write_back_settings_give_the_origin_and_the_outbox_beside_the_index(tmp_path: Path) -> None:
    settings = load_settings(root=tmp_path, zendesk_subdomain="acme", zendesk_email="a@acme.com", zendesk_api_token="t")
    assert settings.zendesk_api_origin == "https://acme.zendesk.com"
    assert settings.zendesk_outbox_location == tmp_path / ".kb-zendesk-outbox.sqlite"
    assert load_settings(zendesk_outbox=str(tmp_path / "o.db")).zendesk_outbox_location == tmp_path / "o.db"
    shared = load_settings(zendesk_outbox="postgresql://kb:secret-pw@db.internal:5432/kb")
    assert shared.zendesk_outbox_location == "postgresql://kb:secret-pw@db.internal:5432/kb"
    assert "secret-pw" not in repr(shared)
    stand_in = load_settings(zendesk_base_url="http://127.0.0.1:9/", zendesk_email="a@acme.com", zendesk_api_token="t")
    assert stand_in.zendesk_api_origin == "http://127.0.0.1:9"


def test_a_bad_zendesk_group_id_is_reported_where_it_is(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "content")
    protocol = root / "guides" / "escalation.yml"
    lines = protocol.read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "categories: [network]")
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}zendesk_group_id: NetOps")
    protocol.write_text("\n".join(lines) + "\n", "utf-8")
    result = subprocess.run([*kb_executable(), "check"], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"guides/escalation.yml:{at + 2}:" in result.stdout and "[schema]" in result.stdout and "zendesk_group_id" in result.stdout
