"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary directory,
a free port on 127.0.0.1 and a Unix socket in that directory; no system service is touched.

PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the ``postgres`` system user
(``nobody`` without one) with the directory chowned to it. It cannot be started without the
server package: the error says so (``bash tests/ensure-postgres.sh`` installs it), nothing is
skipped. Each test takes a schema of its own (:meth:`Cluster.new_database`). Host connections
need the password, so a test can check it never shows.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from .servers import free_port

USER = "kb"
PASSWORD = "pg-test-password-7c1f"
_names = itertools.count(1)


def server_bin() -> Path:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL's server is not installed (no initdb): run `bash tests/ensure-postgres.sh` (apt-get install postgresql)")


def _run_as() -> tuple[list[str], str | None]:
    """The command prefix that drops root, and the user it drops to (None: not root, run as is)."""
    if os.geteuid() != 0:
        return [], None
    user = "postgres"
    try:
        pwd.getpwnam(user)
    except KeyError:
        user = "nobody"
    return ["runuser", "-u", user, "--"], user


class Cluster:
    """``with Cluster() as pg: url = pg.new_database()``; stopped (immediately) and removed on exit."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.bin = server_bin()
        self.prefix, self.user = _run_as()
        # in /tmp when dropping root: the server's user must be able to reach it (a TMPDIR of root's may be 0700)
        self.dir = Path(tempfile.mkdtemp(prefix="kb-pg-", dir="/tmp" if self.user is not None else None))
        self.data = self.dir / "data"
        self.port = free_port()
        self.fsync = fsync

    def _cmd(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if result.returncode != 0:
            log = (self.dir / "server.log").read_text(errors="replace")[-2000:] if (self.dir / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL test cluster: {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()[-2000:]} {log}")

    def start(self) -> Cluster:
        if self.user is not None:
            shutil.chown(self.dir, self.user)
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.user is not None:
            shutil.chown(pwfile, self.user)
        self._cmd(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        self._serve()
        return self

    def _serve(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync={'on' if self.fsync else 'off'} -c max_connections=200"
        self._cmd(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", "-t", "60", "start")

    def url(self, database: str = "postgres", *, password: bool = True) -> str:
        secret = f":{PASSWORD}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a fresh, empty schema of its own (over TCP, with the password): the way the
        README shows to give the outbox its own namespace in a shared database, and much quicker
        than a database per test."""
        import psycopg

        name = f"outbox_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return self.url() + f"?options=-csearch_path%3D{name}"

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)

    def restart(self) -> None:
        """Stop at once (as a crash would) and start again: clients' connections break."""
        self.stop()
        self._serve()

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
