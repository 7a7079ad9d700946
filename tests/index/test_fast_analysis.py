"""The segment writer's analysis (``term_positions`` fed to ``PreAnalysedText``) gives Whoosh
exactly what ``StemmingAnalyzer`` and a stock ``TEXT`` field give it (decision record 0050):
the same terms, positions, frequencies, weights and encoded position bytes, over every Markdown
file the repository ships (and a sample of the shared corpus where it is present), odd inputs and
generated text; the schema a Whoosh index stores names Whoosh's classes only; and a build whose
analysis would differ fails before anything is served."""

from __future__ import annotations

import json
import pickle
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec import default_codec
from whoosh.fields import TEXT, Schema

from search.checks import checked
from search.content.repository import load_repository
from search.index import BuildError, build_generation
from search.index.engine import segments, whoosh_adapter
from search.index.engine.schema import TEXT_FIELDS, analyzer, build_schema, term_positions, whoosh_term_positions
from search.index.engine.text import markdown_to_text
from support import ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"
CORPUS_SAMPLE = 150

ODD = [
    "",
    "   \n\t ",
    "the a an of to is it",  # stop words only
    "a b c d e f g x y z",  # one-letter words only
    "The printer is not printing; the printers, PRINTED and Printing",
    "the of a printer the driver",  # the first kept word keeps its token number
    "Version 1.2.3 of v2.0. and 10.0.19045.3693 ... 3.14.15.",
    "www.example.com e.g. i.e. a.b.c. .leading trailing.",
    "snake_case __dunder__ _x_ a_b_c mixed_Case_42",
    "İstanbul ΣΑΣ ΌΣΟΣ Straße ß ǅemal ﬁle ﬀ Ωmega",  # lowercasing that changes length or case folds
    "naïve café résumé Ångström e\u0301tude combining\u0308marks",
    "日本語のテキスト 中文 한국어 العربية עברית हिन्दी",
    "emoji 😀 between🙂words and ZWJ 👩\u200d💻 tags",
    "x" * 5_000 + " " + "printer" * 700 + " done",  # very long tokens
    "\u00a0nbsp\u2009thin\u3000ideographic\u200bzero-width",
    "caps LOCK CamelCaseWord HTTPServer getHTTPResponse",
    "numbers 0 00 007 1st 2nd 3rd 4th 1,000 1e10 0x1F",
    "repeat repeat repeat repeating repeated repeats",
    "line\nbreaks\r\nand\ttabs\x00nul\x7fdel",
    "\ud7ff\ue000\uffff\U0001f600\U0010fffd",
]


def stock_field() -> TEXT:
    return TEXT(analyzer=analyzer(), phrase=True)


def assert_same(text: str) -> None:
    fast = term_positions(text)
    assert list(fast.items()) == list(whoosh_term_positions(text).items()), text[:80]
    field = build_schema()["body"]
    assert list(field.index(fast)) == list(stock_field().index(text)), text[:80]


def shipped_texts() -> list[str]:
    """Every Markdown file of the repository's content and docs, raw and as indexed plain text."""
    files = sorted(p for folder in ("kb", "guides", "docs") for p in (ROOT / folder).rglob("*.md"))
    assert len(files) > 50
    texts = [p.read_text("utf-8") for p in files]
    return texts + [markdown_to_text(t) for t in texts]


def corpus_texts() -> list[str]:
    """A sample of the shared corpus's articles as indexed text; none in a plain clone without ../shared."""
    if not CORPUS.is_file():
        return []
    with tarfile.open(CORPUS) as tar:
        manifest = tar.extractfile("microsoft-support-articles/manifest.jsonl")
        assert manifest is not None
        rows = [json.loads(line) for line in manifest.read().decode().splitlines()[:CORPUS_SAMPLE]]
        texts = []
        for row in rows:
            member = tar.extractfile(f"microsoft-support-articles/{row['path']}")
            assert member is not None
            texts.append(markdown_to_text(member.read().decode("utf-8", "replace")))
    return texts


def test_shipped_markdown_and_corpus_sample_analyse_as_whoosh_does() -> None:
    texts = shipped_texts() + corpus_texts()
    for text in texts:
        assert_same(text)
    assert sum(len(term_positions(t)) for t in texts) > 10_000  # the comparison covered real vocabulary


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
def test_odd_inputs_analyse_as_whoosh_does(text: str) -> None:
    assert_same(text)


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
    | st.lists(st.sampled_from(["the", "a", "Print", "1.2", ".", " ", "é", "İ", "ς", "_", "x"])).map("".join)
)
def test_generated_text_analyses_as_whoosh_does(text: str) -> None:
    assert_same(text)


