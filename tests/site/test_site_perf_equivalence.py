"""Build-speed shortcuts must not change what is built: each fast path against the plain one."""

from __future__ import annotations

import html

import pytest
from markupsafe import Markup
from material.plugins.search.plugin import Parser

from search.content.models import GatherItem
from search.content.repository import load_repository
from search.render import markup
from search.render.guide_page import GuidePage
from search.render.templating import environment
from support import ROOT
from support.site import FIXTURES

HOSTILE = [
    "</script><script>window.__xss=1</script> <img src=x onerror=window.__xss=1> <!-- \u2028\u2029 & </SCRIPT >",
    'a <b>bold</b> & "q" \'s',
    "`code` and [link](http://a>b) *em*\nnext line  two",
    "  spaced   out  ",
    "**b** `c`   <kbd>k</kbd>",
    "[an article](../articles/vpn-reinstall.md)",
]


def _sections(page_html: str) -> list[tuple[str | None, str, str]]:
    parser = Parser()
    parser.feed(page_html)
    parser.close()
    return [(s.id, "".join(s.title), "".join(s.text)) for s in parser.data]


@pytest.mark.parametrize("root", [ROOT, FIXTURES / "basic"], ids=["shipped", "basic"])
def test_lean_head_and_gather_index_like_the_full_ones(root) -> None:
    repo = load_repository(root)
    for guide in repo.guides:
        page = GuidePage(guide, repo)
        assert page.head(lean=True) != page.head()
        for full, lean in [(page.head(), page.head(lean=True)), (page.gather(), page.gather(lean=True))]:
            assert _sections(lean) == _sections(full)
            assert _sections(f'<h2 id="x">X</h2>{lean}<p>after</p>') == _sections(f'<h2 id="x">X</h2>{full}<p>after</p>')


@pytest.mark.parametrize("value", HOSTILE)
def test_lean_head_and_gather_index_like_the_full_ones_for_any_text(value: str) -> None:
    repo = load_repository(FIXTURES / "basic")
    guide = repo.guide_by_id["vpn"]
    guide.meta = guide.meta.model_copy(
        update={"summary": value, "owner": value, "version": value, "gather": [GatherItem(id="a", text=value), GatherItem(id="b", text=value + " 2")]}
    )
    page = GuidePage(guide, repo)
    for full, lean in [(page.head(), page.head(lean=True)), (page.gather(), page.gather(lean=True))]:
        assert _sections(lean) == _sections(full)


def test_text_escapes_like_html_escape() -> None:
    samples = ["", "plain", "a & b", "<tag>", "\"double\" 'single'", "&amp;", "ünïcode — ✓", "\u2028", *HOSTILE]
    for sample in samples:
        assert markup.text(sample) == html.escape(sample, quote=True)
    assert markup.text(None) == ""


def test_templates_print_text_as_text_escapes_it() -> None:
    """The templates' finalize hands a text with nothing to escape to Jinja's own escaping
    unchanged; what is printed is still ``markup.text`` of it, and ``Markup`` stays as it is."""
    template = environment().from_string("{{ value }}|{{ safe }}")
    samples = ["", "plain", "a & b", "<tag>", "\"double\" 'single'", "&amp;", "ünïcode — ✓", *HOSTILE]
    for sample in samples:
        assert template.render(value=sample, safe=Markup(sample)) == f"{markup.text(sample)}|{sample}"
