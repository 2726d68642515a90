"""The resolution memo (``policyengine evaluate ... --format memo``): the standardized record of
a decision, in Markdown, for the people who act on it and for the file.

It states the dispute, the findings (the category and why, the decision trace in words), the
required action with its owner and deadlines, the remedies with who authorizes them and when
they lapse and are reviewed, the remedies already in force, any warning, and the policy's id,
version and digest. Like the decision it records, it is a pure function of (policy, dispute,
as_of): the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping

from ..core.decision import Decision, TraceStep
from ..core.errors import DisputeError
from ..model.nodes import FactDecl, Policy
from ..model.reserved import RESERVED_KEYS
from .markdown import code, escape, inline, table
from .plain_words import Vocabulary, condition_words, number, value_with_unit, value_words_of
from .playbook import WEEKDAYS, calendar_words, long_date



def day_words(day: _dt.date | None) -> str:
    """Wednesday 25 November 2026 (2026-11-25)."""
    if day is None:
        return "none"
    return f"{WEEKDAYS[day.weekday()]} {long_date(day)} ({day.isoformat()})"


class _Context:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.vocab = Vocabulary(policy.facts)
        self.levels = {lv.id: lv for lv in policy.ladder.levels}
        self.roles = {lv.role: lv for lv in policy.ladder.levels}

    def level_name(self, level_id: str) -> str:
        lv = self.levels.get(level_id)
        return f"the {lv.title}" if lv is not None else f"level {code(level_id)}"

    def role_name(self, role: str | None) -> str:
        lv = self.roles.get(role) if role else None
        return f"the {lv.title} ({code(role or '')})" if lv is not None else code(role or "")

    def values(self, step: TraceStep) -> str:
        if not step.values:
            return ""
        shown = [f"{code(path)} = {escape(value_with_unit(v, self.vocab, path))}"
                 for path, v in step.values]
        return "; here " + ", ".join(shown)


def _facts_rows(ctx: _Context, dispute: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    stack: list[tuple[FactDecl, tuple[str, ...]]] = [(f, (f.name,))
                                                     for f in reversed(ctx.policy.facts)]
    while stack:
        decl, path = stack.pop()
        node: Any = dispute
        given = True
        for key in path:
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            else:
                given = False
                break
        if decl.type == "map":
            stack.extend((f, path + (f.name,)) for f in reversed(decl.fields))
            continue
        dotted = ".".join(path)
        if given:
            value = escape(value_with_unit(node, ctx.vocab, dotted))
        elif decl.has_default:
            value = escape(value_with_unit(decl.default, ctx.vocab, dotted)) + " (default)"
        else:
            value = "not given"
        rows.append([code(dotted), escape(decl.description or ""), value])
    return rows


def _step_words(ctx: _Context, step: TraceStep, decision: Decision) -> str:
    """One trace step in words, from its structured fields (``element``, ``index``, ``data``):
    the element's own words come from the policy, the dates from what the evaluator recorded."""
    where = f" [{code(step.source)}]" if step.source else ""
    if step.kind == "category":
        cid = step.element or ""
        cat = ctx.policy.category(cid)
        title = escape(cat.title) if cat else code(cid)
        if step.expression == "true":
            return f"Category **{title}**: no earlier category applies (the catch-all).{where}"
        expr = cat.when if cat is not None else None
        why = escape(condition_words(expr, ctx.vocab)) if expr else code(step.expression or "")
        return f"Category **{title}**: {why}{ctx.values(step)}.{where}"
    if step.kind == "band":
        cat = ctx.policy.category(step.element or "")
        index = step.index
        band = cat.bands[index] if cat is not None and index is not None \
            and 0 <= index < len(cat.bands) else None
        target = ctx.level_name(band.level) if band else "the level shown"
        if step.expression is None:
            return f"No earlier band of the category applies, so the dispute starts with " \
                   f"{escape(target)}.{where}"
        expr = band.when if band is not None else None
        why = escape(condition_words(expr, ctx.vocab)) if expr else code(step.expression)
        n = index + 1 if index is not None else 0
        return f"Band {n}: {why}{ctx.values(step)}, so the dispute starts with " \
               f"{escape(target)}.{where}"
    if step.kind == "override":
        oid = step.element or ""
        o = next((x for x in ctx.policy.overrides if x.id == oid), None)
        expr = o.when if o is not None else None
        why = escape(condition_words(expr, ctx.vocab)) if expr else code(step.expression or "")
        reason = escape(o.reason) if o else code(oid)
        level = escape(ctx.level_name(o.min_level)) if o else "a higher level"
        met = " (already met)" if step.data.get("met") else ""
        return f"Override *{reason}*: {why}{ctx.values(step)}, so the dispute goes at least " \
               f"to {level}{met}.{where}"
    if step.kind == "deadline":
        data = step.data  # the window as the evaluator walked it (RULEBOOK.md step 6)
        level_id = step.element or ""
        within, start, end, nxt = (data.get("within"), data.get("start"), data.get("end"),
                                   data.get("next"))
        if within is None or start is None or end is None or nxt is None:
            return f"A decision window passed: {inline(step.detail)}.{where}"
        return (f"Deadline: {escape(ctx.level_name(level_id))} had to decide within "
                f"{within.words()} from {start.isoformat()}, that is by "
                f"{end.isoformat()}; the dispute is now due at "
                f"{escape(ctx.level_name(nxt))}.{where}")
    if step.kind == "remedy":
        rid = step.element or ""
        r = ctx.policy.remedy(rid)
        title = escape(r.title) if r else code(rid)
        why = escape(condition_words(r.when, ctx.vocab)) if r and r.when else code(
            step.expression or "")
        if step.result:
            return f"Remedy *{title}* is required: {why}{ctx.values(step)}.{where}"
        return f"Remedy *{title}* is not required: it applies only when {why}" \
               f"{ctx.values(step)}.{where}"
    if step.kind == "calendar":
        return f"Calendar: {inline(step.detail)}.{where}"
    if step.kind == "authority":
        rid = step.element or ""
        r = ctx.policy.remedy(rid)
        outcome = next((x for x in decision.remedies if x.id == rid), None)
        title = escape(r.title) if r else code(rid)
        amount = ""
        if outcome is not None and outcome.amount is not None and r is not None:
            action = ctx.policy.action(r.action)
            amount = f" for {escape(number(outcome.amount, action.unit if action else None))}"
            if r.amount is not None:
                amount += f" ({escape(value_words_of(r.amount, ctx.vocab))})"
        if step.result is None:
            return f"No level from the dispute's level up may authorize *{title}*{amount}: " \
                   f"the decision goes to the top of the ladder.{where}"
        return f"*{title}*{amount} can be authorized by {ctx.role_name(step.result)}.{where}"
    return f"{inline(step.detail)}.{where}"


