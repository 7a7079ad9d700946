"""The Zendesk sidebar app (ZAF v2, ``support.ticket_sidebar``) and the zip ``kb zendesk-app`` writes.

The browser side lives in ``files/`` exactly as it is laid out in the zip (``assets/iframe.html``,
``assets/sidebar.js``, ``assets/sidebar.css``, ``translations/en.json``); this module adds the
manifest and the logos and writes a reproducible zip (docs/adr/0013-zendesk-sidebar-app.md).
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, NotRequired, TypedDict
from urllib.parse import urlsplit

from .... import __version__
from .logo import logo_png

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build clock in the bytes
LOGOS = {"assets/logo.png": 320, "assets/logo-small.png": 128}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$")
_LOOPBACK_NAMES = {"localhost"}


class AppOptionsError(ValueError):
    """An option the app cannot be packaged with; the message says which and why."""


class Author(TypedDict):
    name: str
    email: str


class SidebarLocation(TypedDict):
    url: str
    flexible: bool


class Parameter(TypedDict):
    name: str
    type: Literal["text", "url"]
    required: bool
    secure: NotRequired[bool]
    scopes: NotRequired[list[Literal["header"]]]
    default: NotRequired[str]


class Manifest(TypedDict):
    name: str
    author: Author
    defaultLocale: str
    private: bool
    location: dict[Literal["support"], dict[Literal["ticket_sidebar"], SidebarLocation]]
    version: str
    frameworkVersion: str
    domainWhitelist: list[str]
    parameters: list[Parameter]


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class AppOptions:
    """What differs between installations: where the service is, who supports the app, its name."""

    api_url: str
    author_email: str
    author_name: str = "IT Service Desk"
    name: str = "kb-guides"
    version: str = __version__

    def __post_init__(self) -> None:
        parts = urlsplit(self.api_url)
        host = parts.hostname or ""
        if parts.scheme not in ("https", "http") or not host:
            raise AppOptionsError(f'api_url "{self.api_url}" is not an http(s) URL with a host, e.g. https://kb.example.com')
        if parts.scheme == "http" and not _is_loopback(host):
            raise AppOptionsError(f'api_url "{self.api_url}" must use https: Zendesk sends the API key to it over the internet (http only for localhost)')
        if parts.username or parts.password or parts.query or parts.fragment:
            raise AppOptionsError(f'api_url "{self.api_url}" must be the service base URL, without credentials, query or fragment')
        if not _EMAIL.match(self.author_email):
            raise AppOptionsError(f'author email "{self.author_email}" is not an email address (where technicians ask for help with the app)')
        for label, value in (("name", self.name), ("author name", self.author_name)):
            if not value.strip() or len(value) > 100:
                raise AppOptionsError(f"{label} must be 1 to 100 characters, not blank")
        if not _VERSION.match(self.version):
            raise AppOptionsError(f'version "{self.version}" must be letters, digits, dots, + or - (e.g. 1.2.0)')

    @property
    def base_url(self) -> str:
        """The service URL the app calls, without a trailing slash."""
        return self.api_url.rstrip("/")

    @property
    def host(self) -> str:
        return urlsplit(self.api_url).hostname or ""


def manifest(options: AppOptions) -> Manifest:
    """The app's manifest: a private ticket-sidebar app whose API key only goes, in a header, to the service's host."""
    return {
        "name": options.name,
        "author": {"name": options.author_name, "email": options.author_email},
        "defaultLocale": "en",
        "private": True,
        "location": {"support": {"ticket_sidebar": {"url": "assets/iframe.html", "flexible": True}}},
        "version": options.version,
        "frameworkVersion": "2.0",
        "domainWhitelist": [options.host],
        "parameters": [
            {"name": "api_url", "type": "url", "required": True, "default": options.base_url},
            {"name": "api_key", "type": "text", "required": True, "secure": True, "scopes": ["header"]},
        ],
    }


def _static_files() -> dict[str, bytes]:
    """The browser side and the translations, by their path in the zip."""
    root = resources.files(__package__).joinpath("files")
    found: dict[str, bytes] = {}
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append((entry, f"{prefix}{entry.name}/"))
            elif not entry.name.startswith("."):
                found[prefix + entry.name] = entry.read_bytes()
    return found


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def app_files(options: AppOptions) -> dict[str, bytes]:
    """Every file of the app by its path in the zip, sorted by path."""
    files = _static_files()
    translations = json.loads(files["translations/en.json"])
    translations["app"]["name"] = options.name
    files["translations/en.json"] = _json(translations)
    files["manifest.json"] = _json(manifest(options))
    files.update({path: logo_png(size) for path, size in LOGOS.items()})
    return dict(sorted(files.items()))


def app_zip(options: AppOptions) -> bytes:
    """The zip Zendesk accepts, byte-for-byte the same for the same options and code."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in app_files(options).items():
            info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--, whatever the umask
            info.create_system = 3  # Unix, so the mode above is read as one
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def write_app_zip(options: AppOptions, out: Path) -> Path:
    """Write the zip to ``out`` atomically (a half-written zip is never left at that path)."""
    data = app_zip(options)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(staging, 0o644)
        os.replace(staging, out)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return out
