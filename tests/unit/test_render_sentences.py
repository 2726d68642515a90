"""Sentences composed once and marked up per format (render/sentence.py), and the replay's
summary shared by the text and Markdown diff reports: the outputs are those the two renderers
wrote when each composed its own (expected strings recorded from that code)."""

from __future__ import annotations

import collections

from policyengine.diff.replay import ReplayExample, ReplayResult
from policyengine.render import diff_markdown, diff_text
from policyengine.render.playbook import BandRow, RemedyRow, Timeline, band_sentence, \
    remedy_sentences, timeline_sentence
from policyengine.render.sentence import html, joined, markdown, plain, sentence, strong, value


def test_one_sentence_three_markups():
    s = sentence(strong("Applies when"), " the dispute's ", value("a < b & `c`_*"), ".")
    assert markdown(s) == "**Applies when** the dispute's a \\< b \\& \\`c\\`\\_\\*."
    assert html(s) == "<b>Applies when</b> the dispute's a &lt; b &amp; `c`_*."
    assert plain(s) == "Applies when the dispute's a < b & `c`_*."
    assert plain(sentence(*joined(["x", "y", "z"], "; "))) == "x; y; z"


def test_playbook_sentences():
    band = BandRow("the amount is over 5", "l1", "Level 1")
    assert markdown(band_sentence(band, False)) == "if the amount is over 5"
    assert html(band_sentence(band, True)) == "otherwise, if the amount is over 5"
    assert plain(band_sentence(BandRow(None, "l", "L"), True)) == "in every other case"
    assert plain(band_sentence(BandRow(None, "l", "L"), False)) == "always"
    t = Timeline("Monday", [], 40, "30 days", 30)
    assert markdown(timeline_sentence(t)) == ("From filing to the last decision: at most "
                                              "**40 days**, **over** the policy's resolution "
                                              "budget of 30 days.")
    assert html(timeline_sentence(Timeline("Monday", [], 20, None, None))) == (
        "From filing to the last decision: at most <b>20 days</b>.")
    r = RemedyRow("r", "R", "Hold", None, None, None, None, [], ["A & B", "C"], None)
    assert [markdown(s) for s in remedy_sentences(r)] == [
        "**Required** whenever its category applies.", "**Lapses** never (no sunset).",
        "**Reviewed** only at its sunset.",
        "**May be authorized by:** no level: such a dispute goes to the top of the ladder.",
        "**Used by:** A \\& B; C."]


def _replay(n: int) -> ReplayResult:
    return ReplayResult(
        "past|x.jsonl", total=10, changed=3, dates_changed=n, refused_both=n, unreadable=n,
        by_change=collections.Counter({"level `a` -> `b`": 2, "remedy | x": 2, "z": 1}),
        by_category=collections.Counter({"pricing": 1, "accounts": 2}),
        examples=[ReplayExample(4, {"b": 1, "a": "é"}, "2026-01-02", {}, {},
                                "level `a` -> `b`")])


def test_the_replay_reads_as_before_in_text_and_markdown():
    assert diff_text._replay(_replay(2), False) == ['Replay of past|x.jsonl: 10 disputes, 3 decided differently (30.0%)', '  2 others keep their outcome with other dates', '  2 are refused alike by both versions', '  2 lines are unreadable (not a JSON object)', '  by change:', '         2  level `a` -> `b`', '         2  remedy | x', '         1  z', '  by category (under the old version):', '         2  accounts', '         1  pricing', '  first examples:', '    line 4 (2026-01-02): level `a` -> `b`', '      {"a": "é", "b": 1}']
    assert diff_markdown._replay(_replay(2)) == ['## Replay of past disputes', '', '`past\\|x.jsonl`: **3** of 10 disputes are decided differently (30.0%).', 'Of the others, 2 keep their outcome with other dates; 2 are refused alike by both versions; 2 lines are unreadable.', '', '| Change | Disputes |', '|---|---|', '| level `a` -> `b` | 2 |', '| remedy \\| x | 2 |', '| z | 1 |', '', '| Category (old version) | Changed |', '|---|---|', '| `accounts` | 2 |', '| `pricing` | 1 |', '', 'First examples:', '', '- line 4 (2026-01-02): level `a` -> `b`: `{"a": "é", "b": 1}`', '']
    one = diff_text._replay(_replay(1), False)
    assert one[1:4] == ["  1 other keeps its outcome with other dates",
                        "  1 is refused alike by both versions",
                        "  1 line is unreadable (not a JSON object)"]
    assert diff_markdown._replay(_replay(1))[3] == (
        "Of the others, 1 keeps its outcome with other dates; 1 is refused alike by both "
        "versions; 1 line is unreadable.")
    assert diff_text._replay(ReplayResult("e.jsonl"), False) == [
        "Replay of e.jsonl: 0 disputes, 0 decided differently (0%)"]
