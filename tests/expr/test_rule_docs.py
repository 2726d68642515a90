"""The doc pages of the expression codes (PE6xx): one per code, four sections, and examples that
really show the problem (the Example triggers the code, the Fix does not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from policyengine.core.codes import REGISTRY
from policyengine.expr import Environment, analyze
from policyengine.expr.cost import STEP_BUDGET, estimate
from policyengine.expr.parser import MAX_LENGTH

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"
EXPR_CODES = sorted(c for c in REGISTRY if c.startswith("PE6"))


def _codes_in(snippet: str, code: str) -> set[str]:
    data = yaml.safe_load(snippet)
    env = Environment.from_declarations(data["facts"])
    found: set[str] = set()
    texts = [(str(c["when"]), "bool") for c in data.get("categories", [])]
    texts += [(str(r["amount"]), "number") for r in data.get("remedies", []) if "amount" in r]
    for text, expect in texts:
        if code == "PE610" and "4,000 more ids" in snippet and expect == "bool" and "customer" in text:
            text = text[:-1] + ", " + ", ".join(f'"C{i:05d}"' for i in range(4, 4004)) + "]"
            assert len(text) > MAX_LENGTH
        analysis = analyze(text, env, expect)
        found |= {i.code for i in analysis.issues}
        if analysis.ok and analysis.ast is not None:  # the cost codes (model/build.py)
            cost = estimate(analysis.ast, data["facts"])
            if cost.fixed > STEP_BUDGET:
                found.add("PE611")
            elif cost.high > STEP_BUDGET:
                found.add("PE612")
    return found


@pytest.mark.parametrize("code", EXPR_CODES)
def test_each_expression_code_has_its_page(code):
    page = DOCS / f"{code}-{REGISTRY[code].name}.md"
    text = page.read_text("utf-8")
    assert re.findall(r"^## (.*)$", text, re.M) == ["What it finds", "Why it matters", "Example", "Fix"]
    example, fix = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert code in _codes_in(example, code)
    assert _codes_in(fix, code) == set()
