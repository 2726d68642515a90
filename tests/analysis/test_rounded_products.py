"""Lint's claims at the rounding edge of a product of doubles: `x * 0.05 < 10000.0` and
`x >= 200000.0` cover every real number, but not every double. For x = 199999.99999999997 the
evaluator's product rounds to 10000.0, so neither category holds: lint (which encodes doubles
as IEEE rounds them) reports the dispute unclassified, proven, with that witness; over exact
reals it would have proven every dispute classified. The reverse cut (`>=` and `<`) is
covered at that double, and lint proves every dispute classified."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from policyengine import loads_policy
from policyengine.analysis import check_coverage
from policyengine.core.errors import DisputeError

DAY = dt.date(2026, 6, 1)
SOURCE = """\
policy: {id: rounding, title: Rounding, version: 1.0.0, effective: 2026-01-01,
         owners: [l@example.com]}
facts:
  x: {type: double, min: 0}
ladder:
  levels:
    - {id: l1, title: L1, role: r1, respond_within: 1bd, decide_within: 3bd}
actions:
  hold: {title: Hold}
authority:
  r1: {hold: true}
categories:
  - id: product
    title: Product
    class: commercial
    when: 'x * 0.05 %(product)s 10000.0'
    thresholds:
      - {otherwise: l1}
    remedies: [hold]
  - id: plain
    title: Plain
    class: commercial
    when: 'x %(plain)s 200000.0'
    thresholds:
      - {otherwise: l1}
    remedies: [hold]
remedies:
  - {id: hold, title: Hold, action: hold, sunset: 30d}
"""
EDGE = 199999.99999999997


def test_the_rounded_product_leaves_a_dispute_unclassified_and_lint_proves_it():
    assert EDGE * 0.05 == 10000.0 and EDGE < 200000.0
    policy = loads_policy(SOURCE % {"product": "<", "plain": ">="})
    with pytest.raises(DisputeError) as exc:
        policy.evaluate({"x": EDGE}, as_of=DAY)
    assert exc.value.code == "unclassified"
    report = check_coverage(policy, as_of=DAY)
    assert report.unclassified is True
    [finding] = [f for f in report.findings if f.kind == "unclassified"]
    assert not finding.possible
    assert finding.witness is not None and finding.witness["facts"] == {"x": EDGE}


def test_the_reverse_cut_covers_every_double_and_lint_proves_it():
    policy = loads_policy(SOURCE % {"product": ">=", "plain": "<"})
    for x in (EDGE, math.nextafter(EDGE, 0.0), math.nextafter(EDGE, math.inf), 200000.0):
        policy.evaluate({"x": x}, as_of=DAY)  # classified
    report = check_coverage(policy, as_of=DAY)
    assert report.unclassified is False
    assert not [f for f in report.findings if f.kind == "unclassified"]
