"""Authority and remedies: PE401 role-without-authority, PE402 authority-shrinks,
PE403 remedy-unapprovable, PE404 remedy-without-sunset, PE405 review-after-sunset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ...compile.policy import Limit, derived_facts, limit_order, policy_calendars
from ...core.diagnostics import Diagnostic, Severity, Span
from ...compile.ladder import ends_after
from ...model.nodes import Policy

if TYPE_CHECKING:  # pragma: no cover
    from .. import LintContext

E, W = Severity.ERROR, Severity.WARNING


def _show(limit: Limit) -> str:
    if limit is None:
        return "not at all"
    if limit is True:
        return "without limit"
    return f"up to {limit:g}" if isinstance(limit, float) else f"up to {limit}"


def missing_rows(policy: Policy, context: LintContext) -> Iterator[Diagnostic]:
    rows = {g.role for g in policy.authority} | _declared_roles(policy)
    seen = set()
    for lv in policy.ladder.levels:
        if lv.role in rows or lv.role in seen:
            continue
        seen.add(lv.role)
        hint = (f"add `{lv.role}: {{}}` under `authority` (an advisory role may have no powers)"
                if lv.advisory else
                f"add a row `{lv.role}: {{<action>: true | <limit> | false}}` under `authority`")
        yield Diagnostic.at("PE401", E, f"level `{lv.id}`: role `{lv.role}` has no row in "
                            "`authority`", policy.span_at(*lv.path, "role"), hint=hint,
                            element=f"ladder.{lv.id}.role")


def _declared_roles(policy: Policy) -> set[str]:
    """Roles with a row in ``authority`` (an empty row ``{}`` has no grants but counts)."""
    if policy.sourcemap is None:
        return set()
    return {path[1] for path, _ in policy.sourcemap.items()
            if len(path) == 2 and path[0] == "authority"}


def shrinking(policy: Policy, context: LintContext) -> Iterator[Diagnostic]:
    derived = derived_facts(policy)
    path = derived.deciders
    rows = {g.role for g in policy.authority} | _declared_roles(policy)
    for lower, upper in zip(path, path[1:]):
        if upper.role not in rows:
            continue  # PE401 reports the missing row; every action would repeat it
        for action in policy.actions:
            a, b = derived.limit(lower.role, action.id), derived.limit(upper.role, action.id)
            if a is None or limit_order(b) >= limit_order(a):
                continue
            cell = policy.grant(upper.role, action.id)
            span = cell.span if cell is not None and cell.span is not None else \
                _row_span(policy, upper.role)
            if span is None:
                span = policy.span_at(*upper.path, "role")
            low = policy.grant(lower.role, action.id)
            related = (((f"`{lower.role}` may approve it {_show(a)}", low.span),)
                       if low is not None and low.span is not None else ())
            yield Diagnostic.at(
                "PE402", E,
                f"authority shrinks going up: `{lower.role}` (level `{lower.id}`) may approve "
                f"`{action.id}` {_show(a)}, but `{upper.role}` (level `{upper.id}`, next above) "
                f"{'may not' if b is None else 'only ' + _show(b)}", span,
                hint=f"give `{upper.role}` at least `{action.id}: "
                     f"{'true' if a is True else a}`", related=related,
                element=f"authority.{upper.role}.{action.id}")


def _row_span(policy: Policy, role: str) -> Span | None:
    """The span of the role's key in ``authority`` (None when it has no row)."""
    if policy.sourcemap is None:
        return None
    entry = policy.sourcemap.get(("authority", role))
    return entry.key_span if entry is not None else None


def unapprovable(policy: Policy, context: LintContext) -> Iterator[Diagnostic]:
    roles = [lv.role for lv in policy.ladder.levels]
    derived = derived_facts(policy)
    deciders = derived.deciders or derived.levels or policy.ladder.levels
    top = deciders[-1].role
    for r in policy.remedies:
        if policy.action(r.action) is None:
            continue  # PE204 at load
        if any(derived.limit(role, r.action) is not None for role in roles):
            continue
        yield Diagnostic.at("PE403", E, f"remedy `{r.id}`: no role on the ladder may approve "
                            f"`{r.action}`", policy.span_at(*r.path, "action"),
                            hint=f"grant `{r.action}` to a role under `authority`, e.g. "
                                 f"`{top}: {{{r.action}: true}}`",
                            element=f"remedies.{r.id}.action")


def sunsets(policy: Policy, context: LintContext) -> Iterator[Diagnostic]:
    for r in policy.remedies:
        if r.sunset is None:
            yield Diagnostic.at("PE404", E, f"remedy `{r.id}` has no `sunset`: it would never "
                                "lapse", policy.span_at(*r.path, "id"),
                                hint="add `sunset: 90d` (or the term the contract sets)",
                                element=f"remedies.{r.id}")
        elif r.review_every is not None:
            late = [cal for cal in policy_calendars(policy)
                    if ends_after(r.review_every, r.sunset, cal, strict=False)]
            if late:
                yield Diagnostic.at(
                    "PE405", W, f"remedy `{r.id}`: `review_every` ({r.review_every}) is not "
                    f"shorter than `sunset` ({r.sunset}): the remedy lapses before its review",
                    policy.span_at(*r.path, "review_every"),
                    hint="shorten `review_every`, or remove it", element=f"remedies.{r.id}")


from ._rule import Rule  # noqa: E402

RULES = (
    Rule("role-without-authority", ("PE401",), missing_rows),
    Rule("authority-shrinks", ("PE402",), shrinking),
    Rule("remedy-unapprovable", ("PE403",), unapprovable),
    Rule("remedy-sunsets", ("PE404", "PE405"), sunsets),
)
