"""The scalar fast path of yamlload resolves exactly like the full YAML 1.2 core-schema rules."""

from __future__ import annotations

import pickle

from search.content import yamlload
from search.content.yamlload import YFloat, YInt, load_yaml, resolve_plain


def _reference(text: str):  # the rules without the first-character shortcut
    if yamlload._NULL.match(text):
        return None
    if text in yamlload._BOOL:
        return yamlload._BOOL[text]
    if yamlload._INT.match(text) or yamlload._INT_OCT.match(text) or yamlload._INT_HEX.match(text):
        return int(text.replace("0o", ""), 8) if text.startswith("0o") else int(text, 0 if text.startswith("0x") else 10)
    if yamlload._FLOAT.match(text) or yamlload._FLOAT_SPECIAL.match(text):
        return "float"
    return text


def test_plain_scalars_resolve_as_by_the_full_rules() -> None:
    samples = ["", "~", "null", "Null", "NULL", "nul", "none", "true", "True", "TRUE", "tRUE", "false", "yes", "no", "on", "off"]
    samples += ["0", "012", "-3", "+4", "0o17", "0x1F", "0xZ", "1.10", ".5", "5.", "1e3", "-.inf", ".NaN", ".nan", "+.Inf", "1:30"]
    samples += ["Restart the laptop", "node-1", "P1", "a", "Zebra", "ünïcode", " x", "é", "_x", "#x", "@x", "9 lives", "v1.0"]
    for sample in samples:
        got, want = resolve_plain(sample), _reference(sample)
        if want == "float":
            assert isinstance(got, YFloat) and got.raw == sample, sample
        elif isinstance(want, int) and not isinstance(want, bool):
            assert isinstance(got, YInt) and got == want and got.raw == sample, sample
        else:
            assert got == want and type(got) is type(want), sample


def test_loader_reports_events_in_order() -> None:
    doc = load_yaml("a: 1\nb:\n  - x\n  - 'y'\n  - |\n    z\nc: {d: ~}\n")
    assert doc.data == {"a": 1, "b": ["x", "y", "z\n"], "c": {"d": None}}
    assert doc.positions[("b", 1)] == (4, 5) and doc.text_positions[("b", 1)] == (4, 6)
    assert doc.text_positions[("b", 2)] == (6, 5)
    assert doc.key_positions[("c", "d")] == (7, 5)


def test_positions_are_built_on_first_use_from_the_text() -> None:
    """Positions cost several times the text, so a document keeps the text and builds them when
    asked (decision record 0039); a pickled document (the check cache) rebuilds the same ones."""
    doc = load_yaml("a: 1\nb:\n  - x\n  - 'y'\nc:\n  true: z\n", line_offset=1)
    assert doc.has(("b", 1)) and not doc.has(("b", 2)) and not doc.has(("a", "x")) and doc.has(("c", True))
    assert doc._tables is None  # data checks and loading ask no position
    doc.rename_key(("c", True), "true")  # as an answer label loaded as a boolean is renamed
    copy = pickle.loads(pickle.dumps(doc))
    assert doc.pos(("b", 1)) == (5, 5) and doc.text_pos(("b", 1)) == (5, 6) and doc.key_pos(("c", "true")) == (7, 3)
    assert (copy.positions, copy.key_positions, copy.text_positions) == (doc.positions, doc.key_positions, doc.text_positions)
    assert ("c", True) not in copy.positions and copy.pos(("c", "true")) == (7, 9)
