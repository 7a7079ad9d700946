"""Trees as numbered steps, and the per-category diagnosis data precomputed at index time."""

from __future__ import annotations

from search.content.models import Tree
from search.index import Generation
from search.workflow.steps import linearise, step_numbers, steps_text


def tree(nodes: dict, start: str | None = None) -> Tree:
    return Tree.model_validate({"start": start, "nodes": nodes} if start else {"nodes": nodes})


VPN = tree(
    {
        "online": {"type": "question", "text": "Can the user browse the web?", "answers": {"yes": "restart", "no": "fix-net"}},
        "restart": {"type": "action", "text": "Restart the client.", "next": "works"},
        "works": {"type": "question", "text": "Does it connect?", "answers": {"yes": "done", "no": "escalate"}},
        "done": {"type": "resolution", "text": "Fixed by a restart.", "follow_up": ["Internal site opens"], "user_note": "Restart first next time."},
        "escalate": {"type": "escalation", "step": "network-l2", "text": "Still failing.", "handoff": ["Client log"]},
        "fix-net": {"type": "link", "guide": "no-internet", "text": "Fix the internet first."},
    }
)


def test_numbering_follows_first_answer_depth_first() -> None:
    assert step_numbers(VPN) == {"online": 1, "restart": 2, "works": 3, "done": 4, "escalate": 5, "fix-net": 6}


def test_step_sentences() -> None:
    text = steps_text(linearise(VPN, {"network-l2": "Network Operations"}))
    assert text.splitlines() == [
        "1. Ask: Can the user browse the web? If yes go to step 2; if no go to step 6.",
        "2. Do: Restart the client. Then go to step 3.",
        "3. Ask: Does it connect? If yes go to step 4; if no go to step 5.",
        "4. Resolved: Fixed by a restart. Before closing: Internal site opens. Tell the user: Restart first next time.",
        "5. Escalate to Network Operations (network-l2): Still failing. Hand over: Client log.",
        '6. Continue with guide "no-internet": Fix the internet first.',
    ]


def test_an_actions_own_targets_for_didnt_help_and_couldnt_do_are_sentences_too() -> None:
    routed = tree(
        {
            "restart": {"type": "action", "text": "Restart the client.", "next": "works", "if_failed": "escalate", "if_blocked": "works"},
            "works": {"type": "question", "text": "Does it connect?", "answers": {"yes": "done", "no": "escalate"}, "unsure": "escalate"},
            "done": {"type": "resolution", "text": "Fixed."},
            "escalate": {"type": "escalation", "step": "network-l2", "text": "Still failing."},
        }
    )
    lines = steps_text(linearise(routed)).splitlines()
    assert lines[0] == "1. Do: Restart the client. Then go to step 2. If it did not help, go to step 4."  # blocked goes to next anyway
    assert lines[1] == "2. Ask: Does it connect? If yes go to step 3; if no go to step 4; if Not sure go to step 4."


def test_structured_steps() -> None:
    steps = linearise(VPN)
    first = steps[0]
    assert first.kind == "question"
    assert [(b.label, b.node, b.goto) for b in first.branches] == [("yes", "restart", 2), ("no", "fix-net", 6)]
    assert steps[4].escalation_step == "network-l2" and steps[4].handoff == ("Client log",)
    assert steps[5].guide == "no-internet"


def test_shared_nodes_cycles_and_unreachable_nodes_appear_once() -> None:
    t = tree(
        {
            "a": {"type": "question", "text": "A?", "answers": {"yes": "b", "no": "c"}},
            "b": {"type": "question", "text": "B?", "answers": {"again": "a", "on": "c"}},
            "c": {"type": "resolution", "text": "C."},
            "orphan": {"type": "resolution", "text": "Never reached."},
        }
    )
    steps = linearise(t)
    assert [s.node for s in steps] == ["a", "b", "c", "orphan"]
    assert steps[1].line == "2. Ask: B? If again go to step 1; if on go to step 3."


def test_unknown_targets_are_named_not_fatal() -> None:
    t = tree({"a": {"type": "question", "text": "A?", "answers": {"yes": "missing", "no": "b"}}, "b": {"type": "resolution", "text": "B."}})
    assert linearise(t)[0].line == '1. Ask: A? If yes go to unknown node "missing"; if no go to step 2.'


def test_catalog_per_category(generation: Generation) -> None:
    cat = generation.catalog.categories
    vpn = cat["network/vpn"]
    assert [p.id for p in vpn.parents] == ["network"]
    assert vpn.guides == ["vpn-no-connect"] and vpn.guides_from == "network/vpn"
    assert vpn.articles[0] == "vpn-reinstall"
    p1 = vpn.escalation["P1"]
    assert [s.id for s in p1] == ["service-desk", "network-l2", "duty-manager"]
    assert (p1[1].trigger_kind, p1[1].escalate_after_minutes) == ("sla_share", 120)  # half of the 4h P1 resolution target
    assert (p1[2].trigger_kind, p1[2].escalate_after_minutes) == ("immediate", 0)  # the sample's duty manager: every P1 at once
    assert [s.id for s in vpn.escalation["P3"]] == ["service-desk", "network-l2"]

    mfa = cat["accounts/mfa"]
    assert mfa.guides_from == "accounts" and mfa.guides == ["password-reset"]
    assert "mfa-new-phone" in mfa.articles

    assert cat["network"].guides == ["vpn-no-connect"]
    guide = generation.catalog.guides["vpn-no-connect"]
    assert [(g.id, g.text) for g in guide.gather] == [
        ("the-user-s-location-and-network", "The user's location and network"),
        ("the-exact-error-message", "The exact error message"),
    ]
    assert guide.steps[0].line.startswith("1. Ask: Can the user open a public website?")
    assert guide.tree["start"] == "internet-works"
    assert guide.url == "/guides/vpn-no-connect/"
    assert generation.catalog.articles["vpn-reinstall"].url == "/articles/vpn-reinstall/"
    level = generation.catalog.priorities["P3"]
    assert level is not None and level.resolution_minutes == 3 * 1440


def test_category_suggestions_rank_the_closest_first() -> None:
    from search.content.taxonomy import suggest_categories

    ids = ["accounts", "accounts/mfa", "network", "network/vpn", "network/wifi", "printing", "security/phishing"]
    tags = {"vpn": "network/vpn", "remote-access": "network/vpn", "wifi": "network/wifi"}
    assert suggest_categories("vpnn", ids, tags)[0] == "network/vpn"
    assert suggest_categories("netwrk/wifi", ids, tags)[0] == "network/wifi"
    assert suggest_categories("phising", ids, tags)[0] == "security/phishing"
    assert suggest_categories("remote-acess", ids, tags) == ["network/vpn"]
    assert suggest_categories("zzzz", ids, tags) == []
