"""The scalar fast path of yamlload resolves exactly like the full YAML 1.2 core-schema rules."""

from __future__ import annotations

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
