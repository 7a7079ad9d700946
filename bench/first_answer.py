"""How far the first answer of a guide's step-through is from the home page (not a test).

For every guide of a built site, at 1280x900 and 390x844, in headless chromium:

- where the first answer button is (its bottom edge in px from the top of the page) and whether
  it is visible without scrolling;
- mouse: clicks from the home page (Categories, the category, the guide, the answer) plus the
  scrolls needed to bring the answer into view (PageDown presses, 87.5% of a screen each);
- keyboard: keys from the loaded guide page to the first answer: "1" if number keys answer from
  page load, else the Tab presses until the answer has focus, plus Enter.

    .venv/bin/python bench/first_answer.py                 # builds this checkout's site
    .venv/bin/python bench/first_answer.py --site DIR      # an already built site (e.g. main's)
"""

from __future__ import annotations

import argparse
import functools
import http.server
import math
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

VIEWPORTS = {"desktop 1280x900": (1280, 900), "phone 390x844": (390, 844)}
NAV_CLICKS = 3  # home -> Categories -> the category -> the guide (the same before and after)
MAX_TABS = 400


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def _tabs_to_first_answer(page: object) -> int | None:
    for n in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate("!!document.activeElement && document.activeElement.classList.contains('kbg-choice')"):  # type: ignore[attr-defined]
            return n
    return None


def measure(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    from support.site import CHROMIUM, CHROMIUM_ARGS

    guides = sorted(p.name for p in (site / "guides").iterdir() if (p / "index.html").is_file())
    server, base = _serve(site)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for label, (width, height) in VIEWPORTS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                bottoms, clicks, keys, visible = [], [], [], 0
                for guide in guides:
                    page.goto(f"{base}guides/{guide}/")
                    first = page.locator(".kbg-choice").first
                    box = first.bounding_box()
                    assert box is not None, guide
                    bottom = box["y"] + box["height"]
                    bottoms.append(bottom)
                    scrolls = 0 if bottom <= height else math.ceil((bottom - height) / (0.875 * height))
                    visible += scrolls == 0
                    clicks.append(NAV_CLICKS + scrolls + 1)
                    before = page.evaluate("kbGuides.state().path.length")
                    page.keyboard.press("1")
                    if page.evaluate("kbGuides.state().path.length") > before:
                        keys.append(1)
                    else:
                        page.goto(f"{base}guides/{guide}/")
                        tabs = _tabs_to_first_answer(page)
                        keys.append((tabs if tabs is not None else MAX_TABS) + 1)
                context.close()
                print(
                    f"{label}: {len(guides)} guides; first answer visible without scrolling in {visible}; "
                    f"its bottom edge at median {statistics.median(bottoms):.0f} px, max {max(bottoms):.0f} px (screen {height} px)"
                )
                print(f"  mouse from the home page: median {statistics.median(clicks):.0f} actions (clicks + scrolls), max {max(clicks)}")
                print(f"  keyboard on the guide page to the first answer: median {statistics.median(keys):.0f} keys, max {max(keys)}")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site directory (default: build this checkout's site)")
    args = parser.parse_args()
    if args.site:
        measure(args.site)
        return
    from search.docsite.build import build_site

    with tempfile.TemporaryDirectory() as tmp:
        measure(build_site(ROOT, Path(tmp) / "site", strict=True))


if __name__ == "__main__":
    main()
