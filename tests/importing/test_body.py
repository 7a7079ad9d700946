"""The body pipeline every importer shares: what it rewrites, and that it reports each rewrite."""

from __future__ import annotations

from search.content.problems import Severity
from search.importers.body import Link, clean_text, convert_body


def run(body: str, resolve: dict[str, str | None] | None = None) -> tuple[str, list[tuple[str, int, int]]]:
    seen: list[tuple[str, int, int]] = []

    def report(severity: Severity, rule: str, message: str, line: int, col: int) -> None:
        seen.append((rule, line, col))

    def resolver(link: Link) -> str | None:
        return (resolve or {}).get(link.target, link.target)

    return convert_body(body, resolver, report), seen


def test_html_is_escaped_in_prose_and_kept_in_code() -> None:
    out, seen = run("Use <b>bold</b> and <!-- a comment -->.\n`<code>` stays\n```xml\n<config/>\n```")
    assert out == "Use \\<b>bold\\</b> and \\<!-- a comment -->.\n`<code>` stays\n```xml\n<config/>\n```"
    assert seen == [("raw-html", 0, 4)]


def test_links_go_through_the_resolver_and_script_urls_never_survive() -> None:
    out, seen = run(
        "[a](x.md) [b](gone.md) ![c](pic.png) [d](javascript:alert(1)) [e](data:text/html,x) <javascript:alert(1)>\n[ref]: vbscript:run",
        {"x.md": "../y/x.md", "gone.md": None, "pic.png": "media/pic 1.png"},
    )
    assert out.split("\n") == ["[a](../y/x.md) b ![c](<media/pic 1.png>) d e \\<javascript:alert(1)>", ""]
    assert [s[0] for s in seen] == ["script-link", "script-link", "script-link", "raw-html"]


def test_controls_attributes_and_open_fences() -> None:
    out, seen = run("Caf\x9d wifi\u202e drops {: onclick=x }\n```\ncode")
    assert out == "Caf wifi drops \n```\ncode\n```"
    assert [s[0] for s in seen] == ["control-character", "unsafe-attribute", "open-fence"]


def test_clean_text_for_front_matter_values() -> None:
    assert clean_text("Error <ServerName>\n  not found") == ("Error ‹ServerName› not found", True)
    assert clean_text("Plain  title") == ("Plain title", False)


def test_a_marked_section_opener_is_escaped_for_mkdocs() -> None:
    """mkdocs feeds every page to html.parser, which raises on "<![LOG[" even after "\\<"."""
    import markdown
    from mkdocs.structure.pages import _RawHTMLPreprocessor

    out, _ = run("Log: <![LOG[Message sent]LOG]!><time=1>")
    assert out == "Log: \\<!\\[LOG[Message sent]LOG]!>\\<time=1>"
    _RawHTMLPreprocessor().run(out.split("\n"))  # the check mkdocs makes (it raised AssertionError)
    assert "&lt;![LOG[Message sent]LOG]!&gt;" in markdown.markdown(out)


def test_malformed_links_are_repaired_or_kept_as_text_and_reported() -> None:
    """A doubled "(" is repaired; a "[text](" that opens no link stays text, escaped so neither
    Python-Markdown nor kb check reads a link into it; brackets inside a link's text are fine."""
    import markdown

    from search.checks.markdown import _LINK

    out, seen = run(
        "Use [s.ps1]((https://a.example/s.ps1) to collect, or [t]((u.md)).\n"
        "at Factory.Create[TService](Uri serviceUri) in x\n"
        "See ([[MS-ADA3]](/openspecs/ms-ada3)).",
        {"/openspecs/ms-ada3": "https://learn.example/openspecs/ms-ada3"},
    )
    assert out.split("\n") == [
        "Use [s.ps1](https://a.example/s.ps1) to collect, or [t](u.md).",
        "at Factory.Create[TService]\\(Uri serviceUri) in x",
        "See ([[MS-ADA3]](https://learn.example/openspecs/ms-ada3)).",
    ]
    assert seen == [("malformed-link", 0, 13), ("malformed-link", 0, 58), ("malformed-link", 1, 17)]
    html = markdown.markdown(out)
    assert html.count("<a ") == 3 and "[TService](Uri serviceUri)" in html
    assert [m.group(1) for m in _LINK.finditer(out)] == ["https://a.example/s.ps1", "u.md", "https://learn.example/openspecs/ms-ada3"]
