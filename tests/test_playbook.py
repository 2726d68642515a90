"""The partner playbook (render md|html), the ladder graph (dot, Mermaid, SVG), expressions in
plain words, and the resolution memo (evaluate --format memo)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, GOLDEN, POLICIES, ROOT
from policyengine import load_policy, loads_policy
from policyengine.cli.main import cli
from policyengine.expr import analyze, parse_expression
from policyengine.expr.environment import Environment
from policyengine.render import ladder_graph
from policyengine.render.memo import render_memo
from policyengine.render.plain_words import (Vocabulary, condition_words, number,
                                             value_words_of, words)
from policyengine.render.playbook_html import render_playbook_html
from policyengine.render.playbook_md import render_playbook_md

NAMES = ("acme-channel-conflict", "distributor-reseller", "jv-alliance", "global-channel-conflict")
MINI = GOLDEN / "policytest" / "policy.yaml"


@pytest.fixture(scope="module")
def policies():
    return {name: load_policy(f"policies/{name}.yaml") for name in NAMES}


@pytest.fixture(autouse=True)
def _cwd(monkeypatch):
    monkeypatch.chdir(ROOT)  # policy paths in the outputs are relative to the repository


def cli_run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


# -- plain words ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def said():
    policy = load_policy(POLICIES / "distributor-reseller.yaml")
    env = Environment.from_declarations(policy.declarations())
    vocab = Vocabulary(policy.facts)

    def say(text: str) -> str:
        analysis = analyze(text, env)
        assert analysis.ok, analysis.issues
        return condition_words(analysis.ast, vocab)

    return say


@pytest.mark.parametrize("text, expected", [
    ('kind == "pricing"', "the kind is pricing"),
    ("amount < 10000.0", "the amount is under 10,000 USD"),
    ("10000.0 > amount", "the amount is under 10,000 USD"),
    ("amount >= 2500.5", "the amount is at least 2,500.5 USD"),
    ("reseller.exclusive", "the reseller is exclusive"),
    ("!reseller.exclusive", "the reseller is not exclusive"),
    ('reseller.tier == "platinum"', "the reseller tier is platinum"),
    ('kind == "deal_registration"', "the kind is deal registration"),
    ('kind == "mdf_claim"', "the kind is MDF claim"),
    ("strategic_account", "the end customer is a named strategic account"),
    ("!audit_flag", "the MDF claim is not under finance or compliance audit"),
    ("recurrences_12m >= 3", "the number of recurrences in the last 12 months is at least 3"),
    ("mdf_claim_age_days > 90", "the MDF claim age is over 90 days"),
    ('region == "NA" || region == "EMEA"', "the region is NA or EMEA"),
    ('region in ["NA", "EMEA", "APAC"]', "the region is NA, EMEA or APAC"),
    ('!(region == "NA" || region == "EMEA")', "the region is neither NA nor EMEA"),
    ('region != "NA" && region != "EMEA"', "the region is neither NA nor EMEA"),
    ('kind == "pricing" && (region == "NA" || amount > 5.0)',
     "the kind is pricing and (the region is NA or the amount is over 5 USD)"),
    ('amount < (region == "APAC" ? 5000.0 : 15000.0)',
     "the amount is under (5,000 USD if the region is APAC, otherwise 15,000 USD)"),
    ("size(competing_resellers) > 1", "the number of competing resellers is over 1"),
    ('competing_resellers.exists(r, r.startsWith("RS-"))',
     "at least one item of the competing resellers is such that the item starts with "
     "\u201cRS-\u201d"),
    ("has(reseller.tier)", "the reseller tier is given"),
    ("true", "always"),
    ("amount * 2.0 > 5.0", "the amount times 2 is over 5 USD"),
])
def test_conditions_in_plain_words(said, text, expected):
    assert said(text) == expected


def test_amounts_in_plain_words():
    policy = load_policy(POLICIES / "jv-alliance.yaml")
    vocab = Vocabulary(policy.facts)
    by_id = {r.id: r for r in policy.remedies}
    assert value_words_of(by_id["revenue-true-up"].amount, vocab) == "half of the amount"
    assert value_words_of(by_id["independent-audit"].amount, vocab, "USD") == "50,000 USD"
    acme = load_policy(POLICIES / "acme-channel-conflict.yaml")
    assert value_words_of(acme.remedy("price-realignment").amount,
                          Vocabulary(acme.facts)) == "10% of the amount"


def test_words_and_numbers():
    assert words("breaches_12m") == "breaches in the last 12 months"
    assert words("jv_stage") == "JV stage"
    assert number(10000.0, "USD") == "10,000 USD"
    assert number(12.5, "percent") == "12.5%"
    assert number(1, "days") == "1 day"


def test_a_deep_expression_is_shown_as_written_not_recursed():
    tree = parse_expression("!" * 3000 + "true")
    text = condition_words(tree, Vocabulary())
    assert text.startswith("the condition \u201c!!!") and text.endswith("true\u201d holds")


# -- the ladder graph ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_ladder_golden_mermaid_and_dot(policies, golden, name):
    golden(f"render/ladder/{name}.mmd", ladder_graph.render_mermaid(policies[name]))
    golden(f"render/ladder/{name}.dot", ladder_graph.render_dot(policies[name]))


def test_the_graph_command_prints_the_ladder_alone(policies):
    res = cli_run("graph", "policies/acme-channel-conflict.yaml")
    assert res.exit_code == 0
    assert res.stdout == ladder_graph.render_mermaid(policies["acme-channel-conflict"])
    res = cli_run("graph", "policies/acme-channel-conflict.yaml", "--format", "dot")
    assert res.stdout.startswith("// escalation ladder of acme-channel-conflict 3.1.0\n")
    res = cli_run("graph", "policies/acme-channel-conflict.yaml", "--format", "svg")
    root = ET.fromstring(res.stdout)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}style") is not None


@pytest.mark.parametrize("name", NAMES)
def test_svg_layout_puts_levels_top_down_without_overlap(policies, name):
    policy = policies[name]
    boxes = ladder_graph.layout(policy)
    assert [b.level.id for b in boxes] == [lv.id for lv in
                                          ladder_graph.escalation_path(policy.ladder)]
    for upper, lower in zip(boxes, boxes[1:]):
        assert upper.y + upper.height < lower.y
    svg = ET.fromstring(ladder_graph.render_svg(policy))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}g")) == len(policy.ladder.levels)
    assert len(svg.findall(f"{ns}line")) == len(policy.ladder.levels) - 1
    width = float(svg.get("width"))
    for label in svg.findall(f"{ns}text[@class='edge-label']"):
        assert float(label.get("x")) + 7.2 * len(label.text) <= width


# -- the playbook ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_playbook_markdown_golden(policies, golden, name):
    golden(f"render/playbook/{name}.md", render_playbook_md(policies[name]))


def test_playbook_markdown_says_everything_in_words(policies):
    text = render_playbook_md(policies["acme-channel-conflict"])
    for needle in ("**Applies when** the kind is pricing.",
                   "| if the amount is under 10,000 USD | Account manager (`frontline`) |",
                   "| in every other case | Executive sponsor (`executive`) |",
                   "```mermaid", "### Worst-case timeline", "## Who may authorize what",
                   "**Lapses** 90 days after it is granted.", "**Reviewed** every 30 days.",
                   "Regional director (up to 25,000 USD), Executive sponsor (no limit)",
                   "| Version | 3.1.0 |", policies["acme-channel-conflict"].digest):
        assert needle in text, needle
    assert "amount < 10000.0" not in text  # expressions are never shown as code


@pytest.mark.parametrize("name", NAMES)
def test_playbook_html_is_one_self_contained_file(policies, name):
    policy = policies[name]
    html = render_playbook_html(policy)
    assert html.startswith("<!DOCTYPE html>")
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"')]*", html))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    for forbidden in ("<script", "<link", "<img", "src=", "@import"):
        assert forbidden not in html
    assert re.findall(r"url\((?!#)", html) == []  # only references inside the file
    assert "@media print" in html and "<svg" in html
    for c in policy.categories:
        assert c.title.replace("&", "&amp;") in html
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    ET.fromstring(svg)  # the inline SVG is well-formed XML


def test_user_text_is_escaped_in_both_formats():
    text = MINI.read_text(encoding="utf-8").replace(
        "title: Pricing conflict", "title: 'Pricing | <script>x</script> *now*'")
    policy = loads_policy(text, "mini.yaml")
    md = render_playbook_md(policy)
    assert "### 1. Pricing \\| \\<script\\>x\\</script\\> \\*now\\*" in md
    html = render_playbook_html(policy)
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_render_command_writes_md_and_html(tmp_path, policies):
    out = tmp_path / "acme.html"
    res = cli_run("render", "policies/acme-channel-conflict.yaml", "--format", "html", "-o",
                  str(out))
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_text(encoding="utf-8") == render_playbook_html(
        policies["acme-channel-conflict"])
    res = cli_run("render", "policies/acme-channel-conflict.yaml")
    assert res.exit_code == 0 and res.stdout.startswith("# ACME channel conflict")


def test_render_and_graph_refuse_a_broken_policy_with_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: {id: x}\n", encoding="utf-8")
    for args in (("render", str(bad)), ("graph", str(bad)),
                 ("render", str(tmp_path / "missing.yaml"))):
        res = cli_run(*args)
        assert res.exit_code == 2
        assert "cannot load the policy" in res.stderr
    res = cli_run("render", "policies/jv-alliance.yaml", "-o", str(tmp_path / "no" / "x.md"))
    assert res.exit_code == 2 and "cannot write" in res.stderr


# -- the resolution memo -----------------------------------------------------------------------
MEMO_CASES = ("acme-channel-conflict--territory-exclusive-overdue",
              "distributor-reseller--mdf-audit-clawback", "jv-alliance--revenue-shortfall-q3")


@pytest.mark.parametrize("example", MEMO_CASES)
def test_memo_golden(golden, example):
    policy = f"policies/{example.split('--')[0]}.yaml"
    res = cli_run("evaluate", policy, f"examples/{example}.json", "--as-of", "2026-11-22",
                  "--format", "memo")
    assert res.exit_code == 0
    golden(f"render/memo/{example}.md", res.stdout)


def test_memo_states_the_action_owner_deadlines_remedies_and_policy(policies):
    policy = policies["acme-channel-conflict"]
    dispute = json.loads((EXAMPLES / "acme-channel-conflict--pricing-emea.json").read_text())
    import datetime as _dt

    decision = policy.evaluate(dispute, as_of=_dt.date(2026, 11, 22))
    memo = render_memo(policy, dispute, decision)
    for needle in ("# Resolution memo: Pricing parity conflict",
                   "**Confidentiality: restricted.**",
                   "| Decision | **Escalate to the Regional director** |",
                   "| Respond by | Wednesday 25 November 2026 (2026-11-25) |",
                   "| Decide by | Friday 4 December 2026 (2026-12-04) |",
                   "Category **Pricing parity conflict**: the kind is pricing",
                   "Band 2: the amount is under 250,000 USD; here `amount` = 120,000 USD",
                   "| 12,000 USD | the Regional director (`regional_director`) |",
                   decision.digest, "## Sign-off"):
        assert needle in memo, needle
    assert memo == render_memo(policy, dispute, decision)  # same inputs, same bytes


def test_a_refused_dispute_gets_a_memo_that_says_why():
    res = cli_run("evaluate", "policies/acme-channel-conflict.yaml", "-", "--as-of",
                  "2026-11-22", "--format", "memo",
                  input='{"kind": "pricing", "amount": 5.0, "region": "EMAE"}')
    assert res.exit_code == 1
    assert res.stdout.startswith("# Resolution memo: dispute not decided")
    assert "- `region`: `EMAE` is not one of the allowed values (did you mean `EMEA`?)" \
        in res.stdout
