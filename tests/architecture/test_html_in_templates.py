"""Site HTML is written in the templates (search/render/templates), not assembled in Python.

No string in a Python file of search/render may hold an HTML tag: string literals, f-strings and
``+`` chains of them are read as the text they make (an interpolated value counts as a letter,
so ``f"<{tag}>"`` is a tag too). Docstrings are prose and not read. What is left reads HTML or
is the Markdown renderer's own output; it is listed in ALLOWED by file and the function or name
it is in, with the reason, and each entry must still be needed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from support import ROOT

RENDER = ROOT / "search" / "render"
# a start or end tag, a comment, or a tag whose name is interpolated (%s, {}, a value)
TAG = re.compile(r"<(?:/?[A-Za-z{%]|!--)")
# (file, the function or module-level name the string is in) -> why its tags are not page markup
ALLOWED = {
    ("markup.py", "_PRE"): "a pattern that finds <pre> blocks in rendered Markdown",
    ("markup.py", "block"): "the paragraph that Python-Markdown makes of a plain line, made without it (the fast path; "
    "test_site_render.py test_plain_lines_skip_markdown_but_render_the_same)",
    ("markup.py", "paragraph_content"): "reads rendered Markdown: is it one paragraph",
    ("offline.py", "_LOADS"): "a pattern that finds what a built page loads from other hosts",
}


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string nodes that are docstrings (or other bare string statements)."""
    return {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}


def _text(node: ast.expr) -> str | None:
    """The text a string expression makes, values as "x"; None when it is not a string expression."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "x" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "x") + (right if right is not None else "x")
    return None


def _owners(tree: ast.Module) -> dict[int, str]:
    """id of each node -> the name of the function, class or module-level assignment it is in."""
    owners: dict[int, str] = {}

    def visit(node: ast.AST, owner: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = owner
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = child.name
            elif isinstance(node, ast.Module) and isinstance(child, (ast.Assign, ast.AnnAssign)):
                target = child.targets[0] if isinstance(child, ast.Assign) else child.target
                name = target.id if isinstance(target, ast.Name) else owner
            owners[id(child)] = name
            visit(child, name)

    visit(tree, "")
    return owners


def html_strings(path: Path) -> list[tuple[int, str, str]]:
    """(line, owner, text) of each string expression in ``path`` that holds an HTML tag (outermost only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    owners = _owners(tree)
    found: list[tuple[int, str, str]] = []
    inner: set[int] = set()
    for node in ast.walk(tree):  # breadth first: a chain is seen before its parts
        if id(node) in skip or id(node) in inner or not isinstance(node, ast.expr):
            continue
        text = _text(node)
        if text is None:
            continue
        inner.update(id(n) for n in ast.walk(node))
        if TAG.search(text):
            found.append((node.lineno, owners[id(node)], text))
    return found


def test_no_html_tags_in_python_under_render() -> None:
    unexpected, used = [], set()
    for path in sorted(RENDER.rglob("*.py")):
        for line, owner, text in html_strings(path):
            key = (path.name, owner)
            if key in ALLOWED:
                used.add(key)
            else:
                unexpected.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not unexpected, "HTML belongs in search/render/templates (a template or a macro):\n" + "\n".join(unexpected)
    assert used == set(ALLOWED), f"allowances no longer needed: {set(ALLOWED) - used}"


def test_the_check_finds_html_however_it_is_written(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring may name <p> tags."""\n'
        "tag, x = 'h2', 'v'\n"
        "a = f'<{tag} class=\"k\">'\n"
        "b = '<span>' + x + '</span>'\n"
        "c = x + '</div>'\n"
        "d = '<!-- note -->'\n"
        "e = '<%s>' % tag\n"
        "f = 'a < b, 1 <= 2, <=>'\n"
        "g = x + 'y'\n",
        encoding="utf-8",
    )
    assert [(line, owner) for line, owner, _ in html_strings(sample)] == [(3, "a"), (4, "b"), (5, "c"), (6, "d"), (7, "e")]