def test_the_public_encoding_fallback_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unpinned Whoosh version encodes positions through ``Positions.encode`` (the public way)."""
    text = ODD[4] + " " + ODD[6]
    fast = list(build_schema()["body"].index(term_positions(text)))
    monkeypatch.setattr(whoosh_adapter, "INTERNALS", False)
    assert list(build_schema()["body"].index(term_positions(text))) == fast == list(stock_field().index(text))


def test_a_string_value_is_analysed_as_by_text() -> None:
    text = ODD[4]
    assert list(build_schema()["title"].index(text)) == list(stock_field().index(text))


def test_the_stored_schema_holds_whoosh_classes_only() -> None:
    schema = build_schema()
    stored = pickle.dumps(schema, 2)
    assert b"search.index" not in stored and b"PreAnalysedText" not in stored
    loaded = pickle.loads(stored)
    for name in TEXT_FIELDS:
        assert type(loaded[name]) is TEXT
        assert loaded[name] == schema[name]
        assert loaded[name].analyzer == analyzer()


def test_a_build_whose_analysis_differs_from_whoosh_fails_and_serves_nothing_new(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each segment writer compares its first documents' analysis with Whoosh's analyzer."""
    index_dir = content / ".kb-index"
    monkeypatch.setattr(segments, "term_positions", lambda text: {t: p[:1] for t, p in term_positions(text).items()})  # loses repeats
    with pytest.raises(BuildError, match="analysis differs from Whoosh's analyzer"):
        build_generation(checked(load_repository(content)), index_dir, procs=1)
    assert not (index_dir / "CURRENT").exists()


def whoosh_files(folder: Path, fast: bool, texts: list[str], codec: Any = None) -> dict[str, bytes]:
    """The files of a one-segment Whoosh index of ``texts``: written as a segment writer does
    (``fast``), or by stock Whoosh (``TEXT`` fields, strings, ``ix.writer``); named without the
    random segment id."""
    schema = build_schema()
    if not fast:
        schema = Schema(**{name: stock_field() if name in TEXT_FIELDS else field for name, field in schema.items()})
    ix = whoosh_index.create_in(str(folder), schema)
    options = {"limitmb": 256, "compound": False, "codec": codec or segments.whoosh_codec()}  # as write_segment configures Whoosh
    writer = whoosh_adapter.segment_writer(ix, **options) if fast else ix.writer(**options)
    for number, text in enumerate(texts):
        values = {"title": text[:80], "tags": "printer printers vpn", "body": text}
        writer.add_document(id=str(number), type="article", **({k: term_positions(v) for k, v in values.items()} if fast else values))
    writer.commit(optimize=True)
    segment_id = next(folder.glob("*.pst")).stem.removeprefix("MAIN_")
    return {path.name.replace(segment_id, "SEGMENT"): path.read_bytes() for path in folder.iterdir()}


@pytest.mark.parametrize("internals", [True, False], ids=["per-block", "stock-fallback"])
def test_whoosh_writes_the_same_bytes_as_from_the_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, internals: bool) -> None:
    """Postings with positions, terms and field lengths: byte for byte what stock Whoosh writes,
    whether the segment writer hands Whoosh whole blocks or (another Whoosh version) each posting;
    the table of contents differs (the segment id) but holds an equal schema of Whoosh's classes."""
    monkeypatch.setattr(whoosh_adapter, "INTERNALS", internals)
    texts = shipped_texts()[:300]
    (tmp_path / "fast").mkdir(), (tmp_path / "stock").mkdir()
    fast, stock = whoosh_files(tmp_path / "fast", True, texts), whoosh_files(tmp_path / "stock", False, texts)
    assert set(fast) == set(stock) and {"MAIN_SEGMENT.pst", "MAIN_SEGMENT.trm", "MAIN_SEGMENT._body_len.col", "_MAIN_1.toc"} <= set(fast)
    for name in set(fast) - {"_MAIN_1.toc"}:
        assert fast[name] == stock[name], name
    assert whoosh_index.open_dir(str(tmp_path / "fast")).schema == whoosh_index.open_dir(str(tmp_path / "stock")).schema


def test_stock_whoosh_reads_the_posting_blocks_as_its_default_compressed_ones(tmp_path: Path) -> None:
    """The segments' posting blocks are written at zlib level ``POSTING_COMPRESSION`` (a public
    codec option): stock Whoosh, opening the index as usual, reads every term's postings and
    positions as from blocks at its default level, and finds the same phrases."""
    texts = shipped_texts()[:200]
    assert default_codec()._compression != segments.POSTING_COMPRESSION
    (tmp_path / "ours").mkdir(), (tmp_path / "default").mkdir()
    whoosh_files(tmp_path / "ours", True, texts)
    whoosh_files(tmp_path / "default", False, texts, codec=default_codec())
    ours, default = whoosh_index.open_dir(str(tmp_path / "ours")), whoosh_index.open_dir(str(tmp_path / "default"))
    with ours.searcher() as a, default.searcher() as b:
        for field in TEXT_FIELDS:
            terms = list(b.reader().lexicon(field))
            assert list(a.reader().lexicon(field)) == terms and terms
            for term in terms:
                assert list(a.reader().postings(field, term).items_as("positions")) == list(b.reader().postings(field, term).items_as("positions"))
        found = 0
        for words in (["printer", "printers"], ["kb", "check"], ["decision", "record"], ["search", "api"]):
            query = wq.Phrase("body", words)
            assert sorted(query.docs(a)) == sorted(query.docs(b))
            found += len(sorted(query.docs(b)))
        assert found
