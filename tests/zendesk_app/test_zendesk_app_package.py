"""`kb zendesk-app` writes the zip Zendesk accepts for a private ZAF v2 ticket-sidebar app.

The checks below are the rules Zendesk's app validator (zendesk_apps_support, what
`zcli apps:validate` and the upload page run) applies to an app like this one, written here
from its source: required files and manifest keys, the location URL inside the package,
framework version 2.0, parameter types and secure-setting scopes, translations with a label per
parameter, no plain-http URLs, no blocked file types or links. PNG sizes are read from the bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from support import KB

API_URL = "https://kb.example.com/"
EMAIL = "servicedesk@example.com"
REQUIRED_FILES = {"manifest.json", "translations/en.json", "assets/logo.png", "assets/logo-small.png", "assets/iframe.html"}
# zendesk_apps_support: Manifest::Parameter::TYPES, Validations::Manifest::SECURE_PARAM_SCOPES, Mime::UNSUPPORTED_MIME_TYPES
PARAMETER_TYPES = {"text", "checkbox", "url", "number", "multiline", "hidden", "oauth"}
SECURE_SCOPES = {"header", "body", "url", "jwt_secret_key", "jwt_claim", "basic_auth_username", "basic_auth_password"}
BLOCKED_EXTENSIONS = {
    "rar",
    "zip",
    "gz",
    "pdf",
    "doc",
    "docx",
    "avi",
    "bin",
    "bz",
    "bz2",
    "csh",
    "sh",
    "jar",
    "mp3",
    "mpeg",
    "odt",
    "pptx",
    "ppt",
    "xls",
    "xlsx",
    "7z",
}


def package(tmp_path: Path, *args: str, name: str = "app.zip") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KB), "zendesk-app", "--api-url", API_URL, "--author-email", EMAIL, "--out", str(tmp_path / name), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def app_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("app")
    done = package(tmp, "--name", "Service desk guides")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (tmp / "app.zip").as_posix()
    return tmp / "app.zip"


def read_png(data: bytes) -> tuple[int, int, int, int]:
    """Width, height, bit depth and colour type, checking the signature, every chunk's CRC and the pixel data's length."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    offset, chunks, idat = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append(kind)
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    channels = {6: 4, 2: 3}[colour]
    assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8)
    return width, height, depth, colour


