"""``kb api-key create|list|revoke``: the API keys ticket tools send to read (decision record 0014).

Keys live in the file named by ``KB_API_KEYS_FILE`` (default ``<index dir>/api-keys.sqlite3``);
a running service sees a change within a second, without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import INDEX_OPTION, ROOT_OPTION, _settings

if TYPE_CHECKING:
    from ..api.keys import KeyInfo, KeyStore
    from ..api.settings import Settings


class KeyCommandError(click.ClickException):
    exit_code = 2  # a usage error: one line, no traceback


def exposure_warning(settings: Settings, host: str) -> str | None:
    """What ``kb serve --host`` beyond loopback must say loudly about read access, or None."""
    import ipaddress

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return None
    if settings.require_api_key == "never":
        return f"WARNING: listening on {host} with KB_REQUIRE_API_KEY=never: anyone who can reach this port reads every guide and article"
    active = [k for k in _keys(settings) if k.revoked is None]
    if not active and settings.require_api_key == "auto":
        return (
            f"WARNING: listening on {host} with no API keys: requests from other machines get 401 until a key exists "
            "(kb api-key create NAME), or set KB_REQUIRE_API_KEY=never to serve reads to anyone"
        )
    return None


def _keys(settings: Settings) -> list[KeyInfo]:
    from ..api.keys import ApiKeyError, KeyStore

    try:
        return KeyStore(settings.api_keys_path).keys()
    except ApiKeyError:
        return []


def _store(root: Path, index_dir: Path | None, keys_file: Path | None) -> KeyStore:
    from ..api.keys import KeyStore  # the API package imports FastAPI: only for these commands

    return KeyStore(_settings(root=root, index_dir=index_dir, api_keys_file=keys_file).api_keys_path)


def key_options(fn: Callable[..., None]) -> Callable[..., None]:
    fn = click.option(
        "--keys-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="KB_API_KEYS_FILE",
        help="The key file (default: <index dir>/api-keys.sqlite3). Env: KB_API_KEYS_FILE.",
    )(fn)
    return ROOT_OPTION(INDEX_OPTION(fn))


@click.group("api-key")
def api_key() -> None:
    """Manage the API keys that ticket tools send as "Authorization: Bearer <key>"."""


@api_key.command("create")
@click.argument("name")
@key_options
def create(name: str, root: Path, index_dir: Path | None, keys_file: Path | None) -> None:
    """Create a key named NAME and print it (only this once: the file keeps a digest)."""
    from ..api.keys import ApiKeyError

    store = _store(root, index_dir, keys_file)
    try:
        key = store.create(name)
    except ApiKeyError as exc:
        raise KeyCommandError(str(exc)) from None
    click.echo(key)
    click.echo(f'key "{name}" created in {store.path}; it is shown only now: store it in the ticket tool\'s secure setting', err=True)


@api_key.command("list")
@key_options
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True, help="json: a list of objects.")
def list_keys(root: Path, index_dir: Path | None, keys_file: Path | None, fmt: str) -> None:
    """The keys: name, created, last used (to the minute), revoked."""
    from ..api.keys import ApiKeyError

    try:
        keys = _store(root, index_dir, keys_file).keys()
    except ApiKeyError as exc:
        raise KeyCommandError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps([{"name": k.name, "created": k.created, "last_used": k.last_used, "revoked": k.revoked} for k in keys], indent=2))
        return
    if not keys:
        click.echo("no API keys; create one with: kb api-key create NAME", err=True)
        return
    for k in keys:
        state = f"revoked {k.revoked}" if k.revoked else f"last used {k.last_used or 'never'}"
        click.echo(f"{k.name}\tcreated {k.created}\t{state}")


@api_key.command("revoke")
@click.argument("name")
@key_options
def revoke(name: str, root: Path, index_dir: Path | None, keys_file: Path | None) -> None:
    """Revoke the key named NAME: refused within a second by running services."""
    from ..api.keys import ApiKeyError

    store = _store(root, index_dir, keys_file)
    try:
        store.revoke(name)
    except ApiKeyError as exc:
        raise KeyCommandError(str(exc)) from None
    click.echo(f'key "{name}" revoked', err=True)
