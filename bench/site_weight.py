"""Site weight benchmark (not a test): bytes a browser transfers for a guide page served by `kb start`.

Copies the content of a checkout (guides/, kb/, mkdocs.yml) to a temporary folder, runs that
checkout's own `kb start` on it (so the same content can be measured under main and under a
branch), and loads a guide page in Debian's headless chromium:

- cold: a new browser profile (empty cache) opens the guide page;
- warm: the same profile opens the same page again (a technician coming back to it);
- next: then another guide page (shared assets already cached).

Each line counts every request of the page and of its workers (the search index is fetched by
Material's search worker) until the network is idle: bytes on the wire (headers and bodies as
received, compressed or not; chromium's encodedDataLength), bytes after decoding, requests,
and how many were answered 304 or from the cache without a request.

    .venv/bin/python bench/site_weight.py                       # this checkout
    .venv/bin/python bench/site_weight.py --checkout ../main    # the same content, main's code
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.servers import free_port  # noqa: E402
from support.site import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


@dataclass
class Load:
    wire: int = 0
    decoded: int = 0
    requests: int = 0
    not_modified: int = 0
    cached: int = 0
    urls: set[str] = field(default_factory=set)


def measure(page: object, url: str) -> Load:
    """Load ``url`` in ``page`` and add up its network traffic from the DevTools protocol."""
    load = Load()
    cdp = page.context.new_cdp_session(page)  # type: ignore[attr-defined]
    responses: dict[str, int] = {}

    def on_response(event: dict) -> None:  # type: ignore[type-arg]
        responses[event["requestId"]] = event["response"]["status"]
        load.urls.add(event["response"]["url"])

    def on_finished(event: dict) -> None:  # type: ignore[type-arg]
        load.requests += 1
        load.wire += int(event["encodedDataLength"])
        if responses.get(event["requestId"]) == 304:
            load.not_modified += 1

    def on_cached(event: dict) -> None:  # type: ignore[type-arg]
        load.cached += 1

    def on_data(event: dict) -> None:  # type: ignore[type-arg]
        load.decoded += int(event["dataLength"])

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.requestServedFromCache", on_cached)
    cdp.on("Network.dataReceived", on_data)
    cdp.send("Network.enable")
    # the search worker's requests go through the page's network session in chromium; wait
    # until the index has been fetched and the network is idle
    page.goto(url, wait_until="networkidle")  # type: ignore[attr-defined]
    cdp.detach()
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose code (and .venv) serves (default: this one)")
    parser.add_argument("--guide", default="vpn-cannot-connect")
    parser.add_argument("--next", default="new-starter", help="a second guide page, opened after the first")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        for part in ("guides", "kb"):
            shutil.copytree(checkout / part, content / part)
        shutil.copy(checkout / "mkdocs.yml", content / "mkdocs.yml")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115  (closed below)
        server = subprocess.Popen(
            [str(checkout / ".venv" / "bin" / "kb"), "start", "--root", str(content), "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 600
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"kb start exited: {(Path(tmp) / 'server.log').read_text()}")
                try:
                    if httpx.get(base + "api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("kb start did not answer in 10 minutes")
                time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                context = browser.new_context()
                page = context.new_page()
                print(f"checkout {checkout}  (git {_head(checkout)})")
                print(f"{'load':<28}{'on the wire':>14}{'decoded':>12}{'requests':>10}{'304':>6}{'cache':>7}")
                for label, url in (
                    (f"cold  guides/{args.guide}", f"{base}guides/{args.guide}/"),
                    (f"warm  guides/{args.guide}", f"{base}guides/{args.guide}/"),
                    (f"next  guides/{args.next}", f"{base}guides/{args.next}/"),
                ):
                    load = measure(page, url)
                    assert any(u.endswith("search/search_index.json") for u in load.urls), sorted(load.urls)
                    print(f"{label:<28}{load.wire:>12,} B{load.decoded:>10,} B{load.requests:>10}{load.not_modified:>6}{load.cached:>7}")
                browser.close()
        finally:
            server.terminate()
            server.wait(30)
            log.close()


def _head(checkout: Path) -> str:
    done = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return done.stdout.strip()[:60]


if __name__ == "__main__":
    main()
