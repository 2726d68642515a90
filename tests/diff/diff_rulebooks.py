"""A small rulebook for the diff tests, and versions of it made by exact text edits."""

from __future__ import annotations

import datetime as dt

from policyengine import loads_policy

DAY = dt.date(2026, 11, 23)  # a Monday

BASE = """\
policy:
  id: diff-fixture
  title: Diff fixture policy
  version: 1.0.0
  effective: 2026-01-01
  expires: 2027-12-31
  owners: [legal@example.com]

facts:
  kind:    {type: string, enum: [pricing, territory, lead, other]}
  amount:  {type: double, min: 0}
  count:   {type: int, min: 0, max: 100, default: 0}
  flag:    {type: bool, default: false}
  partner:
    type: map
    fields:
      tier: {type: string, enum: [gold, silver], default: silver}

ladder:
  levels:
    - {id: l1, title: Account manager, role: am, respond_within: 2bd, decide_within: 5bd, next: l2}
    - {id: l2, title: Director, role: director, decide_within: 10bd, next: l3}
    - {id: l3, title: Executive, role: exec, decide_within: 20d}

actions:
  adjust: {title: Adjust prices, unit: USD}
  hold:   {title: Hold unilateral actions}

authority:
  am:       {adjust: 1000, hold: true}
  director: {adjust: 25000, hold: true}
  exec:     {adjust: true, hold: true}

categories:
  - id: pricing
    title: Pricing
    class: commercial
    when: kind == "pricing"
    thresholds:
      - {when: amount < 10000.0, level: l1}
      - {when: amount < 100000.0, level: l2}
      - {otherwise: l3}
    remedies: [realign, hold-all]
  - id: territory
    title: Territory
    class: strategic
    when: kind == "territory"
    thresholds:
      - {otherwise: l2}
    remedies: [hold-all]
  - id: other
    title: Other
    class: operational
    when: "true"
    thresholds:
      - {when: amount < 50000.0, level: l1}
      - {otherwise: l2}
    remedies: [hold-all]

overrides:
  - {id: recurring, when: count >= 3, min_level: l2, reason: Recurring}
  - {id: flagged, when: flag, min_level: l3, reason: Flagged}

remedies:
  - id: realign
    title: Price realignment
    action: adjust
    amount: amount * 0.1
    when: amount >= 5000.0
    sunset: 90d
    review_every: 30d
  - id: hold-all
    title: Hold
    action: hold
    sunset: 30d
"""


def edit(text: str, *pairs: tuple[str, str]) -> str:
    """``text`` with each ``(old, new)`` replaced; each ``old`` must occur exactly once."""
    for old, new in pairs:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def policy(*pairs: tuple[str, str], name: str = "<string>"):
    """The base rulebook, edited, loaded."""
    return loads_policy(edit(BASE, *pairs), name)


def bump(version: str = "1.1.0") -> tuple[str, str]:
    return ("version: 1.0.0", f"version: {version}")
