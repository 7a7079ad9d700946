"""Service settings: environment variables ``KB_*``, then an optional TOML file, then defaults.

Nothing is read at import time: :func:`search.api.create_app` builds ``Settings()`` when it is
called without settings. The TOML file is named by ``KB_CONFIG`` and holds the same keys without
the prefix, e.g. ``admin_token = "..."``, ``cors_origins = ["https://desk.example.com"]``.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


class Settings(BaseSettings):
    """Every setting of the search service (env ``KB_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore", frozen=True)

    root: Path = Field(Path("."), description="Content repository root.")
    index_dir: Path | None = Field(None, description="Index directory with the generations; default <root>/.kb-index.")
    site_dir: Path | None = Field(None, description="Built static site served at /; default <root>/site. Not served when missing.")
    site_url: str = Field("/", description="Prefix of the site URLs in answers, e.g. https://kb.example.com/ (ends with /).")
    admin_token: SecretStr | None = Field(None, description="Bearer token for /api/admin/*; admin routes are disabled without one.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API from a browser (exact, no wildcard with credentials).")
    cors_allow_credentials: bool = Field(False, description="Allow cookies/authorization on cross-origin requests.")
    max_body_bytes: int = Field(65_536, ge=0, description="Largest request body accepted (413 above).")
    max_query_chars: int = Field(500, ge=1, le=10_000, description="Longest search query accepted (400 above).")
    reload_on_sighup: bool = Field(True, description="Reload the newest index generation on SIGHUP.")
    watch_index: bool = Field(True, description="Check the index pointer once a second and reload when kb build/kb index switched it.")
    audience: Literal["internal", "public"] = Field(
        "internal",
        description="public: answer only from an index built with --audience public (503 otherwise), so a public service never serves internal content.",
    )
    rate_limit_per_minute: int = Field(
        1200, ge=0, description="API requests per minute per client, refilled steadily (429 with Retry-After above; 0 turns it off)."
    )
    rate_limit_burst: int = Field(200, ge=1, description="API requests a client may send at once before the per-minute rate applies.")
    rate_limit_admin_failures: int = Field(
        5, ge=1, le=1000, description="Failed admin-token or API-key attempts per minute per client; past it requests with credentials answer 429."
    )
    api_keys_file: Path | None = Field(None, description="SQLite file of the API keys (kb api-key); default <index_dir>/api-keys.sqlite3.")
    require_api_key: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: a key is required once any key exists, and from other machines always; always; never (reads open to anyone)."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For names the client (else the peer address is the client).",
    )
    # Zendesk (README "Zendesk"): the webhook receiver and the write-back outbox.
    zendesk_webhook_secret: SecretStr | None = Field(None, description="Signing secret of the Zendesk webhook; the webhook route answers 404 without one.")
    zendesk_replay_seconds: int = Field(300, ge=10, le=3600, description="Webhook signature timestamps older or newer than this are refused (replay window).")
    zendesk_subdomain: str | None = Field(
        None, description="Zendesk account subdomain (acme for https://acme.zendesk.com); write-back is off without it or zendesk_base_url."
    )
    zendesk_email: str | None = Field(None, description="Agent email address the write-back authenticates as ({email}/token).")
    zendesk_api_token: SecretStr | None = Field(None, description="Zendesk API token of that agent.")
    zendesk_base_url: str | None = Field(
        None, description="Zendesk API origin instead of https://<subdomain>.zendesk.com (a proxy or a stand-in), http(s)://host[:port]."
    )
    zendesk_outbox: str | None = Field(
        None,
        repr=False,  # a URL may hold a password
        description="The write-back outbox: a SQLite file (default .kb-zendesk-outbox.sqlite beside the index directory), or a postgresql:// URL shared by replicas on several hosts (needs kb-guides[postgres]).",
    )
    zendesk_category_sources: list[Literal["field", "tags", "triage"]] = Field(
        ["field", "tags", "triage"],
        description="Where a webhook's category comes from, first match wins: field (zendesk_category_field_id), tags (kb_category_<id> or a category's zendesk_tags), triage (subject + description).",
    )
    zendesk_category_tag_prefix: str = Field(
        "kb_category_",
        pattern=r"^[a-z0-9_-]{1,40}$",
        description="Tag prefix naming a ticket's category (kb_category_network_vpn for network/vpn); the write-back sets the same tag.",
    )
    zendesk_category_field_id: int | None = Field(
        None, gt=0, description="Id of the Zendesk custom field holding the category (a drop-down's tag value or a category id)."
    )
    zendesk_priority_field_id: int | None = Field(
        None, gt=0, description="Id of the Zendesk custom field holding the priority (P1..P4 or urgent/high/normal/low); else the ticket priority."
    )
    zendesk_max_attempts: int = Field(8, ge=1, le=100, description="Write-back attempts per job before it is dead (shown in /api/admin/zendesk/outbox).")
    zendesk_retry_base_seconds: float = Field(
        2.0, gt=0, le=3600, description="First retry delay of the write-back; doubles per attempt (with jitter), at most zendesk_retry_max_seconds."
    )
    zendesk_retry_max_seconds: float = Field(
        900.0, gt=0, le=86_400, description="Longest delay between two write-back attempts (a longer Retry-After is honoured)."
    )
    zendesk_lease_seconds: float = Field(
        60.0, ge=1, le=3600, description="How long a worker owns a job it sends; another worker takes it over only after that (longer than the HTTP timeout)."
    )
    zendesk_workers: int = Field(2, ge=1, le=32, description="Worker threads sending outbox jobs (each sends one request at a time).")
    zendesk_timeout_seconds: float = Field(10.0, gt=0, le=120, description="HTTP timeout of one request to Zendesk.")

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError('cors_origins may not contain "*" when cors_allow_credentials is true; list the origins')
        if not self.site_url.endswith("/"):
            raise ValueError('site_url must end with "/"')
        if self.admin_token is not None and len(self.admin_token.get_secret_value()) < 16:
            raise ValueError("KB_ADMIN_TOKEN (admin_token) must be at least 16 characters")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy.strip(), strict=False)
            except ValueError:
                raise ValueError(f'KB_TRUSTED_PROXIES (trusted_proxies): "{proxy}" is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)') from None
        if self.zendesk_subdomain is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", self.zendesk_subdomain):
            raise ValueError(
                f'KB_ZENDESK_SUBDOMAIN (zendesk_subdomain): "{self.zendesk_subdomain[:80]}" is not a subdomain; write acme for https://acme.zendesk.com'
            )
        if self.zendesk_base_url is not None and not _is_origin(self.zendesk_base_url):
            raise ValueError(
                f'KB_ZENDESK_BASE_URL (zendesk_base_url): "{self.zendesk_base_url[:80]}" is not an origin; write it as https://host[:port] without a path'
            )
        writeback = {
            "KB_ZENDESK_SUBDOMAIN or KB_ZENDESK_BASE_URL": self.zendesk_api_origin,
            "KB_ZENDESK_EMAIL": self.zendesk_email,
            "KB_ZENDESK_API_TOKEN": self.zendesk_api_token,
        }
        missing = [name for name, value in writeback.items() if not value]
        if 0 < len(missing) < len(writeback):
            raise ValueError(f"the Zendesk write-back needs {', '.join(writeback)}; set {', '.join(missing)} too")
        if self.zendesk_outbox is not None and (scheme := re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", self.zendesk_outbox)):
            if scheme.group(1) not in ("postgresql", "postgres"):
                raise ValueError(
                    f'KB_ZENDESK_OUTBOX (zendesk_outbox): a "{scheme.group(1)}://" URL is not supported; give a SQLite file path or a postgresql:// URL'
                )
            if importlib.util.find_spec("psycopg") is None or importlib.util.find_spec("psycopg_pool") is None:
                raise ValueError("KB_ZENDESK_OUTBOX (zendesk_outbox) is a PostgreSQL URL, which needs the driver: pip install 'kb-guides[postgres]'")
        if self.zendesk_lease_seconds <= self.zendesk_timeout_seconds:
            raise ValueError("KB_ZENDESK_LEASE_SECONDS must be longer than KB_ZENDESK_TIMEOUT_SECONDS, or two workers could send one job")
        return self

    @property
    def zendesk_api_origin(self) -> str | None:
        """Where the write-back sends: the override, else the account's own origin, else None (off)."""
        if self.zendesk_base_url is not None:
            return self.zendesk_base_url.rstrip("/")
        return f"https://{self.zendesk_subdomain}.zendesk.com" if self.zendesk_subdomain else None

    @property
    def zendesk_outbox_location(self) -> Path | str:
        """The outbox's SQLite file, or its PostgreSQL URL (a ``str``)."""
        if self.zendesk_outbox is None:
            return self.index_path.parent / ".kb-zendesk-outbox.sqlite"
        return self.zendesk_outbox if "://" in self.zendesk_outbox else Path(self.zendesk_outbox)

    @property
    def index_path(self) -> Path:
        return self.index_dir if self.index_dir is not None else self.root / ".kb-index"

    @property
    def api_keys_path(self) -> Path:
        return self.api_keys_file if self.api_keys_file is not None else self.index_path / "api-keys.sqlite3"

    @property
    def site_path(self) -> Path:
        return self.site_dir if self.site_dir is not None else self.root / "site"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("KB_CONFIG")
        if config:
            if not Path(config).is_file():
                raise ValueError(f'KB_CONFIG names "{config}", which is not a file')
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)


