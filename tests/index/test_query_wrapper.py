"""Every user query goes through our parser: hostile input ends in a clean QueryError, fast."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.index import Generation, QueryError
from search.index.engine.query import MAX_DEPTH, MAX_WORDS, And, Filter, Not, Or, Phrase, Prefix, Word, parse_query
from support.cost import at_most_cpu

HOSTILE = [
    "a" * 100_000,
    "vpn " * 30_000,
    "*",
    "**",
    "*vpn",
    "vp*n",
    "ab*",
    "(" * 10_000 + "vpn" + ")" * 10_000,
    "(" * (MAX_DEPTH + 1) + "vpn" + ")" * (MAX_DEPTH + 1),
    "(vpn",
    "vpn)",
    "vpn))((",
    '"vpn client',
    "AND",
    "OR",
    "NOT",
    "vpn AND",
    "AND vpn",
    "vpn OR",
    "OR vpn",
    "vpn AND OR printer",
    "vpn NOT",
    "-vpn",
    "NOT vpn",
    "()",
    "vpn ()",
    "title:",
    "title: vpn",
    "type:movie",
    "category:",
    "vpn OR NOT printer",
    " ".join(["w"] * (MAX_WORDS + 1)),
    "the",
    "to be or",
    "?!",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]) + f"[{len(t)}]")
def test_hostile_queries_are_clean_errors(generation: Generation, text: str) -> None:
    with at_most_cpu(0.5), pytest.raises(QueryError) as caught:
        generation.search(text)
    assert caught.value.message
    assert "Traceback" not in caught.value.message


def test_length_cap_is_checked_first() -> None:
    with at_most_cpu(0.05), pytest.raises(QueryError, match="100,000 characters"):
        parse_query("(" * 100_000)


def test_error_positions() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("vpn AND (printer")
    assert caught.value.position == 8
    with pytest.raises(QueryError) as caught:
        parse_query('printer "jam')
    assert caught.value.position == 8


def test_syntax() -> None:
    assert parse_query("vpn client") == And([Word("vpn", 0), Word("client", 4)])
    assert parse_query("vpn AND client").explicit
    assert parse_query("vpn OR wifi") == Or([Word("vpn", 0), Word("wifi", 7)])
    assert parse_query("vpn -cisco") == And([Word("vpn", 0), Not(Word("cisco", 5), 4)])
    assert parse_query('"blue screen"') == Phrase("blue screen", 0)
    assert parse_query("print*") == Prefix("print", 0)
    assert parse_query("title:vpn") == Word("vpn", 6, "title")
    assert parse_query("tag:vpn") == Word("vpn", 4, "tags")
    assert parse_query("category:Network/VPN") == Filter("category", "network/vpn", 9)
    assert parse_query("type:guide") == Filter("type", "guide", 5)
    assert parse_query("wi-fi") == Word("wi-fi", 0)
    assert parse_query("why?") == Word("why?", 0)


def test_field_allow_list_other_prefixes_are_text() -> None:
    # only allow-listed fields are fields; "owner:", "id:" or an error code's "Error:" are words
    assert parse_query("owner:network") == Word("owner:network", 0)
    assert parse_query("id:vpn-reinstall") == Word("id:vpn-reinstall", 0)
    assert parse_query("Error: 0x80070005") == And([Word("Error:", 0), Word("0x80070005", 7)])


def test_internal_fields_cannot_be_searched(generation: Generation) -> None:
    # "cat_path" and "id" are index fields, but not searchable by name
    assert generation.search("id:vpn-reinstall").total == generation.search('"id vpn-reinstall"').total == 0
    result = generation.search("cat_path:network")
    assert all(h.id != "printer-offline" for h in result.hits)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('ab vpn()"*:-+?!ANDORNOT\\~^[]{}/\u2028é')), max_size=60))
def test_fuzzed_queries_never_crash(generation: Generation, text: str) -> None:
    try:
        result = generation.search(text)
    except QueryError:
        return
    assert result.total >= len(result.hits)
