"""A small rulebook exercising every step of the decision procedure (shared by evaluator tests)."""

SEMANTICS_POLICY = """\
policy:
  id: semantics
  title: Semantics test policy
  version: 1.0.0
  effective: 2026-01-01
  expires: 2027-12-31
  owners: [legal@example.com]
facts:
  kind: {type: string, enum: [pricing, territory, lead, other]}
  amount: {type: double, min: 0}
  count: {type: int, min: 0, max: 100, default: 0}
  flag: {type: bool, default: false}
  tags: {type: list, items: {type: string}, default: []}
  partner:
    type: map
    fields:
      tier: {type: string, enum: [gold, silver], default: silver}
      exclusive: {type: bool, default: false}
  divisor: {type: int, default: 1}
ladder:
  levels:
    - {id: l1, title: Account manager, role: am, respond_within: 2bd, decide_within: 5bd, next: l2}
    - {id: l2, title: Director, role: director, respond_within: 3bd, decide_within: 10bd, next: l3}
    - {id: l3, title: Executive, role: exec, decide_within: 20d, next: l4}
    - {id: l4, title: Mediator, role: mediator, advisory: true, decide_within: 4w}
actions:
  adjust: {title: Adjust prices, unit: USD}
  hold: {title: Hold}
  amend: {title: Amend the contract}
  reassign: {title: Reassign a lead}
authority:
  am: {adjust: 1000, hold: true, reassign: 0}
  director: {adjust: 50000, hold: true, reassign: true}
  exec: {adjust: true, hold: true, reassign: true}
  mediator: {hold: true}
categories:
  - id: pricing
    title: Pricing conflict
    class: commercial
    confidentiality: restricted
    when: kind == "pricing"
    thresholds:
      - {when: amount < 10000.0, level: l1}
      - {when: amount < 100000.0, level: l2}
      - {otherwise: l3}
    remedies: [adjust-small, hold]
  - id: territory
    title: Territory conflict
    class: strategic
    when: kind == "territory"
    thresholds:
      - {when: amount < 5000.0, level: l1}
      - {when: amount > 5000.0, level: l2}
    remedies: [amend-contract]
  - id: lead
    title: Lead conflict
    class: operational
    when: kind == "lead" && 10 / divisor > 1
    thresholds:
      - {otherwise: l1}
    remedies: [reassign]
overrides:
  - {id: repeat, when: count >= 3, min_level: l2, reason: Repeated dispute}
  - {id: flagged, when: flag, min_level: l3, reason: Compliance flag}
  - {id: low, when: count >= 1, min_level: l1, reason: Never lowers}
remedies:
  - {id: adjust-small, title: Price adjustment, action: adjust, amount: amount * 0.2, when: amount >= 1000.0, sunset: 90d, review_every: 30d}
  - {id: hold, title: Hold, action: hold, sunset: 2w}
  - {id: amend-contract, title: Amend, action: amend, sunset: 180d, review_every: 20bd}
  - {id: reassign, title: Reassign, action: reassign, sunset: 60d}
"""
