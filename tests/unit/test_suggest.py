"""suggest.py: did-you-mean over names, ids and enum values."""

from __future__ import annotations

from policyengine.core.suggest import did_you_mean, nearest, one_of

KEYS = ["policy", "facts", "ladder", "actions", "authority", "categories", "overrides",
        "remedies"]


def test_nearest_key():
    assert nearest("categoreis", KEYS) == "categories"
    assert nearest("remedys", KEYS) == "remedies"
    assert nearest("autority", KEYS) == "authority"


def test_case_only_difference_wins():
    assert nearest("Regional", ["regional", "regionale"]) == "regional"
    assert nearest("EMEA", ["emea", "NA"]) == "emea"


def test_nothing_close_gives_none():
    assert nearest("zzzzzz", KEYS) is None
    assert did_you_mean("zzzzzz", KEYS) is None
    assert nearest("x", []) is None


def test_exact_match_is_returned_as_is():
    assert nearest("facts", KEYS) == "facts"


def test_cutoff():
    assert nearest("regnal", ["regional"], cutoff=0.95) is None
    assert nearest("regnal", ["regional"], cutoff=0.5) == "regional"


def test_non_text_candidates_and_words_are_ignored():
    assert nearest("gold", ["gold", 3, None]) == "gold"
    assert nearest(3, ["gold"]) is None


def test_result_is_deterministic_whatever_the_order():
    a = nearest("regonal", ["regional", "regonel", "frontline"])
    b = nearest("regonal", ["frontline", "regonel", "regional"])
    assert a == b


def test_did_you_mean_wording():
    assert did_you_mean("amout", ["amount", "region"]) == "did you mean `amount`?"


def test_one_of_lists_sorted_choices():
    assert one_of(["b"]) == "`b`"
    assert one_of(["b", "a"]) == "`a` or `b`"
    assert one_of(["c", "a", "b", "a"]) == "`a`, `b` or `c`"
    assert one_of([f"x{i}" for i in range(10)], limit=3) == "`x0`, `x1`, `x2` or 7 more"
