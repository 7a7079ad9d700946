"""Triage: accuracy, abstention and calibration on the labelled sets, and the ``kb triage`` command."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from search.content.repository import Checked, load_repository
from search.content.triage import MAX_TICKET_CHARS, Triage, tokens
from search.index import build_generation, open_current
from search.index.triage import MODEL, PROFILE_SMOOTHING, Profiles, triage

ROOT = Path(__file__).resolve().parents[2]
KB = Path(sys.executable).parent / "kb"  # the console script of the interpreter running the tests
CORPUS = ROOT.parent / "shared" / "corpus" / "microsoft-support-articles.tar.gz"
# floors a little below the figures bench/triage_eval.py measures (README "How triage decides")
WRITTEN_TOP1, WRITTEN_TOP3 = 0.82, 0.945  # every written ticket (measured 84.3%, 96.5%)
HELD_OUT_TOP1, HELD_OUT_TOP3 = 0.80, 0.95  # the test half, which the model never saw (measured 82.7%, 96.0%; issue 14's targets)
CORPUS_TOP3 = 0.60  # on the shipped content alone (measured 62.6%)
NOISE_ABSTENTION = 0.96  # every noise text (measured 98.2%)
HELD_OUT_NOISE_ABSTENTION = 0.95  # the test half (measured 96.5%; issue 14's target)
CALIBRATION_ERROR = 0.08


def _bench(name: str):
    sys.path.insert(0, str(ROOT / "bench"))  # the eval script imports its sibling modules
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _bench("triage_eval")
SetResult = bench.SetResult


@pytest.fixture(scope="module")
def keywords(shipped_repo) -> Triage:
    return Triage(shipped_repo)


@pytest.fixture(scope="module")
def gen(shipped_repo, tmp_path_factory):
    """A real index generation of the shipped content on disk, as the service opens it."""
    target = tmp_path_factory.mktemp("triage-index")
    build_generation(Checked.unverified(shipped_repo), target)
    generation = open_current(target)
    yield generation
    generation.close()


@pytest.fixture(scope="module")
def tickets() -> list[dict]:
    return bench.load_tickets()


def run_kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(KB), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def no_traceback(result: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in result.stdout + result.stderr


# --- the labelled sets ---------------------------------------------------------------------


def test_ticket_set_covers_every_category_in_both_halves(shipped_repo, gen, tickets) -> None:
    ids = [c.id for c in shipped_repo.taxonomy.categories]
    assert len(tickets) >= 200
    assert {t["category"] for t in tickets} <= set(ids), {t["category"] for t in tickets} - set(ids)
    for category in ids:
        for split in ("dev", "test"):
            assert sum(t["category"] == category and t["split"] == split for t in tickets) >= 2, f"fewer than 2 {split} tickets for {category}"
    for ticket in tickets:
        assert ticket["subject"].strip() and ticket["description"].strip()
    kinds = {c: entry.category.kind for c, entry in gen.catalog.categories.items()}
    assert sum(kinds[t["category"]] == "request" for t in tickets) >= 40  # requests as well as incidents
    sizes = [len(t["subject"]) + len(t["description"]) for t in tickets]
    assert sum(n < 80 for n in sizes) >= 5 and sum(n > 400 for n in sizes) >= 15  # terse and long


def test_accuracy_on_the_written_tickets(gen, tickets) -> None:
    result = bench.evaluate(gen, tickets)
    held_out = SetResult([o for o in result.outcomes if o.ticket["split"] == "test"])
    for name, part, top1, top3 in (("all", result, WRITTEN_TOP1, WRITTEN_TOP3), ("test half", held_out, HELD_OUT_TOP1, HELD_OUT_TOP3)):
        misses = "\n".join(f"{o.expected}: {o.ticket['subject']!r} -> {o.ranked}" for o in part.outcomes if not o.top1)
        assert part.rate("top3") >= top3, f"{name}: top-3 {part.rate('top3'):.1%} < {top3:.1%}\n{misses}"
        assert part.rate("top1") >= top1, f"{name}: top-1 {part.rate('top1'):.1%} < {top1:.1%}\n{misses}"


def test_the_combination_beats_keywords_alone_on_the_test_half(gen, tickets) -> None:
    held_out = [t for t in tickets if t["split"] == "test"]
    combined, alone = bench.evaluate(gen, held_out), bench.evaluate_keywords(gen, held_out)
    assert combined.rate("top3") > alone.rate("top3")
    assert combined.rate("top1") >= alone.rate("top1")


def test_noise_gets_no_confident_match(gen) -> None:
    noise = bench.load_noise()
    assert len(noise) >= 150  # enough for a 95% floor to mean more than one text
    result = bench.evaluate(gen, noise)
    answered = [(o.ticket["subject"], o.ranked[0], o.confidence) for o in result.outcomes if o.confident]
    assert result.abstained >= NOISE_ABSTENTION, answered
    held_out = SetResult([o for o in result.outcomes if o.ticket["split"] == "test"])  # noise the threshold was not set on
    assert held_out.abstained >= HELD_OUT_NOISE_ABSTENTION, answered


def test_confidence_is_calibrated_on_the_test_half(gen, tickets) -> None:
    """Fitted on the dev half only: on the test half, confidence tracks the share of right answers."""
    result = bench.evaluate(gen, [t for t in tickets if t["split"] == "test"])
    assert result.expected_calibration_error <= CALIBRATION_ERROR, result.calibration()
    confident = [o for o in result.outcomes if o.confident]
    unsure = [o for o in result.outcomes if not o.confident]
    assert sum(o.top1 for o in confident) / len(confident) > sum(o.top1 for o in unsure) / max(len(unsure), 1)


def test_the_model_is_what_the_fit_script_makes(gen) -> None:
    fitted = _bench("triage_fit").fit(gen)
    assert fitted.rank == pytest.approx(MODEL.rank, abs=2e-3)
    assert fitted.confidence == pytest.approx(MODEL.confidence, abs=2e-3)
    assert fitted.threshold == pytest.approx(MODEL.threshold, abs=2e-3)


@pytest.mark.skipif(not CORPUS.is_file(), reason=f"shared corpus not present at {CORPUS} (plain clone without ../shared)")
def test_accuracy_on_the_corpus_set(gen) -> None:
    tickets = _bench("triage_corpus_set").build(CORPUS)
    assert len(tickets) >= 300
    bench.check_held_apart(gen, tickets)
    result = bench.evaluate(gen, tickets)
    assert result.rate("top3") >= CORPUS_TOP3, f"top-3 {result.rate('top3'):.1%}"


def test_bench_script_prints_the_figures() -> None:
    result = subprocess.run(
        [sys.executable, "bench/triage_eval.py", "--set", "written", "--set", "noise"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    for line in ("top-1 accuracy:", "top-3 accuracy:", "abstention", "per category", "confusions", "calibration"):
        assert line in result.stdout, line


# --- the combined triage -------------------------------------------------------------------


def test_guides_come_with_the_categories(gen) -> None:
    answer = triage(gen, "Outlook keeps asking for my password\nthe prompt comes back every few minutes")
    assert answer.confident and answer.categories[0].category == "email"
    assert answer.guides[0].id == "outlook-password-prompts"
    assert "outlook-password-prompts" in answer.categories[0].evidence


def test_a_match_through_corrections_alone_is_never_confident(gen) -> None:
    spelt = triage(gen, "printer paper jam toner")
    misspelt = triage(gen, "printr papr jamm tonr")
    assert spelt.confident and spelt.categories[0].category == "printing"
    assert misspelt.categories and misspelt.categories[0].category == "printing"  # still ranked, as a possibility
    assert not misspelt.confident and misspelt.confidence < spelt.confidence


def test_unrelated_text_gives_nothing_to_go_on(gen) -> None:
    answer = triage(gen, "zqxv wkrp bnnm")
    assert answer.categories == [] and answer.guides == [] and answer.confidence == 0 and not answer.confident


def test_category_profiles_hear_every_document_of_a_category(gen) -> None:
    """The profile of a category counts all its documents: a term found mostly in telephony's
    guides and articles lifts telephony, and the sparse sum equals the term-by-term definition."""
    profiles = Profiles(gen)
    weights = {"voicemail": 1.0, "handset": 1.0, "restart": 0.6, "zqxvwk": 1.0}
    scores, support, _ = profiles.score(weights)
    assert max(scores, key=scores.__getitem__) == "telephony"
    assert support["telephony"] >= 1 and sum(support.values()) < len(scores)
    a = PROFILE_SMOOTHING
    for category, size in profiles.sizes.items():
        expected = 0.0
        for term, weight in weights.items():
            df, per = profiles.counts(term)
            if df:
                background = df / profiles.total
                expected += weight * math.log((per.get(category, 0) + a * background) / (size + a) / background)
        assert scores[category] == pytest.approx(expected), category


def test_unknown_words_do_not_grow_the_profile_cache(gen) -> None:
    profiles = Profiles(gen)
    profiles.score({f"zq{n}xv": 1.0 for n in range(5_000)})
    assert len(profiles._terms) == 0


def test_huge_ticket_is_cut_not_slow(gen) -> None:
    answer = triage(gen, "vpn tunnel drops " + "lorem ipsum dolor " * 50_000)
    assert answer.categories[0].category == "network/vpn"


# --- Triage.suggest ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category", "typo"),
    [
        ("forgot my pasword after the holidays", "accounts", "pasword"),
        ("the printr on floor 2 is jammed", "printing", "printr"),
        ("I have no idea what my passwrod is", "accounts", "passwrod"),
    ],
)
def test_typos_still_match(keywords: Triage, text: str, category: str, typo: str) -> None:
    suggestions = keywords.suggest(text, 3)
    assert suggestions and suggestions[0].category == category, suggestions
    assert any(m.startswith(f"{typo}~") for m in suggestions[0].matched), suggestions[0].matched


def test_matched_keywords_are_reported(keywords: Triage) -> None:
    top = keywords.suggest("The printer in the corridor has a paper jam and is low on toner", 3)[0]
    assert top.category == "printing"
    assert "paper jam" in top.matched and "toner" in top.matched
    assert top.score > 0
    assert top.title == "Printing and scanning"


def test_suggestions_are_ranked_and_limited(keywords: Triage) -> None:
    suggestions = keywords.suggest("vpn from home fails, also outlook and the printer and my password", 2)
    assert len(suggestions) == 2
    assert suggestions[0].score >= suggestions[1].score


def test_unrelated_text_gives_no_suggestion(keywords: Triage) -> None:
    assert keywords.suggest("zqxv wkrp bnnm", 3) == []


def test_huge_text_is_cut_not_slow(keywords: Triage) -> None:
    suggestions = keywords.suggest("vpn " + "lorem ipsum dolor " * 50_000, 3)
    assert suggestions[0].category == "network/vpn"


def test_the_corrected_part_of_a_score_is_reported(keywords: Triage) -> None:
    exact, fuzzy = keywords.suggest("printer toner", 1)[0], keywords.suggest("printr tonerr", 1)[0]
    assert exact.fuzzy == 0 and fuzzy.fuzzy == fuzzy.score > 0


def test_a_word_of_a_keyword_phrase_alone_is_weak_evidence(keywords: Triage) -> None:
    """ "blue screen" is an os keyword; "blue" alone (running shoes, a blue car) is content-weight
    evidence only, not two thirds of a keyword."""
    assert keywords.vocab["blue screen"]["os"] == "keyword"
    assert keywords.vocab["blue"]["os"] == "content"
    phrase, word = keywords.suggest("blue screen", 1)[0], keywords.suggest("blue", 1)[0]
    assert phrase.category == "os" and "blue screen" in phrase.matched
    assert word.score * 3 <= phrase.score


def test_tokens_join_hyphenated_words() -> None:
    assert tokens("Wi-Fi drops") == ["wi-fi", "wifi", "drops"]


# --- kb triage -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   "])
def test_cli_empty_text_is_a_usage_error(text: str) -> None:
    result = run_kb("triage", text, "--root", str(ROOT))
    assert result.returncode == 2
    assert "empty" in result.stderr
    assert no_traceback(result)


def test_cli_missing_text_is_a_usage_error() -> None:
    result = run_kb("triage", "--root", str(ROOT))
    assert result.returncode == 2
    assert no_traceback(result)


def test_cli_huge_text_is_a_usage_error() -> None:
    result = run_kb("triage", "printer " * (MAX_TICKET_CHARS // 8 + 10), "--root", str(ROOT))
    assert result.returncode == 2
    assert f"{MAX_TICKET_CHARS:,}" in result.stderr
    assert no_traceback(result)


def test_cli_human_output() -> None:
    result = run_kb("triage", "Cannot", "connect", "to", "VPN", "from", "the", "hotel", "--root", str(ROOT))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. network/vpn (VPN and remote access)  score ")
    assert "matched: " in lines[0] and "vpn" in lines[0]
    assert any(line.startswith("Confidence: ") for line in lines)
    guides = lines.index("Guides to try:")
    assert lines[guides + 1].startswith("  vpn-") and lines[guides + 1].endswith("[network/vpn]")
    assert "Priority:" not in result.stdout


def test_cli_priority_from_the_matrix(shipped_repo) -> None:
    matrix = shipped_repo.priorities.matrix
    cases = [(impact, urgency) for impact in matrix for urgency in matrix[impact]]
    # a few through the real executable; the whole matrix through the same code path in-process
    for impact, urgency in [cases[0], cases[len(cases) // 2], cases[-1]]:
        result = run_kb("triage", "printer offline", "--impact", impact, "--urgency", urgency, "--root", str(ROOT))
        assert result.returncode == 0, result.stderr
        pid = matrix[impact][urgency]
        level = shipped_repo.priorities.levels[pid]
        assert (
            result.stdout.rstrip("\n").splitlines()[-1]
            == f"Priority: {pid} {level.name} (Zendesk: {level.zendesk}; first response {level.first_response}, resolution {level.resolution})"
        )
    from click.testing import CliRunner

    from search.cli import main

    runner = CliRunner()
    for impact, urgency in cases:
        result = runner.invoke(main, ["triage", "printer offline", "--impact", impact, "--urgency", urgency, "--format", "json", "--root", str(ROOT)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["priority"]["id"] == matrix[impact][urgency]


def test_cli_bad_impact_lists_the_allowed_values(shipped_repo) -> None:
    urgency = next(iter(shipped_repo.priorities.urgency))
    result = run_kb("triage", "printer offline", "--impact", "catastrophic", "--urgency", urgency, "--root", str(ROOT))
    assert result.returncode == 2
    assert '"catastrophic"' in result.stderr
    for impact in shipped_repo.priorities.impact:
        assert impact in result.stderr
    assert no_traceback(result)


def test_cli_bad_urgency_lists_the_allowed_values(shipped_repo) -> None:
    impact = next(iter(shipped_repo.priorities.impact))
    result = run_kb("triage", "printer offline", "--impact", impact, "--urgency", "yesterday", "--root", str(ROOT))
    assert result.returncode == 2
    for urgency in shipped_repo.priorities.urgency:
        assert urgency in result.stderr
    assert no_traceback(result)


def test_cli_impact_without_urgency_is_a_usage_error(shipped_repo) -> None:
    result = run_kb("triage", "printer offline", "--impact", next(iter(shipped_repo.priorities.impact)), "--root", str(ROOT))
    assert result.returncode == 2
    assert "both" in result.stderr
    assert no_traceback(result)


def test_cli_json_shape(shipped_repo) -> None:
    impact, urgency = "minor", "high"
    if impact not in shipped_repo.priorities.matrix or urgency not in shipped_repo.priorities.matrix[impact]:
        impact = next(iter(shipped_repo.priorities.matrix))
        urgency = next(iter(shipped_repo.priorities.matrix[impact]))
    result = run_kb(
        "triage", "outlook keeps asking for my password", "--impact", impact, "--urgency", urgency, "--limit", "2", "--format", "json", "--root", str(ROOT)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"categories", "guides", "confidence", "confident", "priority", "generation"}  # POST /api/triage's answer
    assert data["priority"]["id"] == shipped_repo.priorities.matrix[impact][urgency]
    assert 1 <= len(data["categories"]) <= 2 and 1 <= len(data["guides"]) <= 2
    assert data["confident"] is True and 0 < data["confidence"] <= 1
    ids = {c.id for c in shipped_repo.taxonomy.categories}
    for item in data["categories"]:
        assert set(item) == {"category", "title", "kind", "score", "matched", "evidence", "url"}
        assert item["category"] in ids
        assert isinstance(item["title"], str) and isinstance(item["score"], (int, float)) and 0 < item["score"] <= 1
        assert isinstance(item["matched"], list) and all(isinstance(m, str) for m in item["matched"])
    assert [c["score"] for c in data["categories"]] == sorted((c["score"] for c in data["categories"]), reverse=True)
    assert data["guides"][0]["id"] in {g.meta.id for g in shipped_repo.guides}
    no_priority = json.loads(run_kb("triage", "printer", "--format", "json", "--root", str(ROOT)).stdout)
    assert no_priority["priority"] is None


def test_cli_says_when_no_match_is_confident() -> None:
    result = run_kb("triage", "window", "curtain", "cushion", "carpet", "lamp", "--root", str(ROOT))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No confident match (confidence ")
    assert "Confidence:" not in result.stdout


def test_cli_reads_the_built_index_only_when_it_holds_this_content(shipped_repo, tmp_path: Path) -> None:
    from search.checks import checked
    from search.cli import _generation_for
    from support.sample import write_sample

    index_dir = tmp_path / "ix"
    assert run_kb("index", "--root", str(ROOT), "--index-dir", str(index_dir)).returncode == 0
    with _generation_for(checked(shipped_repo), index_dir) as gen:
        assert gen.path.parent == index_dir  # the built generation, no build of its own
    other = load_repository(write_sample(tmp_path / "other"))
    with _generation_for(checked(other), index_dir) as gen:
        assert gen.path.parent != index_dir and gen.content_version == other.content_version  # stale for this content: built for the run
    result = run_kb("triage", "vpn will not connect from the hotel", "--root", str(ROOT), "--index-dir", str(index_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["categories"][0]["category"] == "network/vpn"


def test_cli_no_match_suggests_the_categories_command() -> None:
    result = run_kb("triage", "zqxv wkrp bnnm", "--root", str(ROOT))
    assert result.returncode == 0
    assert "No category matches" in result.stdout


@pytest.mark.parametrize("limit", ["0", "21", "many"])
def test_cli_bad_limit(limit: str) -> None:
    result = run_kb("triage", "printer", "--limit", limit, "--root", str(ROOT))
    assert result.returncode == 2
    assert no_traceback(result)


def test_cli_asks_the_two_priority_questions_on_a_terminal(shipped_repo) -> None:
    import pexpect

    impacts, urgencies = list(shipped_repo.priorities.impact), list(shipped_repo.priorities.urgency)
    child = pexpect.spawn(str(KB), ["triage", "Outlook will not send mail", "--root", str(ROOT)], encoding="utf-8", timeout=30, dimensions=(40, 200))
    child.expect("impact")
    child.expect("Choose a number")
    child.sendline("9")  # not offered: asked again
    child.expect("Choose a number")
    child.sendline(str(impacts.index(impacts[1]) + 1))
    child.expect("urgency")
    child.expect("Choose a number")
    child.sendline("1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    output = child.before.replace("\r\n", "\n")
    assert f"Priority: {shipped_repo.priorities.matrix[impacts[1]][urgencies[0]]} " in output
    assert "1. email (" in output


def test_categories_command_lists_the_taxonomy(shipped_repo) -> None:
    result = run_kb("categories", "--root", str(ROOT))
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [c.id for c in shipped_repo.taxonomy.categories]
