"""No script from content: a payload catalogue in every content field, served by the real app.

The site is built with the plugin's ``check: false``, so the renderer's sanitizer is what is
tested, not ``kb check``; it is served by a real ``kb serve`` process, so the
Content-Security-Policy applies. Every page is opened, its content hovered, clicked and focused,
the guides stepped through; nothing may run, no payload attribute may survive in the DOM and the
CSP may find nothing to block (it is the second fence, the sanitizer the first). The shipped
starter content must raise no CSP violation on any page (test_site_csp_even_pages.py and
test_site_csp_odd_pages.py, one half each, so both xdist workers share them), and its
step-through must work.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from search.api.headers import HEADERS, SITE_POLICY
from search.content.repository import load_repository
from support import ROOT
from support.site import built_pages, make_content, search, serve_built

pytestmark = pytest.mark.browser

# One line: fits every YAML text field. Each payload would call __pwn(n) if it ran.
INLINE = (
    '![i](a.png){ onerror="__pwn(1)" } [c](https://example.com){ onclick="__pwn(2)" } '
    '[h](https://example.com){ href="javascript:__pwn(3)" } [s](https://example.com){ style="background:red" } '
    '[m](https://example.com){: onmouseover="__pwn(4)" } <img src=x onerror="__pwn(5)"> <svg onload="__pwn(6)"><circle/></svg> '
    "<script>__pwn(7)</script> [j](javascript:__pwn(8)) [d](data:text/html;base64,PHNjcmlwdD5fX3B3big5KTwvc2NyaXB0Pg==) "
    '<javascript:__pwn(10)> <a href="javascript:__pwn(11)">a</a> [e](jav&#x09;ascript:__pwn(12)) '
    '<iframe src="javascript:__pwn(13)"></iframe> ![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9Il9fcHduKDE0KSIvPg==)'
)
# Block forms: Markdown bodies only.
BLOCK = f"""
A paragraph with a block attribute list.
{{: onmouseover="__pwn(20)" style="position:fixed" }}

## A heading {{ onclick="__pwn(21)" #__config }}

## Raw <img src=x onerror="__pwn(38)"> and &lt;img src=x onerror=__pwn(39)&gt; in a heading

[reference link][bad] and [another][data]

[bad]: javascript:__pwn(22)
[data]: data:text/html,<script>__pwn(23)</script>

<div markdown="1" onmouseover="__pwn(24)">**md_in_html** [x](javascript:__pwn(25))</div>

<details open ontoggle="__pwn(26)"><summary>s</summary>d</details>

<form action="javascript:__pwn(27)"><button formaction="javascript:__pwn(28)">b</button><input onfocus="__pwn(29)" autofocus></form>

<object data="javascript:__pwn(30)"></object><embed src="javascript:__pwn(31)">

<svg><a xlink:href="javascript:__pwn(32)"><text y="20">svg link</text></a><animate onbegin="__pwn(33)" attributeName="x" dur="1s"/></svg>

<math><mtext><table><mglyph><style><img src=x onerror="__pwn(34)"></style></mglyph></table></mtext></math>

<p id="__config">{{"search": "evil.js"}}</p>
<base href="https://example.com/"><meta http-equiv="refresh" content="0;url=javascript:__pwn(35)">
<style>body {{ background: url(javascript:__pwn(36)) }}</style>
<div data-kbg-slot="walk" style="color:red" onclick="__pwn(37)">slot</div>

| a | b |
|:-:|--:|
| {INLINE} | x |

{INLINE}
"""
# Text fields that hold prose (keys of every YAML mapping and front matter); ids and references stay.
TEXT_KEYS = {
    "text", "help", "user_note", "follow_up", "handoff", "title", "description", "contact", "trigger", "summary",
    "symptoms", "gather", "owner", "tags", "subject", "body", "name", "keywords", "team", "queue",
}  # fmt: skip
# Every attribute of every element: no event handler, no URL but http(s)/mailto/tel (relative ones
# resolved), no style in the article (titles and alt texts may show payloads as text).
SURVIVORS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on') || (['srcdoc', 'http-equiv'].includes(a.name) && a.value.includes('__pwn')))
        bad.push(el.tagName + ' ' + a.name + '=' + a.value);
      if (['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background'].includes(a.name)) {
        let scheme;
        try { scheme = new URL(a.value, location.href).protocol; } catch (e) { scheme = 'invalid'; }
        if (!['http:', 'https:', 'mailto:', 'tel:'].includes(scheme)) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
      }
      if (a.name === 'style' && el.closest('article')) bad.push(el.tagName + ' style=' + a.value);
    }
  }
  for (const el of document.querySelectorAll('article svg, article iframe, article object, article embed, article form, article math, article base, article style, article script:not([type="application/json"])'))
    if (!el.closest('.kbg-diagram, [data-kbg]')) bad.push(el.outerHTML.slice(0, 80));  // ours: the diagram's SVG, the triage form
  if (document.querySelectorAll('#__config').length !== 1) bad.push('#__config hijacked');
  return bad;
}"""
POKE = """() => {
  for (const el of document.querySelectorAll('article *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart'])
      el.dispatchEvent(new Event(type, {bubbles: true}));
    if (!el.closest('a, button, form, label, [data-kbg]')) el.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  }
}"""


