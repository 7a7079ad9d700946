"""Property tests: hostile input of any shape gives problems or 4xx, never an exception, in bounded time.

- the YAML loader and content loading: any text -> a Document or a YamlProblem; a repository
  whose files hold any text -> problems (``kb check`` output), never an exception;
- the query wrapper: any text -> a result or a QueryError, fast;
- the triage text path: any ticket text -> suggestions, fast, whatever its words;
- the walk API: any answers / gathered / ticket JSON -> 2xx or 4xx problem+json, never 5xx.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from search.api import Settings, create_app
from search.checks import checked, run_checks
from search.content.repository import load_repository
from search.content.triage import Triage
from search.content.yamlload import YamlProblem, load_yaml
from search.index import Generation, QueryError, build_generation, open_current
from support.cost import at_most_cpu
from support.sample import write_sample

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
PROBLEM = "application/problem+json"

YAML_BITS = [
    "a",
    ": ",
    "- ",
    "\n",
    "  ",
    "\t",
    "true",
    "1",
    "1.0",
    "~",
    "null",
    "yes",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "&x ",
    "*x",
    "!tag ",
    "!!python/object ",
    "|",
    ">",
    "---\n",
    "...\n",
    "? ",
    "%YAML 1.2\n",
    "\x00",
    "\x1b",
    "\u202e",
    "\ufeff",
    "é",
    "0o17",
    "1:30",
    "<script>",
]
yamlish = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(YAML_BITS), max_size=80).map("".join))
WORDS = ["vpn", "password", "printer", "pasword", "outlook", "wifi", "wi-fi", "the", "lorem", "zzzz", "é", "密码", "\u202e", "a" * 40]
ticket_text = st.one_of(
    st.text(max_size=2_000),
    st.tuples(st.lists(st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=30)), max_size=200), st.integers(1, 100)).map(
        lambda t: " ".join(t[0] * t[1])
    ),
)


@given(yamlish)
def test_yaml_loader_gives_a_document_or_a_problem(text: str) -> None:
    try:
        load_yaml(text)
    except YamlProblem as problem:
        assert problem.line >= 1 and problem.col >= 1 and problem.rule and problem.message


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="kb-prop-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


TARGETS = ["guides/vpn-no-connect.yml", "guides/categories.yml", "kb/articles/vpn-reinstall.md"]


@given(st.sampled_from(TARGETS), yamlish, st.booleans())
def test_content_of_any_text_loads_to_problems_never_an_exception(scratch: Path, target: str, text: str, front_matter: bool) -> None:
    root = scratch / "repo"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(MINIMAL, root)
    if target.endswith(".md") and front_matter:
        text = f"---\n{text}\n---\nbody\n"
    (root / target).write_text(text, encoding="utf-8", errors="surrogatepass")
    repo = load_repository(root)
    for problem in run_checks(repo):
        assert problem.line >= 1 and problem.col >= 1 and problem.rule


@pytest.fixture(scope="module")
def generation() -> Iterator[Generation]:
    root = write_sample(Path(tempfile.mkdtemp(prefix="kb-prop-index-")))
    build_generation(checked(load_repository(root)), root / ".kb-index")
    gen = open_current(root / ".kb-index")
    yield gen
    gen.close()
    shutil.rmtree(root, ignore_errors=True)


@given(
    st.one_of(
        st.text(max_size=600),
        st.lists(st.sampled_from(["vpn", "pasword", '"', "(", ")", "*", "AND", "OR", "NOT", "-", "title:", "zzzzzzzzzzzzzzzzzzzzzz", " "]), max_size=120).map(
            " ".join
        ),
    )
)
def test_query_wrapper_gives_a_result_or_a_query_error_fast(generation: Generation, text: str) -> None:
    with at_most_cpu(1.0):
        try:
            result = generation.search(text)
        except QueryError as error:
            assert error.message
        else:
            assert result.total >= len(result.hits)


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage(load_repository(ROOT))


@given(ticket_text)
def test_triage_text_path_is_bounded(triage: Triage, text: str) -> None:
    with at_most_cpu(0.5):
        suggestions = triage.suggest(text, 3)
    assert len(suggestions) <= 3 and all(s.score > 0 for s in suggestions)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    index_dir = Path(tempfile.mkdtemp(prefix="kb-prop-walk-"))
    build_generation(checked(load_repository(ROOT)), index_dir)
    settings = Settings(root=ROOT, index_dir=index_dir, site_dir=Path("/nonexistent"), rate_limit_per_minute=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client
    shutil.rmtree(index_dir, ignore_errors=True)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
labels = st.one_of(st.sampled_from(["yes", "no", "done", "true", "1", "", " ", "Yes", "Yes, it connects", "No"]), st.text(max_size=40))
walk_body = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {},
        optional={
            "answers": st.one_of(st.lists(labels, max_size=30), json_value),
            "gathered": st.one_of(st.lists(st.text(max_size=200), max_size=20), json_value),
            "ticket": st.one_of(st.dictionaries(st.sampled_from(["ticket_id", "requester", "technician", "subject", "x"]), json_value, max_size=5), json_value),
            "priority": st.one_of(st.sampled_from(["P1", "p2", "urgent", "P9"]), json_value),
            "revision": st.one_of(st.text(max_size=120), json_value),
        },
    ),
)


GUIDES = sorted(p.stem for p in (ROOT / "guides").glob("*.md"))[:6]


def test_the_walk_fixture_serves_real_guides(client: TestClient) -> None:
    assert len(GUIDES) >= 3
    assert all(client.post(f"/api/guides/{guide}/walk", json={}).status_code == 200 for guide in GUIDES)


@given(st.sampled_from([*GUIDES, "nope", "%2e%2e", "a" * 300]), walk_body)
def test_walk_api_answers_2xx_or_4xx_never_5xx(client: TestClient, guide: str, body: object) -> None:
    response = client.post(f"/api/guides/{guide}/walk", json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM
