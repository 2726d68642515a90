"""The ACME rulebook (policies/acme-channel-conflict.yaml) written by hand in plain Python.

The baseline of ``bench_decisions.py``: what a careful engineer would write for this one policy
without policyengine, doing the same job: validate the facts (every problem at once), choose the
category, band, overrides, deadline escalation and the authority for each remedy, compute the
dates, and build the same ``Decision`` (trace included). The benchmark checks that it returns
decisions equal to policyengine's before timing anything.

Constants that do not depend on the dispute (source locations, digest, titles) are taken from the
loaded policy once, as a hand-written implementation would hard-code them.
"""

from __future__ import annotations

import datetime as _dt

from policyengine.core.decision import (CategoryRef, Decision, DecisionWarning, LevelRef,
                                        RemedyInForce, RemedyOutcome, StepSite, TraceStep)
from policyengine.core.errors import DisputeError, Problem

KINDS = frozenset({"pricing", "territory", "exclusivity", "lead_routing", "mdf", "co_branding"})
REGIONS = frozenset({"NA", "EMEA", "APAC", "LATAM"})
TIERS = frozenset({"platinum", "gold", "silver", "registered"})
FACTS = frozenset({"kind", "amount", "region", "partner", "recurrences_90d", "compliance_flag",
                   "escalation", "remedies_in_force", "as_of"})
LEVELS = ("frontline", "regional", "executive", "mediation")
DAY = _dt.timedelta(days=1)


def add_bd(start: _dt.date, n: int) -> _dt.date:
    day = start
    if day.weekday() >= 5:
        day -= _dt.timedelta(days=day.weekday() - 4)
    weeks, rest = divmod(n, 5)
    day += _dt.timedelta(weeks=weeks)
    while rest:
        day += DAY
        if day.weekday() < 5:
            rest -= 1
    return day


