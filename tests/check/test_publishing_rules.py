"""What may be published: links, special files and secret-like files in the content folders, and
links from a published page to one the build leaves out. Every case runs the real `kb check`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from search.content.files import is_secret_name

from .casekit import Case, assert_case, make_repo, params, run_kb

ARTICLE = "kb/articles/password-rules.md"
LINKING = "kb/articles/vpn-reinstall.md"


def _link(rel: str, target: str):
    def generate(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / rel)

    return generate


def _write(rel: str, text: str):
    def generate(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")

    return generate


def _fifo(root: Path) -> None:
    os.mkfifo(root / "kb" / "pipe.txt")


def _draft_linked(root: Path) -> None:
    """password-rules becomes a draft; vpn-reinstall (published) links to it on line 19."""
    path = root / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("reviewed: 2026-03-10\n", "reviewed: 2026-03-10\nstatus: draft\n"), encoding="utf-8")
    linking = root / LINKING
    linking.write_text(linking.read_text(encoding="utf-8") + "See the [password rules](password-rules.md).\n", encoding="utf-8")


def _draft_guide(root: Path) -> None:
    """The password guide becomes a draft; node reset-password of the VPN tree continues in it."""
    guide = root / "guides/password-reset.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("articles: [password-rules]\n", "articles: [password-rules]\nstatus: draft\n"), encoding="utf-8")


# enough ".." to reach / from any temporary directory (a pytest-xdist worker's is one level deeper)
UP_TO_ROOT = "../" * 40

CASES = [
    Case(
        "symlink-environ",
        "kb/env.txt:1:1 symlink-outside",
        ('"/proc/self/environ"', "outside the repository"),
        generate=_link("kb/env.txt", "/proc/self/environ"),
    ),
    Case("symlink-passwd", "kb/articles/passwd.md:1:1 symlink-outside", ('"/etc/passwd"',), generate=_link("kb/articles/passwd.md", "/etc/passwd")),
    Case("symlink-directory", "kb/etc:1:1 symlink-outside", ('"/etc"',), generate=_link("kb/etc", "/etc")),
    Case(
        "symlink-relative-escape",
        "kb/up.txt:1:1 symlink-outside",
        ('"' + UP_TO_ROOT + 'etc/hostname"',),
        generate=_link("kb/up.txt", UP_TO_ROOT + "etc/hostname"),
    ),
    Case("symlink-in-guides", "guides/extra.md:1:1 symlink-outside", (), generate=_link("guides/extra.md", "/etc/passwd")),
    Case(
        "symlink-tree",
        "guides/password-reset.yml:1:1 symlink",
        ("replace it by a copy",),
        delete=("guides/password-reset.yml",),
        generate=_link("guides/password-reset.yml", "vpn-no-connect.yml"),
    ),
    Case(
        "symlink-config",
        "guides/escalation.yml:1:1 symlink-outside",
        ('"/etc/hostname"',),
        delete=("guides/escalation.yml",),
        generate=_link("guides/escalation.yml", "/etc/hostname"),
    ),
    Case("symlink-dangling", "kb/gone.png:1:1 symlink-dangling", ('"missing.png"', "does not exist"), generate=_link("kb/gone.png", "missing.png")),
    Case("symlink-inside", "kb/copy.md:1:1 symlink", ('"articles/password-rules.md"',), generate=_link("kb/copy.md", "articles/password-rules.md")),
    Case("special-file-fifo", "kb/pipe.txt:1:1 special-file", ("FIFO",), generate=_fifo),
    Case(
        "secret-kb-config",
        "kb/kb-config.toml:1:1 secret-file",
        ("matches *.toml", "rotate"),
        generate=_write("kb/kb-config.toml", 'admin_token = "s3cret-admin-token-1234567890"\n'),
    ),
    Case("secret-backup-name", "kb/assets/Id_RSA.bak:1:1 secret-file", ("matches id_rsa*",), generate=_write("kb/assets/Id_RSA.bak", "not a key\n")),
    Case(
        "secret-key-in-text-file",
        "kb/notes.txt:1:1 secret-file",
        ("private key",),
        generate=_write("kb/notes.txt", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"),
    ),
    Case("secret-dotenv", "kb/.env.production:1:1 secret-file", ("matches",), generate=_write("kb/.env.production", "KB_ADMIN_TOKEN=abc\n")),
    Case("link-to-draft", f"{LINKING}:19:26 link-to-unpublished", ("status: draft",), generate=_draft_linked),
    Case("link-node-to-draft-guide", "guides/vpn-no-connect.yml:20:12 link-to-unpublished", ('"reset-password"', "status: draft"), generate=_draft_guide),
]


@pytest.mark.parametrize("case", params(CASES))
def test_publishing_rule_reports_one_problem_at_its_path(tmp_path: Path, case: Case) -> None:
    assert_case(tmp_path, case)


@pytest.mark.parametrize(
    "name",
    [
        "kb-config.toml",
        "KB-CONFIG.TOML",
        "kb-config.toml~",
        "kb-config.toml.bak.1",
        ".env",
        ".env.local",
        "prod.env",
        "server.KEY",
        "id_ed25519.pub",
        "cert.pfx",
        "vault.kdbx",
        ".htpasswd",
        "credentials.json",
        "secrets.yaml",
        "app.ini.orig",
        "mkdocs.yml",
        "terraform.tfstate.backup",
    ],
)
def test_secret_like_names_are_recognised(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "logo.png",
        "vpn-setup.pdf",
        "reset-password.md",
        "token-expiry.md",
        "reset-password-screen.png",
        "access-token-flow.svg",
        "secret-santa.jpg",
        "printer-driver.zip",
        "notes.txt",
    ],
)
def test_ordinary_names_are_not_secrets(name: str) -> None:
    assert not is_secret_name(name)


def test_public_check_reports_links_to_internal_pages_through_the_real_cli(tmp_path: Path) -> None:
    """The same content is clean for the internal build and not for a public one (KB_AUDIENCE or --audience)."""
    root = make_repo(tmp_path)
    article = root / ARTICLE
    article.write_text(
        article.read_text(encoding="utf-8").replace("reviewed: 2026-03-10\n", "reviewed: 2026-03-10\naudience: public\n")
        + "\nSee the [VPN article](vpn-reinstall.md).\n",
        encoding="utf-8",
    )
    assert run_kb("check", "--root", str(root), "--today", "2026-11-27").returncode == 0
    result = run_kb("check", "--root", str(root), "--today", "2026-11-27", "--audience", "public", "--format", "json")
    assert_no_traceback_text(result.stderr)
    problems = json.loads(result.stdout)
    assert (result.returncode, [(p["path"], p["line"], p["col"], p["rule"]) for p in problems]) == (
        1,
        [(ARTICLE, 18, 23, "link-to-unpublished"), ("kb/index.md", 3, 30, "link-to-unpublished")],
    )
    assert "audience: internal, and this is a public build" in problems[0]["message"]
    bad = run_kb("check", "--root", str(root), "--audience", "everyone")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def assert_no_traceback_text(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


def test_tree_field_cannot_reach_outside_guides(tmp_path: Path) -> None:
    """``tree:`` names a file beside the guide; a path out of guides/ is not read."""
    root = make_repo(tmp_path)
    guide = root / "guides/password-reset.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("articles: [password-rules]\n", "articles: [password-rules]\ntree: ../../../../../../etc/passwd\n"),
        encoding="utf-8",
    )
    result = run_kb("check", "--root", str(root), "--today", "2026-11-27", "--format", "json")
    problems = json.loads(result.stdout)
    assert ("guides/password-reset.md", "missing-file") in [(p["path"], p["rule"]) for p in problems]
    assert "root:x" not in result.stdout + result.stderr