def test_zip_holds_what_zendesk_requires_with_the_manifest_fields(app_zip: Path) -> None:
    with zipfile.ZipFile(app_zip) as archive:
        names = set(archive.namelist())
        files = {name: archive.read(name) for name in names}
        infos = archive.infolist()
    assert names == REQUIRED_FILES | {"assets/sidebar.js", "assets/sidebar.css"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["name"] == "Service desk guides"
    assert manifest["author"] == {"name": "IT Service Desk", "email": EMAIL}
    assert manifest["defaultLocale"] == "en"
    assert manifest["private"] is True
    assert manifest["location"] == {"support": {"ticket_sidebar": {"url": "assets/iframe.html", "flexible": True}}}
    assert manifest["frameworkVersion"] == "2.0"
    assert manifest["version"] == "0.1.0"
    assert manifest["domainWhitelist"] == ["kb.example.com"]
    parameters = {p["name"]: p for p in manifest["parameters"]}
    assert parameters["api_url"] == {"name": "api_url", "type": "url", "required": True, "default": "https://kb.example.com"}
    assert parameters["api_key"] == {"name": "api_key", "type": "text", "required": True, "secure": True, "scopes": ["header"]}
    translations = json.loads(files["translations/en.json"])["app"]
    assert translations["name"] == "Service desk guides"
    assert set(translations["parameters"]) == set(parameters)
    assert read_png(files["assets/logo.png"])[:2] == (320, 320)
    assert read_png(files["assets/logo-small.png"])[:2] == (128, 128)
    for info in infos:  # regular files readable by anyone, never links or folders
        assert stat.S_ISREG(info.external_attr >> 16) and (info.external_attr >> 16) & 0o777 == 0o644, info.filename


def test_zip_passes_the_rules_of_zendesks_app_validator(app_zip: Path) -> None:
    with zipfile.ZipFile(app_zip) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    # Validations::Manifest
    assert isinstance(manifest["author"]["name"], str) and isinstance(manifest["author"]["email"], str)
    assert re.match(r"^[a-z]{2,3}(-\w{2,3})?$", manifest["defaultLocale"])
    assert f"translations/{manifest['defaultLocale']}.json" in files
    for location in manifest["location"]["support"].values():
        assert location["url"].startswith("assets/") and location["url"] in files
        assert isinstance(location["flexible"], bool)
    assert isinstance(manifest["private"], bool)
    assert isinstance(manifest["domainWhitelist"], list) and all(isinstance(d, str) for d in manifest["domainWhitelist"])
    names = [p["name"] for p in manifest["parameters"]]
    assert len(names) == len(set(names)) and "name" not in names
    for parameter in manifest["parameters"]:
        assert parameter["type"] in PARAMETER_TYPES
        assert isinstance(parameter["required"], bool) and isinstance(parameter.get("secure", False), bool)
        if "scopes" in parameter:
            assert parameter.get("secure") is True and parameter["scopes"] and set(parameter["scopes"]) <= SECURE_SCOPES
        # Validations::SecureSettings warnings: a key or token in plain text, a secure default, a secure setting without scopes
        if re.search("token|key|pwd|password", parameter["name"], re.I) and parameter["type"] == "text":
            assert parameter.get("secure") is True, parameter
        if parameter.get("secure"):
            assert "default" not in parameter and parameter.get("scopes")
    # Validations::Translations (a private app needs the name; each parameter needs a label)
    translations = json.loads(files["translations/en.json"])
    assert translations["app"]["name"]
    assert all("label" in entry for entry in translations["app"]["parameters"].values())
    # Validations::Requests: no plain-http URL in the app's scripts and pages
    for name, data in files.items():
        if name.endswith((".js", ".html")):
            assert "http://" not in data.decode("utf-8"), name
    # Validations::Mime
    assert not [name for name in files if name.rsplit(".", 1)[-1] in BLOCKED_EXTENSIONS]


def test_the_page_loads_the_sdk_from_zendesk_and_has_no_inline_script_or_style(app_zip: Path) -> None:
    with zipfile.ZipFile(app_zip) as archive:
        page = archive.read("assets/iframe.html").decode("utf-8")
        script = archive.read("assets/sidebar.js").decode("utf-8")
    sources = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in sources] == [
        "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js",
        "sidebar.js",
    ]
    assert all(not body.strip() for _, body in sources)
    assert not re.search(r"\son[a-z]+=|\sstyle=|<style", page)
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script


def test_same_options_give_the_same_bytes_and_other_options_other_bytes(tmp_path: Path, app_zip: Path) -> None:
    assert package(tmp_path, "--name", "Service desk guides", name="again.zip").returncode == 0
    assert package(tmp_path, "--name", "Other", name="other.zip").returncode == 0
    digest = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in ("again.zip", "other.zip")}
    assert digest["again.zip"] == hashlib.sha256(app_zip.read_bytes()).hexdigest()
    assert digest["other.zip"] != digest["again.zip"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api-url", "http://kb.example.com"], "must use https"),
        (["--api-url", "kb.example.com"], "is not an http(s) URL with a host"),
        (["--api-url", "https://user:pw@kb.example.com"], "without credentials"),
        (["--author-email", "nobody"], "is not an email address"),
        (["--name", "  "], "name must be 1 to 100 characters"),
        (["--app-version", "1.0 beta"], "version"),
    ],
)
def test_bad_options_are_usage_errors_that_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    done = package(tmp_path, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_http_is_accepted_for_a_service_on_this_machine_only(tmp_path: Path) -> None:
    done = package(tmp_path, "--api-url", "http://127.0.0.1:8000")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["domainWhitelist"] == ["127.0.0.1"]
    assert manifest["parameters"][0]["default"] == "http://127.0.0.1:8000"


def test_an_unwritable_destination_is_one_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    done = package(tmp_path, name="file/app.zip")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "cannot write the app" in done.stderr