def _is_origin(url: str) -> bool:
    """``http(s)://host[:port]``: no credentials, path, query or fragment (they would leak or be ignored)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "@" not in parts.netloc
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )


class InvalidSettings(ValueError):
    """Settings that cannot be used, described in one line naming the variables (no traceback)."""


def load_settings(**values: object) -> Settings:
    """``Settings(**values)``, with every way settings can be wrong turned into :class:`InvalidSettings`."""
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidSettings(_describe(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidSettings(f'the KB_CONFIG file "{os.environ.get("KB_CONFIG")}" is not valid TOML: {exc}') from None
    except ValueError as exc:  # KB_CONFIG missing, a list variable that is not JSON
        field = re.search(r'error parsing value for field "(\w+)"', str(exc))
        if field:
            raise InvalidSettings(f'KB_{field.group(1).upper()} is not valid JSON; write a list as ["a", "b"]') from None
        raise InvalidSettings(" ".join(str(exc).split())) from None


def settings_or_exit() -> Settings:
    """For the app factory run by a server (``uvicorn --factory``): a one-line error and exit 2."""
    try:
        return load_settings()
    except InvalidSettings as exc:
        print(f"kb-guides: invalid settings: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        loc = [str(p) for p in error.get("loc", ())]
        parts.append(f"KB_{loc[0].upper()} ({loc[0]}): {message}" if loc else message)
    return "; ".join(parts)
