"""Small rulebooks for the analysis tests: a fixed header, facts and categories given as text."""

from __future__ import annotations

from policyengine import loads_policy

HEADER = """\
policy:
  id: analysis-test
  title: Analysis test
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@acme.example]
"""

LADDER = """\
ladder:
  levels:
    - {id: frontline, title: Account manager, role: account_manager, decide_within: 5bd, next: regional}
    - {id: regional, title: Regional director, role: regional_director, decide_within: 10bd, next: executive}
    - {id: executive, title: Executive sponsor, role: executive_sponsor, decide_within: 20d}
actions:
  hold_unilateral: {title: Hold}
authority:
  account_manager: {hold_unilateral: true}
  regional_director: {hold_unilateral: true}
  executive_sponsor: {hold_unilateral: true}
"""

FACTS = """\
facts:
  kind:   {type: string, enum: [pricing, territory, mdf, co_branding]}
  amount: {type: double, min: 0}
  count:  {type: int, min: -5, max: 5, default: 0}
  flag:   {type: bool, default: false}
  name:   {type: string, default: ""}
  tags:   {type: list, items: {type: string}, default: []}
  partner:
    type: map
    fields:
      tier:      {type: string, enum: [gold, silver]}
      exclusive: {type: bool, default: false}
"""


def rulebook(categories: str, *, facts: str = FACTS, rest: str = "") -> str:
    return HEADER + facts + LADDER + "categories:\n" + categories + rest


def policy_from(categories: str, **kwargs):
    return loads_policy(rulebook(categories, **kwargs))


def category(cid: str, when: str, *bands: tuple[str | None, str]) -> str:
    """A category in YAML; each band is (when or None for otherwise, level)."""
    lines = [f"  - id: {cid}", f"    title: {cid}", "    class: commercial",
             f"    when: {quote(when)}", "    thresholds:"]
    for cond, level in bands or ((None, "frontline"),):
        if cond is None:
            lines.append(f"      - {{otherwise: {level}}}")
        else:
            lines.append(f"      - {{when: {quote(cond)}, level: {level}}}")
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