def _remedy_rows(ctx: _Context, decision: Decision) -> list[list[str]]:
    rows = []
    for r in decision.remedies:
        remedy = ctx.policy.remedy(r.id)
        action = ctx.policy.action(r.action)
        title = escape(remedy.title) if remedy else code(r.id)
        amount = escape(number(r.amount, action.unit if action else None)) \
            if r.amount is not None else " "
        who = ctx.role_name(r.authorized_by) if r.authorized_by else "**no one** (see warnings)"
        rows.append([f"{title} ({code(r.id)})", amount, who, day_words(r.expires_on),
                     day_words(r.review_on) if r.review_on else "at its sunset"])
    return rows


def _policy_lines(policy: Policy) -> list[str]:
    m = policy.meta
    term = f"in force from {long_date(m.effective)}" + (
        f" to {long_date(m.expires)}" if m.expires else "")
    rows = [["Policy", f"{escape(m.title)} ({code(m.id)})"], ["Version", escape(m.version)],
            ["Digest", code(policy.digest)], ["Term", term]]
    if policy.path:
        rows.append(["Source", code(policy.path)])
    return ["## Policy", ""] + table(["", ""], rows) + [""]


def render_memo(policy: Policy, dispute: Mapping[str, Any], decision: Decision) -> str:
    """The resolution memo of ``decision`` (made by ``policy`` for ``dispute``)."""
    ctx = _Context(policy)
    d = decision
    owner = ctx.levels.get(d.level.id)
    lines = [f"# Resolution memo: {escape(d.category.title)}", ""]
    if d.category.confidentiality != "public":
        lines += [f"> **Confidentiality: {escape(d.category.confidentiality)}.** Share this "
                  "memo only with the parties to the dispute and the people who act on it.",
                  ""]
    verb = "Escalate to" if d.action == "escalate" else "Handle at"
    lines += table(["", ""], [
        ["Decision", f"**{verb} {escape(ctx.level_name(d.level.id))}**"],
        ["Owner", f"{escape(d.level.title)}, role {code(d.level.role)}"],
        ["Respond by", day_words(d.respond_by) if d.respond_by else "no response window"],
        ["Decide by", day_words(d.decide_by)],
        ["Decided as of", day_words(d.as_of)],
        ["Policy", f"{code(d.policy_id)} version {escape(d.policy_version)}"],
    ] + ([["Calendar", escape(calendar_words(d.calendar))]] if d.calendar else [])) + [""]
    lines += ["## The dispute", ""] + table(["Fact", "Meaning", "Value"],
                                            _facts_rows(ctx, dispute)) + [""]
    esc = dispute.get("escalation") if isinstance(dispute, Mapping) else None
    if isinstance(esc, Mapping) and esc.get("level"):
        lines += [f"The dispute has been with {escape(ctx.level_name(esc['level']))} since "
                  f"{escape(str(esc.get('since')))}.", ""]
    lines += ["## Findings", "",
              f"The dispute's category is **{escape(d.category.title)}** "
              f"({code(d.category.id)}; class {escape(d.category.class_)}, confidentiality "
              f"{escape(d.category.confidentiality)}).", "",
              "How the decision was reached, rule by rule:", ""]
    lines += [f"{i}. {_step_words(ctx, s, d)}"
              for i, s in enumerate(d.trace, 1)] + [""]
    lines += ["## Required action", ""]
    if d.action == "escalate":
        text = (f"Escalate the dispute to {escape(ctx.level_name(d.level.id))} (role "
                f"{code(d.level.role)}).")
    else:
        text = (f"{escape(d.level.title)} (role {code(d.level.role)}) keeps the dispute and "
                "decides it.")
    due = (f" Respond by {day_words(d.respond_by)}; decide by {day_words(d.decide_by)}."
           if d.respond_by else f" Decide by {day_words(d.decide_by)}.")
    lines += [text + due, ""]
    if owner is not None and owner.advisory:
        lines += [f"The {escape(owner.title)} is advisory: it facilitates and recommends; a "
                  "binding outcome needs a level with authority.", ""]
    lines += ["## Remedies", ""]
    if d.remedies:
        lines += table(["Remedy", "Amount", "Authorized by", "Lapses on", "Review on"],
                       _remedy_rows(ctx, d)) + [""]
    else:
        lines += ["No remedy is required.", ""]
    if d.remedies_in_force:
        lines += ["### Remedies already in force", ""]
        rows = [[code(r.id), r.granted_on.isoformat(),
                 r.last_reviewed.isoformat() if r.last_reviewed else "never",
                 r.expires_on.isoformat() if r.expires_on else "no sunset",
                 r.status.replace("_", " ")] for r in d.remedies_in_force]
        lines += table(["Remedy", "Granted", "Last reviewed", "Lapses on", "Status"], rows)
        lines.append("")
    if d.warnings:
        lines += ["## Warnings", ""]
        lines += [f"- {code(w.code)}: {inline(w.message)}." for w in d.warnings] + [""]
    lines += _policy_lines(policy)
    lines += ["## Sign-off", ""] + table(["Role", "Name", "Date", "Signature"], [
        [f"{escape(d.level.title)} (decision owner)", " ", " ", " "]]) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_refusal_memo(policy: Policy, dispute: Any, error: DisputeError,
                        as_of: _dt.date | None = None) -> str:
    """The memo of a dispute the policy refuses to decide: what is wrong, what to do."""
    lines = ["# Resolution memo: dispute not decided", "",
             f"The policy refuses to decide this dispute ({code(error.code)}). Nothing is "
             "escalated and no remedy is required until the problems below are fixed.", ""]
    if as_of is not None:
        lines += [f"As of {day_words(as_of)}.", ""]
    lines += ["## Problems", ""]
    for p in error.problems:
        where = f"{code(p.path)}: " if p.path else ""
        hint = f" ({inline(p.hint)})" if p.hint else ""
        lines.append(f"- {where}{inline(p.message)}{hint}")
    lines.append("")
    if isinstance(dispute, Mapping):
        lines += ["## The dispute as given", ""]
        ctx = _Context(policy)
        rows = _facts_rows(ctx, {k: v for k, v in dispute.items() if k not in RESERVED_KEYS})
        lines += table(["Fact", "Meaning", "Value"], rows) + [""]
    lines += _policy_lines(policy)
    return "\n".join(lines).rstrip("\n") + "\n"