def _with_payloads(value: object) -> object:
    """``value`` with INLINE appended to every prose text (recursively); answer labels too."""
    if isinstance(value, dict):
        out: dict[object, object] = {}
        for key, child in value.items():
            if key == "answers" and isinstance(child, dict):
                out[key] = {f"{label} {INLINE}" if label not in ("yes", "no") else label: target for label, target in child.items()}
            elif key in ("impact", "urgency") and isinstance(child, dict):  # priorities: level -> description
                out[key] = {level: f"{text} {INLINE}" for level, text in child.items()}
            elif key in TEXT_KEYS and isinstance(child, str):
                out[key] = f"{child} {INLINE}"
            elif key in TEXT_KEYS and isinstance(child, list):
                out[key] = [f"{c} {INLINE}" if isinstance(c, str) else _with_payloads(c) for c in child]
            else:
                out[key] = _with_payloads(child)
        return out
    if isinstance(value, list):
        return [_with_payloads(v) for v in value]
    return value


def _poison_markdown(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = _with_payloads(yaml.safe_load(front))
    lines = "".join(f"{k}: {json.dumps(v, default=str)}\n" for k, v in meta.items())  # type: ignore[union-attr]
    path.write_text(f"---\n{lines}---\n{body}\n{BLOCK}\n", encoding="utf-8")


def _poison(root: Path) -> None:
    for path in sorted((root / "guides").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.name == "synonyms.yml":
            data["groups"].append([INLINE, "vpn"])
        path.write_text(json.dumps(_with_payloads(data), default=str, indent=1), encoding="utf-8")
    for path in sorted([*(root / "guides").glob("*.md"), *(root / "kb").rglob("*.md")]):
        if path.read_text(encoding="utf-8").startswith("---\n"):
            _poison_markdown(path)
        else:  # a kb/ page: front matter that is not checked, choosing Material's redirect template
            meta = {"title": f"Home {INLINE}", "description": INLINE, "author": INLINE, "template": "redirect.html", "location": "javascript:__pwn(40)"}
            front = "".join(f"{k}: {json.dumps(v)}\n" for k, v in meta.items())
            path.write_text(f"---\n{front}---\n" + path.read_text(encoding="utf-8") + "\n" + BLOCK, encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    tmp = tmp_path_factory.mktemp("scripts")
    root = make_content(tmp / "content", check=False)
    for name in ("templates.yml", "synonyms.yml"):
        shutil.copy(ROOT / "guides" / name, root / "guides" / name)
    _poison(root)
    repo = load_repository(root)
    assert not repo.problems, [p.format() for p in repo.problems]
    for base in serve_built(root, tmp):
        yield root, base


def _open(recording_page, url: str):
    page = recording_page(url)
    page.wait_for_load_state("load")
    return page


def _step_through(page) -> list[str]:
    """Click the first answer until the walk ends; return the visited node ids."""
    visited = [page.evaluate("kbGuides.state().current")]
    for _ in range(30):
        choices = page.locator('[data-kbg="choices"] .kbg-choice')
        if choices.count() == 0:
            break
        choices.first.click()
        visited.append(page.evaluate("kbGuides.state().current"))
    return visited


def test_payloads_in_every_field_never_run(hostile_site, recording_page) -> None:
    root, base = hostile_site
    pages = built_pages(root / "site")
    assert len(pages) >= 14 and "guides/vpn/" in pages and "articles/vpn-reinstall/" in pages
    walked = 0
    page = _open(recording_page, base)
    for path in pages:
        page.goto(base + path)
        page.evaluate(POKE)
        if page.locator('[data-kbg="choices"]').count():
            assert len(_step_through(page)) > 1, path
            walked += 1
        page.wait_for_timeout(50)
        assert page.evaluate("window.__pwned") == [], path
        assert page.evaluate(SURVIVORS) == [], path
        assert page.evaluate("window.__csp") == [], path
        assert "__pwn" not in page.title() or "<" in page.title(), path  # titles show payloads as text
    assert walked >= 2


def test_payload_text_is_still_shown(hostile_site, recording_page) -> None:
    _, base = hostile_site
    page = _open(recording_page, base + "articles/vpn-reinstall/")
    article = page.locator("article")
    assert "<script>__pwn(7)</script>" in article.inner_text()  # raw HTML shows literally
    assert article.locator("th.kbg-align-center").count() == 1  # table alignment kept without a style
    assert article.locator("a.headerlink").count() > 0


def test_step_through_and_search_work_under_the_csp(shipped_served, recording_page) -> None:
    _, base = shipped_served
    page = _open(recording_page, base + "guides/vpn-cannot-connect/")
    visited = _step_through(page)
    assert len(visited) > 2 and page.locator('[data-kbg="current"]').inner_text()
    page.click('[data-kbg="copy"]')
    assert page.locator('[data-kbg="transcript"]').input_value()
    assert search(page, "VPN").count() > 0
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("typeof __md_get") == "function"  # Material's moved head script ran


def test_every_response_carries_the_security_headers(shipped_served) -> None:
    _, base = shipped_served
    responses = [
        httpx.get(base),
        httpx.get(base + "assets/kb-guides/kb-guides.js"),
        httpx.get(base + "no/such/page/"),
        httpx.get(base + "api/search", params={"q": "vpn"}),
        httpx.get(base + "api/nope"),
        httpx.post(base + "api/triage", content=b"x" * 200_000, headers={"content-type": "application/json"}),
        httpx.get(base + "api/openapi.json"),
        httpx.get(base + "api/docs"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 200, 404, 413, 200, 200]
    for r in responses:
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert r.headers["x-frame-options"] == "DENY", r.url
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", r.url
        policy = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], (
            r.url
        )
    assert "'sha256-" in responses[-1].headers["content-security-policy"]


def test_readme_documents_the_headers_sent() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Content-Security-Policy: {SITE_POLICY}" in readme
    for name, value in HEADERS.items():
        assert f"{name}: {value}" in readme
