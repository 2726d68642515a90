"""A decision, or a refusal, as sentences a partner manager can read."""

from __future__ import annotations

from typing import Any, Callable

from ..core.calendar import weekday_words
from ..core.decision import Decision, TraceStep
from ..core.errors import DisputeError
from .playbook import calendar_words


def _value(v: Any) -> str:
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    return str(v)


def _values(step: TraceStep) -> str:
    if not step.values:
        return ""
    return " (" + ", ".join(f"{k} = {_value(v)}" for k, v in step.values) + ")"


def _where(step: TraceStep) -> str:
    return f" [{step.source}]" if step.source else ""


def explain_step(step: TraceStep) -> str:
    """One trace step as a sentence."""
    if step.kind == "category":
        return (f"Category `{step.element}` applies: `{step.expression}` holds"
                f"{_values(step)}, and no earlier category's condition does.{_where(step)}")
    if step.kind == "band":
        if step.expression is None:
            return (f"No earlier band holds, so `otherwise` gives level "
                    f"`{step.data.get('level')}`.{_where(step)}")
        return f"`{step.expression}` holds{_values(step)}: {step.detail}.{_where(step)}"
    if step.kind == "override":
        return f"`{step.expression}` holds{_values(step)}: {step.detail}.{_where(step)}"
    if step.kind == "deadline":
        return f"Deadline passed: {step.detail}.{_where(step)}"
    if step.kind == "remedy":
        verb = "holds" if step.result else "does not hold"
        return f"`{step.expression}` {verb}{_values(step)}: {step.detail}.{_where(step)}"
    if step.kind == "calendar":
        return f"Calendar: {step.detail}.{_where(step)}"
    if step.kind == "authority":
        amount = ""
        if step.expression:
            given = ", ".join(f"{k} = {_value(v)}" for k, v in step.values)
            amount = f" (amount `{step.expression}`" + (f" with {given})" if given else ")")
        return f"Authority: {step.detail}{amount}.{_where(step)}"
    return f"{step.detail}.{_where(step)}"


def render_decision(decision: Decision) -> str:
    d = decision
    verb = "Escalate to" if d.action == "escalate" else "Handle at"
    day: Callable[[Any], str] = str
    if d.calendar is not None:  # with a business calendar: the weekday of every date
        day = lambda x: weekday_words(x) if x is not None else "none"  # noqa: E731
    lines = [
        f"{verb} {d.level.title} (role `{d.level.role}`, level `{d.level.id}`).",
        f"  Category: {d.category.title} (`{d.category.id}`, {d.category.class_}, "
        f"{d.category.confidentiality}).",
        "  " + (f"Respond by {day(d.respond_by)}; decide by {day(d.decide_by)}."
                if d.respond_by else f"Decide by {day(d.decide_by)}."),
        f"  Policy `{d.policy_id}` version {d.policy_version} ({d.digest}), as of {day(d.as_of)}.",
    ]
    if d.calendar is not None:
        lines.append(f"  Calendar: {calendar_words(d.calendar)}.")
    if d.remedies:
        lines += ["", "Remedies required:"]
        for r in d.remedies:
            amount = f" of {r.amount}" if r.amount is not None else ""
            who = f"authorized by `{r.authorized_by}`" if r.authorized_by else \
                "NO role may authorize it"
            dates = []
            if r.expires_on:
                dates.append(f"lapses on {day(r.expires_on)}")
            if r.review_on:
                dates.append(f"review on {day(r.review_on)}")
            tail = ("; " + ", ".join(dates)) if dates else ""
            lines.append(f"  - `{r.id}`: `{r.action}`{amount}, {who}{tail}.")
    else:
        lines += ["", "No remedy is required."]
    if d.remedies_in_force:
        lines += ["", "Remedies in force:"]
        for f in d.remedies_in_force:
            exp = f", lapses on {day(f.expires_on)}" if f.expires_on else ""
            lines.append(f"  - `{f.id}` granted on {f.granted_on}: {f.status.replace('_', ' ')}"
                         f"{exp}.")
    lines += ["", "Why:"]
    lines += [f"  {i}. {explain_step(s)}" for i, s in enumerate(d.trace, 1)]
    if d.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {w.code}: {w.message}." for w in d.warnings]
    return "\n".join(lines) + "\n"


def render_refusal(error: DisputeError) -> str:
    lines = [f"Refused ({error.code}): the dispute cannot be decided."]
    for p in error.problems:
        where = f"{p.path}: " if p.path else ""
        detail = f" [{p.detail}]" if p.detail else ""
        lines.append(f"  - {where}{p.message}{detail}")
        if p.hint:
            lines.append(f"    hint: {p.hint}")
    return "\n".join(lines) + "\n"


def refusal_data(error: DisputeError) -> dict[Any, Any]:
    return {"error": {"code": error.code, "problems": [p.to_dict() for p in error.problems]}}