def make(policy):
    """Bind the hand-written decision function to the loaded policy's constants."""
    src = {}
    for c in policy.categories:
        src[f"categories.{c.id}"] = _s(c.when.span)
        for b in c.bands:
            src[f"categories.{c.id}.thresholds[{b.index}]"] = _s(b.span if b.when is None
                                                                 else b.when.span)
    for o in policy.overrides:
        src[f"overrides.{o.id}"] = _s(o.when.span)
    for r in policy.remedies:
        src[f"remedies.{r.id}"] = _s(r.span)
        if r.when is not None:
            src[f"remedies.{r.id}.when"] = _s(r.when.span)
    for lv in policy.ladder.levels:
        src[f"ladder.{lv.id}"] = _s(lv.span)
    digest = policy.digest
    cat = {c.id: CategoryRef(c.id, c.title, c.class_, c.confidentiality)
           for c in policy.categories}
    lv = [LevelRef(x.id, x.role, x.title) for x in policy.ladder.levels]
    meta = policy.meta
    # the constant part of each trace step (kind, rule, source, expression), made once, as the
    # engine makes its sites at load: a hand-written function would not rebuild constants per call
    sites: dict = {}

    def step(kind, rule, source, expression, result, values, words):
        key = (rule, expression)
        site = sites.get(key)
        if site is None:
            site = sites[key] = StepSite(kind, rule, source, expression)
        return TraceStep(site, result, values, words)

    def decide(dispute, as_of: _dt.date) -> Decision:
        if as_of < meta.effective or as_of > meta.expires:
            raise DisputeError([Problem("policy_not_in_force", "not in force", "as_of")])
        problems = []
        kind = dispute.get("kind")
        if kind is None:
            problems.append(Problem("invalid_facts", "required fact is missing", "kind",
                                    "missing"))
        elif type(kind) is not str:
            problems.append(Problem("invalid_facts", "expected text", "kind", "type"))
        elif kind not in KINDS:
            problems.append(Problem("invalid_facts", "not allowed", "kind", "enum"))
        amount = dispute.get("amount")
        if amount is None:
            problems.append(Problem("invalid_facts", "required fact is missing", "amount",
                                    "missing"))
        elif type(amount) is int:
            amount = float(amount)
        elif type(amount) is not float:
            problems.append(Problem("invalid_facts", "expected a number", "amount", "type"))
        if type(amount) is float and amount < 0:
            problems.append(Problem("invalid_facts", "below the minimum", "amount", "min"))
        region = dispute.get("region")
        if region is None:
            problems.append(Problem("invalid_facts", "required fact is missing", "region",
                                    "missing"))
        elif type(region) is not str or region not in REGIONS:
            problems.append(Problem("invalid_facts", "not allowed", "region", "enum"))
        partner = dispute.get("partner")
        tier = exclusive = None
        if partner is None:
            problems.append(Problem("invalid_facts", "required", "partner.tier", "missing"))
        elif type(partner) is not dict:
            problems.append(Problem("invalid_facts", "expected a mapping", "partner", "type"))
        else:
            tier = partner.get("tier")
            if tier is None:
                problems.append(Problem("invalid_facts", "required", "partner.tier", "missing"))
            elif type(tier) is not str or tier not in TIERS:
                problems.append(Problem("invalid_facts", "not allowed", "partner.tier", "enum"))
            exclusive = partner.get("exclusive", False)
            if type(exclusive) is not bool:
                problems.append(Problem("invalid_facts", "expected true or false",
                                        "partner.exclusive", "type"))
            for k in partner:
                if k not in ("tier", "exclusive"):
                    problems.append(Problem("invalid_facts", "not declared", "partner." + k,
                                            "unknown"))
        rec = dispute.get("recurrences_90d", 0)
        if type(rec) is not int:
            problems.append(Problem("invalid_facts", "expected an int", "recurrences_90d",
                                    "type"))
        elif rec < 0:
            problems.append(Problem("invalid_facts", "below the minimum", "recurrences_90d",
                                    "min"))
        flag = dispute.get("compliance_flag", False)
        if type(flag) is not bool:
            problems.append(Problem("invalid_facts", "expected true or false",
                                    "compliance_flag", "type"))
        for k in dispute:
            if k not in FACTS:
                problems.append(Problem("invalid_facts", "not declared", k, "unknown"))
        esc = dispute.get("escalation")
        current = None
        if esc is not None:
            level = esc.get("level")
            since = esc.get("since")
            if level not in LEVELS:
                problems.append(Problem("invalid_facts", "unknown level", "escalation.level",
                                        "unknown"))
            else:
                current = LEVELS.index(level)
            try:
                since = _dt.date.fromisoformat(since)
            except (TypeError, ValueError):
                problems.append(Problem("invalid_facts", "not a date", "escalation.since",
                                        "type"))
        in_force = []
        for i, item in enumerate(dispute.get("remedies_in_force") or ()):
            try:
                granted = _dt.date.fromisoformat(item["granted_on"])
                reviewed = item.get("last_reviewed")
                reviewed = _dt.date.fromisoformat(reviewed) if reviewed else None
                in_force.append((item["id"], granted, reviewed))
            except (KeyError, TypeError, ValueError):
                problems.append(Problem("invalid_facts", "bad remedy in force",
                                        f"remedies_in_force[{i}]", "type"))
        if problems:
            raise DisputeError(problems)

        trace = []
        # category
        if kind == "pricing":
            c = "pricing"
            trace.append(step("category", "categories.pricing", src["categories.pricing"],
                              'kind == "pricing"', True, (("kind", kind),),
                              "category `pricing` is the first whose condition holds"))
            if amount < 10000.0:
                level, b = 0, 0
            elif amount < 250000.0:
                level, b = 1, 1
            else:
                level, b = 2, 2
            rule = f"categories.pricing.thresholds[{b}]"
            if b < 2:
                text = ("amount < 10000.0", "amount < 250000.0")[b]
                trace.append(step("band", rule, src[rule], text, True,
                                  (("amount", amount),),
                                  f"band {b + 1} gives level `{LEVELS[level]}`"))
            else:
                trace.append(step("band", rule, src[rule], None, True, (),
                                  "no earlier band holds: `otherwise` gives level "
                                  "`executive`"))
            remedies = ("price-realignment", "hold")
        elif kind == "exclusivity" or (kind == "territory" and exclusive):
            c = "exclusivity"
            trace.append(step(
                "category", "categories.exclusivity", src["categories.exclusivity"],
                'kind == "exclusivity" || (kind == "territory" && partner.exclusive)', True,
                (("kind", kind), ("partner.exclusive", exclusive)),
                "category `exclusivity` is the first whose condition holds"))
            level = 1
            rule = "categories.exclusivity.thresholds[0]"
            trace.append(step("band", rule, src[rule], None, True, (),
                              "no earlier band holds: `otherwise` gives level `regional`"))
            remedies = ("territory-adjustment", "hold")
        else:
            c = "operational"
            trace.append(step("category", "categories.operational",
                              src["categories.operational"], "true", True, (),
                              "category `operational` is the first whose condition holds"))
            if amount < 50000.0:
                level = 0
                rule = "categories.operational.thresholds[0]"
                trace.append(step("band", rule, src[rule], "amount < 50000.0", True,
                                  (("amount", amount),), "band 1 gives level `frontline`"))
            else:
                level = 1
                rule = "categories.operational.thresholds[1]"
                trace.append(step("band", rule, src[rule], None, True, (),
                                  "no earlier band holds: `otherwise` gives level "
                                  "`regional`"))
            remedies = ("lead-reassignment", "hold")
        # overrides
        if rec >= 3:
            trace.append(step("override", "overrides.recurring", src["overrides.recurring"],
                              "recurrences_90d >= 3", True, (("recurrences_90d", rec),),
                              "override `recurring` (Recurring dispute) requires at least "
                              "`regional`" + ("" if level < 1 else ": already met")))
            level = max(level, 1)
        if flag:
            trace.append(step("override", "overrides.compliance",
                              src["overrides.compliance"], "compliance_flag", True,
                              (("compliance_flag", flag),),
                              "override `compliance` (Compliance exposure) requires at "
                              "least `executive`" + ("" if level < 2 else ": already met")))
            level = max(level, 2)
        # deadlines
        if current is not None:
            due, start = current, since
            while True:
                if due == 0:
                    end = add_bd(start, 5)
                elif due == 1:
                    end = add_bd(start, 10)
                elif due == 2:
                    end = start + _dt.timedelta(days=20)
                else:
                    end = start + _dt.timedelta(days=30)
                if as_of <= end or due == 3:
                    break
                within = ("5bd", "10bd", "20d")[due]
                trace.append(step(
                    "deadline", f"ladder.{LEVELS[due]}.decide_within",
                    src[f"ladder.{LEVELS[due]}"], None, True, (),
                    f"level `{LEVELS[due]}` had to decide within {within} from {start} "
                    f"(by {end}); it is now due at `{LEVELS[due + 1]}`"))
                due, start = due + 1, end
            level = max(level, due)
        # remedies
        needed = []
        for r in remedies:
            if r == "price-realignment":
                holds = amount >= 5000.0
                trace.append(step("remedy", "remedies.price-realignment",
                                  src["remedies.price-realignment.when"],
                                  "amount >= 5000.0", holds, (("amount", amount),),
                                  "remedy `price-realignment` is " +
                                  ("required" if holds else "not required")))
                if holds:
                    needed.append((r, "price_adjustment", amount * 0.1, "amount * 0.1", 90, 30))
            elif r == "territory-adjustment":
                needed.append((r, "territory_adjustment", amount, "amount", 180, None))
            elif r == "lead-reassignment":
                holds = kind == "lead_routing"
                trace.append(step("remedy", "remedies.lead-reassignment",
                                  src["remedies.lead-reassignment.when"],
                                  'kind == "lead_routing"', holds, (("kind", kind),),
                                  "remedy `lead-reassignment` is " +
                                  ("required" if holds else "not required")))
                if holds:
                    needed.append((r, "lead_reassignment", None, None, 60, None))
            else:
                needed.append((r, "hold_unilateral", None, None, 30, None))
        outcomes = []
        final = level
        for r, action, amt, text, sunset, review in needed:
            by = None
            for rk in range(level, 4):
                if action == "price_adjustment":
                    ok = rk == 2 or (rk == 1 and amt <= 25000)
                elif action == "territory_adjustment":
                    ok = rk == 2 or (rk == 1 and amt <= 100000)
                elif action == "lead_reassignment":
                    ok = rk <= 2
                else:
                    ok = True
                if ok:
                    by = rk
                    break
            shown = "" if amt is None else f" for {amt}"
            values = (("amount", amount),) if text else ()
            trace.append(step("authority", f"remedies.{r}", src[f"remedies.{r}"], text,
                              lv[by].role, values,
                              f"`{action}`{shown} is authorized by `{lv[by].role}` at "
                              f"level `{lv[by].id}`"))
            final = max(final, by)
            outcomes.append(RemedyOutcome(
                r, action, amt, lv[by].role, as_of + _dt.timedelta(days=sunset),
                as_of + _dt.timedelta(days=review) if review else None))
        # dates
        if final == 0:
            respond, decide_by = add_bd(as_of, 2), add_bd(as_of, 5)
        elif final == 1:
            respond, decide_by = add_bd(as_of, 3), add_bd(as_of, 10)
        elif final == 2:
            respond, decide_by = None, as_of + _dt.timedelta(days=20)
        else:
            respond, decide_by = None, as_of + _dt.timedelta(days=30)
        sunsets = {"price-realignment": (90, 30), "territory-adjustment": (180, None),
                   "lead-reassignment": (60, None), "hold": (30, None)}
        statuses = []
        for rid, granted, reviewed in in_force:
            sunset, review = sunsets[rid]
            expires = granted + _dt.timedelta(days=sunset)
            review_on = (reviewed or granted) + _dt.timedelta(days=review) if review else None
            status = ("expired" if as_of >= expires else
                      "review_due" if review_on is not None and as_of >= review_on else
                      "active")
            statuses.append(RemedyInForce(rid, granted, reviewed, expires, review_on, status))
        action = "escalate" if current is None or final > current else "handle"
        return Decision(meta.id, meta.version, digest, as_of, cat[c], lv[final], action,
                        respond, decide_by, tuple(outcomes), tuple(statuses), tuple(trace),
                        tuple(DecisionWarning(*w) for w in ()))

    return decide


def _s(span):
    return None if span is None else f"{span.file}:{span.line}:{span.column}"
