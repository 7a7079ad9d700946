"""A page rendered whole as HTML (``mdpage.html_page``, the list of every guide) keeps its anchors
for mkdocs's link validation and fills in as the same bytes its source would have made."""

from search.render import mdpage


def test_an_html_page_is_a_placeholder_filled_with_its_html_and_keeps_its_ids_as_anchors() -> None:
    body = '\n<h1>All guides</h1>\n\n<h2 id="every-guide">Every guide</h2>\n\n<section><h3 id="tag-a&amp;b">a&amp;b</h3><p>text: id=&quot;not-an-anchor&quot;</p></section>\n'
    source, late = mdpage.html_page({"title": "All guides"}, "guide-list", body)
    placeholder = str(mdpage.slot("guide-list"))
    assert source == '---\ntitle: "All guides"\n---\n\n' + placeholder + "\n"
    assert late.anchors == {"every-guide", "tag-a&b"}  # as an HTML parser reads them; text (escaped) is not an id
    assert mdpage.fill(f"<article>{placeholder}</article>", late.indexed) == f"<article>{body.strip()}</article>"
    assert late.unindexed() == {} and late.sections == []
