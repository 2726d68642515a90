"""Logic (PE5xx), proved with the z3 solver, one rule per code: PE501 threshold-gap, PE502 band-unreachable,
PE503 category-unreachable, PE504 category-overlap, PE505 unclassified-disputes,
PE506 condition-never-holds, PE507 condition-always-holds, PE508 remedy-exceeds-authority,
PE509 analysis-timeout, PE510 expression-can-fail.

The checks themselves live in :mod:`policyengine.analysis.coverage`; this module places each
finding at the YAML span of its rule and words it. The rules of one lint run share one run of
the checks, which runs only the checks the enabled rules need (``check_coverage(codes=...)``). They run only on a policy that loaded without
errors (the decision procedure of a broken policy is not defined).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ...core.codes import REGISTRY
from ...compile.policy import loaded_program
from ...core.diagnostics import Diagnostic, Severity, Span
from ...model.nodes import Expression, Policy
from ._rule import Rule

if TYPE_CHECKING:  # pragma: no cover
    from ...analysis.coverage import Finding
    from .. import LintContext

#: (code, severity, message, hint, extra: span, related, element)
_Message = tuple[str, Severity, str, str | None, dict[str, Any]]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
MAX_FACTS_SHOWN = 3


#: The logic rules, one per code, in the order they report (PE509 last: it reports the
#: checks of the others that the solver could not finish).
LOGIC_CODES = ("PE501", "PE502", "PE503", "PE504", "PE505", "PE506", "PE507", "PE508",
               "PE510", "PE509")


def _findings(policy: Policy, context: LintContext) -> dict[str, list[Diagnostic]] | None:
    """The logic diagnostics of ``policy`` by code, from one run of the checks the enabled
    logic rules need (shared by the rules of one lint run: ``context.memo``); None when the
    policy loaded with errors (its decision procedure is not defined)."""
    if loaded_program(policy) is None:
        return None
    memo = context.memo
    if memo.get("logic-policy") is policy:
        found: dict[str, list[Diagnostic]] = memo["logic"]
        return found
    from ...analysis import DEFAULT_BUDGET, DEFAULT_TIMEOUT, check_coverage

    codes = None if context.codes is None else \
        frozenset(c for c in context.codes if c in LOGIC_CODES and c != "PE509")
    report = check_coverage(
        policy, as_of=context.as_of, timeout=context.solver_timeout or DEFAULT_TIMEOUT,
        budget=context.analysis_budget or DEFAULT_BUDGET, codes=codes)
    words = _Words(policy, context)
    found = {}
    for f in report.findings:
        d = words.diagnostic(f)
        found.setdefault(d.code, []).append(d)
    memo["logic-policy"], memo["logic"] = policy, found
    return found


def _rule(code: str) -> Rule:
    def check(policy: Policy, context: LintContext) -> list[Diagnostic]:
        if code == "PE509" and context.memo.get("logic-policy") is not policy:
            return []  # no other logic check ran: none was skipped
        found = _findings(policy, context)
        return [] if found is None else found.get(code, [])

    check.__name__ = check.__qualname__ = REGISTRY[code].name.replace("-", "_")
    return Rule(REGISTRY[code].name, (code,), check, logic=True)


RULES = tuple(_rule(code) for code in LOGIC_CODES)


class _Words:
    def __init__(self, policy: Policy, context: LintContext) -> None:
        self.policy = policy
        self.context = context
        self.cats = policy.categories

    # -- places --------------------------------------------------------------------------------
    def rule(self, subject: tuple[Any, ...]) -> tuple[Any, str, str]:
        """(model node, how messages name it, element) of a finding's subject."""
        kind = subject[0]
        if kind == "band":
            cat, b = self.cats[subject[1]], subject[2]
            return (cat.bands[b], f"category `{cat.id}`: band {b + 1}",
                    f"categories.{cat.id}.thresholds[{b}]")
        if kind == "category":
            cat = self.cats[subject[1]]
            return cat, f"category `{cat.id}`", f"categories.{cat.id}"
        if kind in ("override", "remedy"):
            node = (self.policy.overrides if kind == "override" else self.policy.remedies)[
                subject[1]]
            return node, f"{kind} `{node.id}`", f"{kind}s.{node.id}"
        return None, "categories", "categories"

    def name(self, subject: tuple[Any, ...]) -> str:
        return self.rule(subject)[1]

    def element(self, subject: tuple[Any, ...]) -> str:
        return self.rule(subject)[2]

    def expression(self, subject: tuple[Any, ...]) -> Expression | None:
        return getattr(self.rule(subject)[0], "when", None)

    def span(self, subject: tuple[Any, ...]) -> Span | None:
        node = self.rule(subject)[0]
        expr: Expression | None = getattr(node, "when", None)
        if expr is not None and expr.span is not None:
            return expr.span
        if node is None:
            return self.key_span(("categories",))
        return self.policy.span_at(*node.path, "otherwise" if subject[0] == "band" else "id")

    def key_span(self, path: tuple[Any, ...]) -> Span | None:
        smap = self.policy.sourcemap
        return smap.key_span(path) if smap is not None else None

    def related(self, subjects: Iterable[tuple[Any, ...]]) -> tuple[tuple[str, Span], ...]:
        out = []
        for s in subjects:
            span = self.span(s)
            if span is None:
                continue
            if s[0] == "band":
                band = self.cats[s[1]].bands[s[2]]
                shown = "`otherwise`" if band.when is None else f"`{band.when.text}`"
                out.append((f"band {s[2] + 1} ({shown}) comes first", span))
            elif s[0] == "category":
                out.append((f"category `{self.cats[s[1]].id}` comes first", span))
        return tuple(out)

    def facts(self, witness: dict[Any, Any] | None, exprs: Iterable[Expression | None]) -> str:
        """``amount`` = 10000.0 and ``kind`` = `pricing`, for the facts the rules read."""
        from ...analysis.witness import show_value

        if not witness:
            return ""
        reads: list[str] = []
        for e in exprs:
            if e is not None and e.analysis is not None:
                reads.extend(p for p in e.analysis.reads if p not in reads)
        order = [fv for fv in _paths(self.policy) if fv in reads][:MAX_FACTS_SHOWN]
        shown = []
        for path in order:
            value: Any = witness["facts"]
            for key in path.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None:
                shown.append(f"`{path}` = {show_value(value)}")
        return ", ".join(shown)

    # -- messages ------------------------------------------------------------------------------
    def diagnostic(self, f: Finding) -> Diagnostic:
        method = getattr(self, "_" + f.kind.replace("-", "_"))
        code, severity, message, hint, extra = method(f)
        if f.possible and f.uncertain:
            parts = ", ".join(f"`{t}`" for t in f.uncertain[:2])
            message += f" (possible: it depends on {parts}, which the analysis cannot decide " \
                "exactly)"
        elif f.possible:
            message += " (possible: the solver finds such disputes, but no example was " \
                "reproduced by the evaluator)"
        span = extra.get("span", self.span(f.subject))
        return Diagnostic.at(code, severity, message, span, file=self.policy.path,
                             hint=hint, related=extra.get("related", self.related(f.related)),
                             witness=f.witness, element=extra.get("element",
                                                                  self.element(f.subject)))

    def _gap(self, f: Finding) -> _Message:
        cat = self.cats[f.subject[1]]
        shown = self.facts(f.witness, [b.when for b in cat.bands] or [cat.when])
        where = f"for {shown}" if shown else "for some disputes"
        return ("PE501", E, f"category `{cat.id}`: no band holds {where}: such disputes are "
                "refused (`threshold_gap`)",
                "end the thresholds with `{otherwise: <level>}`, or widen a band to cover the "
                "witness", {"span": self.key_span((*cat.path, "thresholds")),
                            "element": f"categories.{cat.id}.thresholds"})

    def _band_unreachable(self, f: Finding) -> _Message:
        i, b = f.subject[1], f.subject[2]
        band = self.cats[i].bands[b]
        if band.when is None:
            return ("PE502", W, f"category `{self.cats[i].id}`: band {b + 1} (`otherwise`) is "
                    "never reached: the bands before it cover every dispute of the category",
                    "remove it, or make the last band before it `otherwise`", {})
        return ("PE502", W, f"{self.name(f.subject)} (`{band.when.text}`) is never reached: "
                "earlier bands cover every dispute it matches",
                "put narrower bands first, or remove this one", {})

    def _band_outside_category(self, f: Finding) -> _Message:
        i, b = f.subject[1], f.subject[2]
        band = self.cats[i].bands[b]
        cat = self.cats[i]
        related = ((f"the category's condition is `{cat.when.text}`", cat.when.span),) \
            if cat.when.span is not None else ()
        return ("PE502", W, f"{self.name(f.subject)} (`{band.when.text}`) is never reached: "
                "no dispute of the category satisfies it",
                "check the band against the category's `when`", {"related": related})

    def _category_unreachable(self, f: Finding) -> _Message:
        cat = self.cats[f.subject[1]]
        return ("PE503", W, f"category `{cat.id}` is never chosen: earlier categories cover "
                "every dispute it matches",
                "move it before the categories that cover it, or narrow them", {})

    def _overlap(self, f: Finding) -> _Message:
        later, earlier = self.cats[f.subject[1]], self.cats[f.other]
        shown = self.facts(f.witness, [later.when, earlier.when])
        example = f", e.g. for {shown}" if shown else ""
        return ("PE504", W, f"categories `{earlier.id}` and `{later.id}` can both hold"
                f"{example}: `{earlier.id}` comes first and wins",
                "make the conditions exclude each other; a later category may overlap an "
                "earlier one only as its fallback, holding for every dispute the earlier one "
                "decides", {"element": f"categories.{later.id}~categories.{earlier.id}"})

    def _unclassified(self, f: Finding) -> _Message:
        shown = self.facts(f.witness, [c.when for c in self.cats])
        example = f", e.g. for {shown}" if shown else ""
        return ("PE505", W, f"some disputes match no category{example}: they are refused "
                "(`unclassified`)",
                "add a catch-all category last (`when: \"true\"`), or widen a category",
                {"span": self.key_span(("categories",))})

    def _never_holds(self, f: Finding) -> _Message:
        expr = self.expression(f.subject)
        assert expr is not None  # the finding is about this condition
        return ("PE506", W, f"{self.name(f.subject)}: the condition `{expr.text}` never holds",
                "fix the condition, or remove the rule", {})

    def _never_holds_here(self, f: Finding) -> _Message:
        expr = self.expression(f.subject)
        assert expr is not None  # the finding is about this condition
        users = ", ".join(f"`{self.cats[s[1]].id}`" for s in f.related)
        return ("PE506", W, f"{self.name(f.subject)}: the condition `{expr.text}` never holds "
                f"for a dispute of the categories that list it ({users})",
                "fix the condition, or list the remedy under the categories it is meant for",
                {"related": ()})

    def _always_holds(self, f: Finding) -> _Message:
        kind = f.subject[0]
        if kind == "category":
            cat = self.cats[f.subject[1]]
            n = f.dead
            after = "the category after it is" if n == 1 else f"the {n} categories after it are"
            return ("PE507", W, f"category `{cat.id}`: the condition `{cat.when.text}` always "
                    f"holds: {after} never chosen",
                    "move this catch-all to the end of `categories`", {})
        if kind == "band":
            band = self.cats[f.subject[1]].bands[f.subject[2]]
            n = f.dead
            after = ("the band after it is" if n == 1 else f"the {n} bands after it are") + \
                " never reached"
            if band.when is None:
                return ("PE507", W, f"{self.name(f.subject)} is `otherwise`: {after}",
                        "move `otherwise` last", {})
            return ("PE507", W, f"{self.name(f.subject)}: the condition `{band.when.text}` "
                    f"always holds when it is reached: {after}",
                    "make this band `otherwise` and remove the bands after it, or narrow it",
                    {})
        ov = self.policy.overrides[f.subject[1]]
        return ("PE507", W, f"override `{ov.id}`: the condition `{ov.when.text}` always holds: "
                f"every dispute is raised to at least `{ov.min_level}`",
                "narrow the condition; to start every dispute higher, change the bands", {})

    def _exceeds_authority(self, f: Finding) -> _Message:
        r = self.policy.remedies[f.subject[1]]
        shown = self.facts(f.witness, [r.amount, r.when])
        example = f", e.g. for {shown}" if shown else ""
        limit = f"{f.limit:g}" if isinstance(f.limit, float) else str(f.limit)
        return ("PE508", W, f"remedy `{r.id}`: the amount `{r.amount.text}` can exceed every "
                f"authority on the ladder (at most {limit} for `{r.action}`){example}: no "
                "level may authorize it",
                f"give the top level's role `{r.action}: true` (or a higher limit), or cap the "
                "amount", {"span": r.amount.span, "element": f"remedies.{r.id}.amount"})

    def _can_fail(self, f: Finding) -> _Message:
        expr = f.expression
        shown = self.facts(f.witness, [expr])
        example = f" for {shown}" if shown else ""
        why = ""
        if f.message:
            why = f" ({f.message.split(' failed: ', 1)[-1]})"
        return ("PE510", E, f"{self.name(f.subject)}: `{expr.text}` can fail with an "
                f"error{why}{example}: such disputes are refused (`evaluation_error`)",
                "guard the operation (`count != 0 && 10 / count >= 3`, `has(m.k)`, "
                "`size(l) > i`), or bound the fact (`min: 1`)",
                {"span": expr.span, "element": expr.element})

    def _timeout(self, f: Finding) -> _Message:
        timeout = getattr(self.context, "solver_timeout", None)
        limit = f" within {timeout:g}s" if timeout else ""
        return ("PE509", I, f"{self.name(f.subject)}: the solver could not decide {f.question}"
                f"{limit}: that check was skipped",
                "raise `solver-timeout` in the configuration, or simplify the condition", {})

    def _budget(self, f: Finding) -> _Message:
        return ("PE509", I, "the logic analysis ran out of its time budget: the remaining "
                "checks were skipped",
                "raise `analysis-budget` in the configuration", {"span": self.key_span(
                    ("categories",)), "element": "categories"})


def _paths(policy: Policy) -> list[str]:
    """Every scalar fact path, in the order the rulebook declares them."""
    out: list[tuple[Any, ...]] = []
    stack = list(policy.facts)
    while stack:
        decl = stack.pop()
        if decl.type == "map":
            stack.extend(decl.fields)
        else:
            where = (decl.span.line, decl.span.column) if decl.span is not None else (0, 0)
            out.append((where, decl.path))
    return [path for _, path in sorted(out)]
