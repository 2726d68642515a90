"""RawDocument -> Policy: declarations, id resolution, references and expressions.

Runs after the schema has accepted the document's shape, so every access here can trust types
and required keys; what the schema cannot say (references between ids, facts' defaults against
their own declarations, expressions against the facts) is checked here and reported as
diagnostics. Nothing is raised for bad user input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence, TypeVar, cast

from ..core.calendar import Duration, parse_date
from ..core.diagnostics import Diagnostic, Severity, Span
from ..load.reader import span_of
from ..load.sourcemap import Entry, SourceMap
from ..load.schema import describe_path, json_type, yaml11_warning
from ..core.suggest import did_you_mean, one_of
from ..core.limits import INT64_MAX, INT64_MIN
from .reserved import RESERVED_KEYS as RESERVED_KEYS  # keys of a dispute that are not facts
from .values import default_problem, value_violation
from .nodes import (Action, CalendarDecl, CalendarRule, Category, DerivedCount, Expression,
                    FactDecl, Grant, Ladder, Level, Metadata, Override, Policy, Remedy,
                    new_band, new_category, new_expression)

E, W = Severity.ERROR, Severity.WARNING

RESERVED_WORDS = frozenset({
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
    "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void",
    "while", "and", "or", "not",
})
_SIGNED_DURATION = __import__("re").compile(r"^(-)?([0-9]{1,5})(d|w|bd)$")
_UNDER_BUDGET: Any = object()  # an expression's cost that needs no finding (no comprehension)


if TYPE_CHECKING:  # pragma: no cover
    from ..expr import Environment

_T = TypeVar("_T")


def _draft(part: _T | None) -> _T:
    """A required part of a node that could not be built (its error is already reported: the
    schema's or this builder's). The node holding it belongs to a *draft*: a policy with errors,
    which the pipeline never compiles and lint reads only for what it can still check."""
    return cast(_T, part)


class _Builder:
    def __init__(self, data: dict[Any, Any], smap: SourceMap):
        self.data = data
        self.smap = smap
        self.diags: list[Diagnostic] = []
        self.env: Environment | None = None
        # (text, expect) -> (analysis, canonical text, cost): a rulebook repeats its band
        # conditions (`amount < 10000.0`) many times; within one load (one environment) each
        # distinct text is parsed, checked, printed and costed once. Spans inside an analysis
        # are relative to the text, so one analysis serves every place the text appears.
        self._analyses: dict[tuple[str, str], tuple[Any, str, Any]] = {}
        from ..expr import analyze, print_expression
        from ..expr.ast import shape
        from ..expr.cost import STEP_BUDGET, estimate

        # imported once per load (an import in a function costs microseconds per call)
        self._expr = (analyze, print_expression, shape, estimate, STEP_BUDGET)

    # -- helpers -----------------------------------------------------------------------------
    def span(self, path: Iterable[Any]) -> Span | None:
        return self.smap.value_span(tuple(path))

    def key_span(self, path: Iterable[Any]) -> Span | None:
        return self.smap.key_span(tuple(path))

    def report(self, code: str, severity: Severity, path: tuple[Any, ...], message: str,
               hint: str | None = None, *, span: Span | None = None,
               related: Iterable[tuple[str, Span]] = (),
               element: str | None = None) -> None:
        where = describe_path(self.data, path)
        self.diags.append(Diagnostic.at(
            code, severity, f"{where}: {message}" if where else message,
            span if span is not None else self.span(path), hint=hint, related=related,
            element=element or ".".join(str(p) for p in path)))

    def duration(self, path: tuple[Any, ...], value: Any) -> Duration | None:
        if value is None:
            return None
        try:
            return Duration.parse(value)
        except ValueError:
            return None  # the schema has reported it

    def unique(self, items: list[tuple[str, tuple[Any, ...]]], kind: str) -> None:
        first: dict[str, tuple[Any, ...]] = {}
        for ident, path in items:
            if ident in first:
                earlier = self.span(first[ident] + ("id",))
                self.report("PE201", E, (), f"duplicate {kind} id `{ident}`",
                            f"give each {kind} its own id", span=self.span(path + ("id",)),
                            related=(("first defined here", earlier),) if earlier else (),
                            element=".".join(str(p) for p in path + ("id",)))
            else:
                first[ident] = path

    def reference(self, code: str, kind: str, value: str, known: Iterable[str],
                  path: tuple[Any, ...]) -> bool:
        known = list(known)
        if value in known:
            return True
        hint = did_you_mean(value, known) or (f"define it, or use {one_of(known)}" if known
                                              else f"define the {kind} first")
        self.report(code, E, path, f"unknown {kind} `{value}`", hint)
        return False

    # -- sections ----------------------------------------------------------------------------
    def build(self) -> Policy | None:
        meta = self.metadata()
        facts = self.facts()
        self.environment(facts)
        ladder = self.ladder()
        actions = self.actions()
        action_ids = [a.id for a in actions]
        level_ids = [lv.id for lv in ladder.levels]
        roles = sorted({lv.role for lv in ladder.levels})
        authority = self.authority(action_ids, roles)
        remedies = self.remedies(action_ids)
        remedy_ids = [r.id for r in remedies]
        categories = self.categories(level_ids, remedy_ids)
        overrides = self.overrides(level_ids)
        used = {rid for c in categories for rid in c.remedies}
        for r in remedies:
            if r.id not in used:
                self.report("PE206", W, (), f"no category lists remedy `{r.id}`",
                            "list it under a category's `remedies`, or delete it",
                            span=self.span(r.path + ("id",)), element=f"remedies.{r.id}")
        calendar = self.calendar(facts) if "calendar" in self.data else None
        if meta is None:
            return None
        # Mapping-derived collections are sorted: key order in YAML carries no meaning, and two
        # policies that mean the same must compare equal.
        facts = sorted(facts, key=lambda f: f.name)
        actions = sorted(actions, key=lambda a: a.id)
        authority = sorted(authority, key=lambda g: (g.role, g.action))
        return Policy(meta, tuple(facts), ladder, tuple(actions), tuple(authority),
                      tuple(categories), tuple(overrides), tuple(remedies), calendar,
                      path=None, sourcemap=self.smap)

    def metadata(self) -> Metadata | None:
        m = self.data["policy"]
        dates = {}
        for key in ("effective", "expires"):
            if key in m:
                try:
                    dates[key] = parse_date(m[key])
                except ValueError as exc:
                    self.report("PE104", E, ("policy", key), str(exc),
                                "write a real calendar date as YYYY-MM-DD")
                    return None
        return Metadata(m["id"], m["title"], m["version"], dates["effective"],
                        dates.get("expires"), tuple(m["owners"]), m.get("description"),
                        span=self.span(("policy", "id")))

    def facts(self) -> list[FactDecl]:
        facts = [self.fact(name, decl, ("facts", name), name)
                 for name, decl in self.data["facts"].items()]
        self.check_derived(facts)
        return facts

    def derived(self, decl: dict[Any, Any], path: tuple[Any, ...], ftype: str, nested: bool
                ) -> DerivedCount | None:
        """``derived: {count: disputes, within: 90d, same: [partner.id]}`` (PE120, PE121)."""
        raw = decl.get("derived")
        if raw is None:
            return None
        dpath = path + ("derived",)
        ok = True
        if nested:
            self.report("PE120", E, dpath, "only a top-level fact can be derived from the ledger",
                        "declare the derived fact at the top level of `facts`")
            ok = False
        elif ftype != "int":
            self.report("PE120", E, dpath, f"a derived count is an `int` fact, not `{ftype}`",
                        "use `type: int`", span=self.span(path + ("type",)))
            ok = False
        if "default" in decl:
            self.report("PE120", E, path + ("default",), "a derived fact cannot have a default: "
                        "the ledger computes it, and a caller without a ledger must give it",
                        "remove `default`", span=self.span(path + ("default",)))
            ok = False
        text = raw.get("within")
        within = None
        m = _SIGNED_DURATION.match(text.strip()) if isinstance(text, str) else None
        if m is None:
            self.report("PE121", E, dpath + ("within",), f"`{text}` is not a window",
                        "write a positive number of days or weeks, e.g. `90d` or `12w`")
            ok = False
        elif m.group(1) or int(m.group(2)) == 0:
            self.report("PE121", E, dpath + ("within",), f"the window `{text}` is not positive: "
                        "no dispute could be counted", "write a positive window, e.g. `90d`")
            ok = False
        elif m.group(3) == "bd":
            self.report("PE121", E, dpath + ("within",), f"the window `{text}` counts business "
                        "days; a look-back window is counted in calendar days or weeks",
                        f"write `{int(m.group(2)) * 7 // 5}d` or a number of weeks")
            ok = False
        else:
            within = Duration(int(m.group(2)), m.group(3))
        if not ok or within is None:
            return None
        return DerivedCount(str(raw.get("count", "disputes")), within,
                            tuple(str(x) for x in raw.get("same", ())), span=self.span(dpath))

    def check_derived(self, facts: list[FactDecl]) -> None:
        """Each path of a derived fact's ``same`` names a scalar fact that is not derived
        (PE210)."""
        scalars: dict[str, FactDecl] = {}
        stack = list(facts)
        while stack:
            f = stack.pop()
            if f.type == "map":
                stack.extend(f.fields)
            elif f.type != "list" and f.derived is None:
                scalars[f.path] = f
        for f in facts:
            if f.derived is None:
                continue
            for i, p in enumerate(f.derived.same):
                if p not in scalars:
                    known = sorted(scalars)
                    self.report("PE210", E, ("facts", f.name, "derived", "same", i),
                                f"`{p}` is not a fact a dispute carries",
                                did_you_mean(p, known) or
                                (f"use {one_of(known)}" if known else "declare the fact"))

    def fact(self, name: str, decl: dict[Any, Any], path: tuple[Any, ...], dotted: str) -> FactDecl:
        ftype = decl["type"]
        if len(path) == 2 and (name in RESERVED_WORDS or name in RESERVED_KEYS):
            self.report("PE104", E, path, f"`{name}` is reserved and cannot name a fact",
                        f"rename it, e.g. `{name}_value`", span=self.key_span(path))
        enum = decl.get("enum")
        if enum is not None:
            if ftype not in ("string", "int"):
                self.report("PE104", E, path + ("enum",), f"`enum` is for string and int facts, "
                            f"not `{ftype}`", "remove `enum`, or change the type")
                enum = None
            else:
                enum = tuple(self.coerce_enum(ftype, enum, path + ("enum",)))
        bounds: dict[str, Any] = {k: decl.get(k) for k in ("min", "max") if k in decl}
        if bounds and ftype not in ("int", "double"):
            self.report("PE111", E, path,
                        f"`min`/`max` are for int and double facts, not `{ftype}`",
                        "remove the bound, or change the type",
                        span=self.span(path + (next(iter(bounds)),)))
            bounds = {}
        for k, v in bounds.items():
            if ftype == "int" and isinstance(v, float) and not v.is_integer():
                self.report("PE111", E, path, f"`{k}: {v}` is not a whole number, "
                            "but the fact is an int", f"use `{k}: {int(v)}`",
                            span=self.span(path + (k,)))
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            self.report("PE111", E, path, f"`min` ({bounds['min']}) is above `max` "
                        f"({bounds['max']}): no value is valid", "swap them",
                        span=self.span(path + ("min",)))
        for k, v in bounds.items():
            if ftype == "int" and isinstance(v, (int, float)) and not INT64_MIN <= v <= INT64_MAX:
                self.report("PE111", E, path, f"`{k}` is outside the int range (64 bits): no "
                            "dispute can give such a value", "use a bound between "
                            f"{INT64_MIN} and {INT64_MAX}, or `type: double`",
                            span=self.span(path + (k,)))
        sizes = {}
        for k, kind in (("max_items", "list"), ("max_length", "string")):
            if k in decl:
                if ftype != kind:
                    self.report("PE111", E, path, f"`{k}` is for {kind} facts, not `{ftype}`",
                                f"remove `{k}`, or change the type", span=self.span(path + (k,)))
                else:
                    sizes[k] = decl[k]
        fields: tuple[FactDecl, ...] = ()
        if ftype == "map":
            fields = tuple(sorted((self.fact(k, v, path + ("fields", k), f"{dotted}.{k}")
                                  for k, v in decl["fields"].items()), key=lambda f: f.name))
        items = None
        if ftype == "list":
            items = self.fact("[]", decl["items"], path + ("items",), f"{dotted}[]")
        has_default = "default" in decl
        default = decl.get("default")
        draft = FactDecl(name, dotted, ftype, enum, bounds.get("min"), bounds.get("max"),
                         False, None, decl.get("unit"), decl.get("description"), fields, items,
                         max_items=sizes.get("max_items"), max_length=sizes.get("max_length"),
                         span=self.key_span(path))
        if has_default:
            default = self.check_default(draft, default, path + ("default",))
        derived = self.derived(decl, path, ftype, len(path) != 2)
        if derived is not None:
            has_default, default = False, None
        return FactDecl(name, dotted, ftype, enum, bounds.get("min"), bounds.get("max"),
                        has_default, default, decl.get("unit"), decl.get("description"), fields,
                        items, bool(decl.get("sensitive", False)), derived,
                        max_items=sizes.get("max_items"), max_length=sizes.get("max_length"),
                        span=self.key_span(path))

    def coerce_enum(self, ftype: str, values: list[Any], path: tuple[Any, ...]) -> list[Any]:
        out = []
        for i, v in enumerate(values):
            if ftype == "string" and not isinstance(v, str):
                entry = self.smap.get(path + (i,))
                if entry is not None and entry.style == "plain" and entry.raw is not None:
                    if entry.yaml11:
                        self.diags.append(yaml11_warning(entry.raw, v, entry.value_span))
                    v = entry.raw
                else:
                    self.report("PE104", E, path + (i,), f"enum value {json_type(v)} in a string "
                                "fact", "quote it")
            elif ftype == "int" and (not isinstance(v, int) or isinstance(v, bool)):
                self.report("PE104", E, path + (i,), f"enum value `{v}` is not a whole number, "
                            "but the fact is an int", "use whole numbers, or `type: string`")
                continue
            elif ftype == "int" and not INT64_MIN <= v <= INT64_MAX:
                self.report("PE104", E, path + (i,), "enum value is outside the int range (64 "
                            "bits): no dispute could give it", "use `type: string` for codes "
                            "this long")
                continue
            out.append(v)
        if len(set(out)) != len(out):
            self.report("PE104", E, path, "the enum repeats a value", "list each value once")
        return out

    def check_default(self, decl: FactDecl, value: Any, path: tuple[Any, ...]) -> Any:
        """Check a default against its own declaration; widen int -> double; coerce text."""
        if decl.type == "string" and not isinstance(value, str):
            entry = self.smap.get(path)
            if entry is not None and entry.style == "plain" and entry.raw is not None \
                    and not isinstance(value, (dict, list)):
                if entry.yaml11:
                    self.diags.append(yaml11_warning(entry.raw, value, entry.value_span))
                value = entry.raw
        problem = default_problem(decl, value)
        normalized = None if problem else value_violation(decl, value)[0]
        if problem:
            hint = None
            if decl.enum is not None and isinstance(value, (str, int)):
                hint = did_you_mean(str(value), [str(e) for e in decl.enum])
                hint = hint or f"use one of the fact's values: {one_of(str(e) for e in decl.enum)}"
            self.report("PE110", E, path[:-1], f"default {problem}",
                        hint or "make the default a valid value of the fact, or remove it",
                        span=self.span(path))
            return None
        return normalized

    def environment(self, facts: list[FactDecl]) -> None:
        from ..expr import Environment

        try:
            self.env = Environment.from_declarations({f.name: f.to_declaration() for f in facts})
        except Exception as exc:  # declarations already checked; keep going without types
            self.report("PE104", E, ("facts",), f"the facts cannot be used by expressions: {exc}")
            self.env = Environment.dynamic()

    def ladder(self) -> Ladder:
        lad = self.data["ladder"]
        levels = []
        for i, raw in enumerate(lad["levels"]):
            path = ("ladder", "levels", i)
            levels.append(Level(raw["id"], raw["title"], raw["role"],
                                _draft(self.duration(path + ("decide_within",),
                                                     raw["decide_within"])),
                                self.duration(path + ("respond_within",),
                                              raw.get("respond_within")),
                                raw.get("next"), bool(raw.get("advisory", False)),
                                raw.get("description"), span=self.span(path + ("id",)),
                                path=path))
        self.unique([(lv.id, lv.path) for lv in levels], "level")
        ids = [lv.id for lv in levels]
        entry = lad.get("entry", levels[0].id)
        if "entry" in lad:
            self.reference("PE202", "level", entry, ids, ("ladder", "entry"))
        for lv in levels:
            if lv.next is not None:
                self.reference("PE302", "level", lv.next, ids, lv.path + ("next",))
        return Ladder(tuple(levels), entry,
                      self.duration(("ladder", "max_resolution"), lad.get("max_resolution")),
                      "entry" in lad, span=self.span(("ladder",)))

    def actions(self) -> list[Action]:
        return [Action(k, v["title"], v.get("unit"), v.get("description"),
                       span=self.key_span(("actions", k)))
                for k, v in self.data.get("actions", {}).items()]

    def authority(self, action_ids: list[str], roles: list[str]) -> list[Grant]:
        grants = []
        for role, row in self.data.get("authority", {}).items():
            if role not in roles:
                hint = did_you_mean(role, roles) or (f"remove the row, or give a level this "
                                                     f"role; roles on the ladder: {one_of(roles)}")
                self.report("PE203", W, ("authority",), f"no level of the ladder has role "
                            f"`{role}`", hint, span=self.key_span(("authority", role)),
                            element=f"authority.{role}")
            for action, limit in row.items():
                path = ("authority", role, action)
                if action not in action_ids:
                    self.reference("PE204", "action", action, action_ids, path)
                    continue
                grants.append(Grant(role, action, limit, span=self.key_span(path)))
        return grants

    def remedies(self, action_ids: list[str]) -> list[Remedy]:
        out = []
        for i, raw in enumerate(self.data.get("remedies", [])):
            path = ("remedies", i)
            rid = raw["id"]
            self.reference("PE204", "action", raw["action"], action_ids, path + ("action",))
            out.append(Remedy(
                rid, raw["title"], raw["action"],
                self.expression(raw, "amount", path, f"remedies.{rid}.amount", "number"),
                self.expression(raw, "when", path, f"remedies.{rid}", "bool"),
                self.duration(path + ("sunset",), raw.get("sunset")),
                self.duration(path + ("review_every",), raw.get("review_every")),
                raw.get("description"), span=self.span(path + ("id",)), path=path))
        self.unique([(r.id, r.path) for r in out], "remedy")
        return out

    def categories(self, level_ids: list[str], remedy_ids: list[str]) -> list[Category]:
        out = []
        for i, raw in enumerate(self.data["categories"]):
            path = ("categories", i)
            cid = raw["id"]
            bands = []
            for j, rb in enumerate(raw["thresholds"]):
                bpath = path + ("thresholds", j)
                if "otherwise" in rb:
                    level, lpath = rb["otherwise"], bpath + ("otherwise",)
                else:
                    level, lpath = rb["level"], bpath + ("level",)
                self.reference("PE202", "level", level, level_ids, lpath)
                bands.append(new_band(j, level, self.expression(
                    rb, "when", bpath, f"categories.{cid}.thresholds[{j}]", "bool"),
                    self.span(bpath), bpath))
            for k, rid in enumerate(raw.get("remedies", [])):
                self.reference("PE205", "remedy", rid, remedy_ids, path + ("remedies", k))
            out.append(new_category(
                cid, raw["title"], raw["class"], raw.get("confidentiality", "internal"),
                _draft(self.expression(raw, "when", path, f"categories.{cid}", "bool")),
                tuple(bands),
                tuple(raw.get("remedies", [])), raw.get("description"),
                "confidentiality" in raw, self.span(path + ("id",)), path))
        self.unique([(c.id, c.path) for c in out], "category")
        return out

    def overrides(self, level_ids: list[str]) -> list[Override]:
        out = []
        for i, raw in enumerate(self.data.get("overrides", [])):
            path = ("overrides", i)
            self.reference("PE202", "level", raw["min_level"], level_ids, path + ("min_level",))
            out.append(Override(raw["id"], _draft(self.expression(raw, "when", path,
                                                                   f"overrides.{raw['id']}",
                                                                   "bool")),
                                raw["min_level"], raw["reason"],
                                span=self.span(path + ("id",)), path=path))
        self.unique([(o.id, o.path) for o in out], "override")
        return out

    # -- calendar ----------------------------------------------------------------------------
    def calendar(self, facts: list[FactDecl]) -> CalendarDecl | None:
        """``calendar:`` (docs/rulebook.md, "Business calendars"): codes, zones and the `by`
        fact are checked here, since a calendar that cannot be resolved cannot decide."""
        raw = self.data["calendar"]
        base = self.calendar_rule(raw, ("calendar",))
        by = raw.get("by")
        by_decl = None
        if by is not None:
            from .calendars import fact_path

            by_decl = fact_path(facts, by)
            if by_decl is None or by_decl.type != "string":
                strings = [f.path for f in _walk_facts(facts) if f.type == "string"]
                found = "is not a declared fact" if by_decl is None else \
                    f"is a `{by_decl.type}` fact, not a string fact"
                self.report("PE711", E, ("calendar", "by"), f"`{by}` {found}",
                            did_you_mean(by, strings) or (
                                f"name a string fact, e.g. {one_of(strings)}" if strings
                                else "declare a string fact (e.g. `region`) and name it"))
                by_decl = None
        regions = []
        for key, entry in (raw.get("regions") or {}).items():
            path = ("calendar", "regions", key)
            if by is None:
                self.report("PE711", E, ("calendar", "regions"), "`regions` without `by`: "
                            "no fact picks an entry", "add `by: <a string fact>`, e.g. "
                            "`by: region`", span=self.key_span(("calendar", "regions")))
                by = ""
            if by_decl is not None and by_decl.enum is not None and key not in by_decl.enum:
                values = [str(v) for v in by_decl.enum]
                self.report("PE712", E, path, f"`{key}` is not a value of fact `{by_decl.path}`",
                            did_you_mean(key, values) or f"use one of {one_of(values)}",
                            span=self.key_span(path), element=f"calendar.regions.{key}")
            regions.append((key, self.calendar_rule(entry, path)))
        regions.sort(key=lambda kv: kv[0])  # key order carries no meaning
        return CalendarDecl(base, raw.get("by"), tuple(regions), span=self.key_span(
            ("calendar",)))

    def calendar_rule(self, raw: dict[str, Any], path: tuple[Any, ...]) -> CalendarRule:
        from .calendars import holiday_code_problem, time_zones, timezone_known

        zone = raw.get("timezone")
        if zone is not None and not timezone_known(zone):
            self.report("PE717", E, path + ("timezone",), f"`{zone}` is not an IANA time zone",
                        did_you_mean(zone, time_zones(), cutoff=0.5)
                        or "write an IANA zone such as `America/New_York` or `Europe/London`",
                        element=".".join(path + ("timezone",)))
        code = raw.get("holidays")
        if code is not None:
            problem = holiday_code_problem(code)
            if problem is not None:
                message, hint = problem
                self.report("PE710", E, path + ("holidays",), message, hint,
                            element=".".join(path + ("holidays",)))
        closed: tuple[tuple[Any, Any], ...] | None = None
        if "closed" in raw:
            ranges = []
            for i, item in enumerate(raw["closed"]):
                where = path + ("closed", i)
                first_text, _, last_text = item.partition("..")
                try:
                    first = parse_date(first_text)
                    last = parse_date(last_text) if last_text else first
                except ValueError as exc:
                    self.report("PE104", E, where, str(exc), "write a real calendar date as "
                                "YYYY-MM-DD, or a range as `YYYY-MM-DD..YYYY-MM-DD`")
                    continue
                if last < first:
                    self.report("PE714", E, where, f"the range `{item}` ends before it starts",
                                f"write it as `{last_text}..{first_text}`",
                                element=".".join(str(p) for p in where))
                    continue
                ranges.append((first, last))
            closed = tuple(sorted(ranges))
        weekend = None
        if "weekend" in raw:
            from ..core.calendar import WEEKDAY_KEYS

            weekend = tuple(sorted(WEEKDAY_KEYS.index(d) for d in raw["weekend"]))
        return CalendarRule(zone, code, closed, weekend, raw.get("roll"),
                            span=self.key_span(path), path=path)

    # -- expressions -------------------------------------------------------------------------
    def expression(self, raw: dict[Any, Any], key: str, parent: tuple[Any, ...], element: str,
                   expect: str) -> Expression | None:
        if key not in raw:
            return None
        path = parent + (key,)
        value = raw[key]
        entry = self.smap.entries.get(path)
        if isinstance(value, bool):
            if entry is not None and entry.yaml11 and entry.raw is not None:
                self.diags.append(yaml11_warning(entry.raw, value, entry.value_span))
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = entry.raw if entry is not None and entry.raw else repr(value)
        else:
            text = value
        offsets = offsets_of(self.smap, entry, text) if entry is not None else None
        cached = self._analyses.get((text, expect))
        if cached is None:
            cached = self._analyses[(text, expect)] = self.analyzed(text, expect)
        analysis, canonical, cost = cached
        for issue in analysis.issues:
            self.report(issue.code, E if issue.severity == "error" else W, path, issue.message,
                        issue.hint, span=self.expr_span(entry, offsets, issue.start, issue.end),
                        element=element)
        if cost is not _UNDER_BUDGET:
            self.cost_diagnostic(cost, path, entry, element)
        return new_expression(text, canonical, "when" if expect == "bool" else "amount",
                              element, entry.value_span if entry else None, offsets, analysis)

    def analyzed(self, text: str, expect: str) -> tuple[Any, str, Any]:
        """(analysis, canonical text, cost estimate) of one distinct expression text: each is a
        function of the text and the environment alone, so the places that repeat a text
        share them. The cost is :data:`_UNDER_BUDGET` when it needs no finding, and is not
        estimated at all without a comprehension (the cost model's worst case is then one
        step per node)."""
        analyze, print_expression, shape, estimate, STEP_BUDGET = self._expr
        analysis = analyze(text, self.env, expect=expect)
        root = analysis.ast
        canonical = print_expression(root) if root is not None else text
        cost: Any = _UNDER_BUDGET
        if analysis.ok and root is not None:
            _, nodes, loops = shape(root)
            if loops or nodes > STEP_BUDGET:
                cost = estimate(root, self.env.declarations if self.env is not None else None)
                if cost.high <= STEP_BUDGET and cost.fixed <= STEP_BUDGET:
                    cost = _UNDER_BUDGET
        return analysis, canonical, cost

    def cost_diagnostic(self, cost: Any, path: tuple[Any, ...], entry: Any, element: str
                        ) -> None:
        """PE611 when every dispute would exceed the step budget, PE612 when disputes with
        lists and texts at their bounds may (``expr/cost.py``)."""
        from ..expr.cost import STEP_BUDGET

        span = entry.value_span if entry is not None else None
        if cost.fixed > STEP_BUDGET:
            self.report("PE611", E, path, f"the expression can take {cost.fixed:,} evaluation "
                        f"steps whatever the dispute holds, over the budget of {STEP_BUDGET:,}: "
                        "no dispute that reaches it could be decided",
                        "nested comprehensions multiply: iterate over fewer or shorter lists, "
                        "or give the system that sends the dispute the computation as a fact",
                        span=span, element=element)
        elif cost.high > STEP_BUDGET:
            hint = ("declare `max_items` (lists) and `max_length` (strings) on the facts it "
                    "goes through: without them 10,000 items and 100,000 characters are "
                    "assumed" if cost.assumed else
                    "lower the `max_items`/`max_length` of the facts it goes through, or avoid "
                    "nesting comprehensions")
            self.report("PE612", W, path, f"the expression may take up to {cost.high:,} "
                        f"evaluation steps, over the budget of {STEP_BUDGET:,}: disputes with "
                        "lists or texts that large are refused with `evaluation_error`", hint,
                        span=span, element=element)

    def expr_span(self, entry: Entry | None, offsets: Sequence[int] | None, start: int,
                  end: int) -> Span | None:
        if entry is None:
            return None
        if offsets is None:
            return entry.value_span
        n = len(offsets) - 1
        start = max(0, min(start, n))
        end = max(start + 1, min(end, n))
        return span_of(self.smap.source, offsets[start], offsets[min(end, n)])


def offsets_of(smap: SourceMap, entry: Entry | None, text: str) -> Sequence[int] | None:
    """:func:`expression_offsets`, as a ``range`` where the scalar is written as it reads
    (the usual case: no tuple of one number per character to build for every expression)."""
    if entry is None or entry.raw is None:
        return None
    raw = smap.source.text
    pos, end = entry.start, max(entry.end, entry.start)
    if text:
        first = raw.find(text[0], pos, end)
        if first >= 0 and first + len(text) <= end and raw.startswith(text, first):
            return range(first, first + len(text) + 1)  # its end is within the text
    return expression_offsets(smap, entry, text)


def expression_offsets(smap: SourceMap, entry: Entry | None, text: str
                       ) -> tuple[int, ...] | None:
    """Map each character of ``text`` to its offset in the file by aligning the parsed value
    with the raw scalar (quotes, escapes, folding and block indentation are skipped)."""
    if entry is None or entry.raw is None:
        return None
    raw = smap.source.text
    pos, end = entry.start, max(entry.end, entry.start)
    if text:
        # the usual case, a scalar written as it reads (plain, or quoted without escapes): the
        # walk below would match each character at once from the first one on
        first = raw.find(text[0], pos, end)
        if first >= 0 and first + len(text) <= end and raw.startswith(text, first):
            stop = first + len(text)
            return (*range(first, stop), min(stop, len(raw)))
    out = []
    for ch in text:
        while pos < end and raw[pos] != ch:
            pos += 1
        if pos >= end:  # could not align (an escape produced this character): stay put
            out.append(min(pos, len(raw)))
            continue
        out.append(pos)
        pos += 1
    out.append(min(pos, len(raw)))
    return tuple(out)


def _walk_facts(facts: Iterable[FactDecl]) -> list[FactDecl]:
    out: list[FactDecl] = []
    stack = list(reversed(list(facts)))
    while stack:
        f = stack.pop()
        out.append(f)
        stack.extend(reversed(f.fields))
    return out


def build_policy(data: dict[Any, Any], smap: SourceMap) -> tuple[Policy | None, list[Diagnostic]]:
    """Build the model from schema-valid data. Returns (policy or None, diagnostics)."""
    builder = _Builder(data, smap)
    policy = builder.build()
    return policy, builder.diags
