"""Reading a policy test file (``*.test.yaml``): the project's hostile-YAML loader, then
``schemas/policytest.schema.json``, then the checks that need the policy (every id an
expectation names must exist in it). Every problem is a Diagnostic at its file:line:col.

Codes are the loader's and the schema's own (PE0xx for the YAML, PE101-PE104 for the shape,
PE201 for a case name used twice, PE011 for a policy that cannot be read); a test file is
checked with the same rules, and the same words, as a rulebook.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..calendar import parse_date
from ..diagnostics import Diagnostic, Severity, Span, has_errors, sort_diagnostics
from ..load import parse_document, read_document
from ..load.sourcemap import SourceMap
from ..model.nodes import Policy
from ..schema import describe_path, json_type, load_schema, yaml11_warning

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema.protocols import Validator

#: a jsonschema ValidationError: read as the validator fills it (its stub types every attribute
#: with an `Unset` sentinel that a filled error never holds)
SchemaError = Any
from ..suggest import did_you_mean, one_of

DECISION_KEYS = ("category", "level", "role", "action", "respond_by", "decide_by", "remedies",
                 "warnings")
KNOWN_WARNINGS = ("no_authority",)
_TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number",
               "boolean": "true or false", "array": "a list", "object": "a mapping",
               "null": "empty"}
_KEY_HINTS = {
    "as_of": "decisions depend on the date: give `as_of: YYYY-MM-DD` in the case, or once at "
             "the top of the file",
    "policy": "the rulebook under test, relative to this file, e.g. `policy: acme.yaml`",
    "cases": "a list of cases, each with `name`, `dispute` and `expect`",
    "expect": "what the decision must be, e.g. `expect: {level: regional}`, or `expect: "
              "{error: invalid_facts}`",
}


@dataclass(frozen=True)
class Case:
    name: str
    note: str | None
    as_of: _dt.date | None  # None only in a file with errors (PE102: no date)
    dispute: dict[Any, Any]
    expect: dict[Any, Any]
    index: int
    line: int | None
    column: int | None


@dataclass
class TestFile:
    """A parsed test file; ``policy`` is set once the policy under test has loaded."""

    __test__ = False  # not a pytest test class

    path: str
    policy_path: str | None = None
    cases: list[Case] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    policy: Policy | None = None
    sourcemap: SourceMap | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics) and self.policy is not None


@functools.lru_cache(maxsize=None)
def _validator() -> Validator:
    import jsonschema

    schema = load_schema("policytest")
    return jsonschema.validators.validator_for(schema)(schema)


def _where(data: Any, path: tuple[Any, ...]) -> str:
    """``case `pricing, small`: expect: remedies: item 2``."""
    return describe_path(data, path, items={"cases": ("case", "name")})


def _at(smap: SourceMap, path: tuple[Any, ...], key: bool = False) -> Span | None:
    return smap.key_span(path) if key else smap.value_span(path)


def _convert(err: SchemaError, data: Any, smap: SourceMap) -> list[Diagnostic]:
    path = tuple(err.absolute_path)
    where = _where(data, path)
    prefix = f"{where}: " if where else ""
    v = err.validator
    if v in ("anyOf", "oneOf") and err.context:
        deeper = [e for e in err.context
                  if not (e.validator == "type" and tuple(e.absolute_path) == path)
                  and not (e.validator == "pattern" and not isinstance(err.instance, str))]
        if deeper and isinstance(err.instance, (dict, str)):
            out: list[Diagnostic] = []
            for sub in deeper:
                out.extend(_convert(sub, data, smap))
            return out
        wants = sorted({t for e in err.context if e.validator == "type"
                        for t in ([e.validator_value] if isinstance(e.validator_value, str)
                                  else e.validator_value)} | (
            {"string"} if any(e.validator == "pattern" for e in err.context) else set()))
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in wants) or "another value"
        return [Diagnostic.at("PE103", Severity.ERROR,
                              f"{prefix}expected {words}, found {json_type(err.instance)}",
                              _at(smap, path))]
    if v == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(err.schema.get("properties", {}))
        return [Diagnostic.at("PE101", Severity.ERROR, f"{prefix}unknown key `{k}`",
                              _at(smap, path + (k,), key=True),
                              hint=did_you_mean(k, allowed) or f"use {one_of(allowed)}")
                for k in err.instance if k not in allowed]
    if v == "required":
        return [Diagnostic.at("PE102", Severity.ERROR, f"{prefix}missing key `{k}`",
                              _at(smap, path, key=bool(path)), hint=_KEY_HINTS.get(k))
                for k in err.validator_value if k not in (err.instance or {})]
    if v == "type":
        wants = [err.validator_value] if isinstance(err.validator_value, str) \
            else list(err.validator_value)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in wants)
        return [Diagnostic.at("PE103", Severity.ERROR,
                              f"{prefix}expected {words}, found {json_type(err.instance)}",
                              _at(smap, path))]
    shown = f"`{err.instance}`" if isinstance(err.instance, (str, int, float)) \
        and not isinstance(err.instance, bool) else json_type(err.instance)
    hint = None
    if v == "enum":
        message = f"{shown} is not one of the allowed values"
        choices = [str(x) for x in err.validator_value]
        hint = did_you_mean(str(err.instance), choices) or f"use {one_of(choices)}"
    elif v == "pattern":
        is_date = "[0-9]{4}" in err.validator_value
        message = f"{shown} is not " + ("an ISO date (YYYY-MM-DD)" if is_date else "a valid id")
        hint = ("write the date as YYYY-MM-DD, e.g. 2026-11-22" if is_date else
                "start with a letter; then letters, digits, `_` or `-`")
    elif v == "minItems":
        message = "the list is empty"
    elif v == "minProperties":
        message = "the mapping is empty"
        hint = _KEY_HINTS.get(path[-1]) if path and isinstance(path[-1], str) else None
    elif v == "uniqueItems":
        message = "the list repeats an item"
    elif v == "minLength":
        message = "the text is empty"
    else:
        message = f"{shown} is not allowed here"
    return [Diagnostic.at("PE104", Severity.ERROR, prefix + message, _at(smap, path), hint=hint)]


def _schema_diagnostics(data: Any, smap: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err in _validator().iter_errors(data):
        out.extend(_convert(err, data, smap))
    return out


def _yaml11(data: Any, smap: SourceMap) -> list[Diagnostic]:
    """YAML 1.1 surprises inside disputes (``region: NO`` read as false): taken as the text
    written, as YAML 1.2 reads it, with a warning."""
    out = []
    for path, entry in list(smap.items()):
        if not (entry.yaml11 and entry.raw is not None and "dispute" in path and path):
            continue
        node = data
        for key in path[:-1]:
            node = node[key]
        out.append(yaml11_warning(entry.raw, node[path[-1]], entry.value_span))
        node[path[-1]] = entry.raw
    return out


def parse_test_file(path: str, display: str | None = None, *, text: str | bytes | None = None
                    ) -> TestFile:
    """Read and check the shape of one test file (the policy is not loaded here)."""
    name = display if display is not None else path
    doc = (parse_document(text, name) if text is not None
           else read_document(path, display=name))
    result = TestFile(name, diagnostics=list(doc.diagnostics), sourcemap=doc.sourcemap)
    if doc.data is None or has_errors(result.diagnostics):
        if doc.data is None and not result.diagnostics:
            result.diagnostics.append(Diagnostic.at(
                "PE010", Severity.ERROR, "the file holds no policy tests", None, file=name,
                hint="start with `policy: <rulebook>.yaml` and `cases:`"))
        return result
    data, smap = doc.data, doc.sourcemap
    assert smap is not None  # a document with data has its source map
    result.diagnostics.extend(_schema_diagnostics(data, smap))
    if has_errors(result.diagnostics):
        result.diagnostics = sort_diagnostics(result.diagnostics)
        return result
    result.diagnostics.extend(_yaml11(data, smap))
    folder = os.path.dirname(name)
    result.policy_path = os.path.normpath(os.path.join(folder, data["policy"]))
    default_day = _date(data.get("as_of"), ("as_of",), smap, result.diagnostics)
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["cases"]):
        span = smap.value_span(("cases", i, "name"))
        if raw["name"] in seen:
            first = smap.value_span(("cases", seen[raw["name"]], "name"))
            result.diagnostics.append(Diagnostic.at(
                "PE201", Severity.ERROR, f"case name `{raw['name']}` is used twice", span,
                hint="give each case its own name: failures are reported by name",
                related=(("first used here", first),) if first else ()))
        seen.setdefault(raw["name"], i)
        day = (_date(raw["as_of"], ("cases", i, "as_of"), smap, result.diagnostics)
               if "as_of" in raw else default_day)
        if "error" in raw["expect"] and len(raw["expect"]) > 1:
            extra = ", ".join(f"`{k}`" for k in raw["expect"] if k != "error")
            result.diagnostics.append(Diagnostic.at(
                "PE104", Severity.ERROR, f"{_where(data, ('cases', i))}: expect: `error` "
                f"cannot be combined with {extra}",
                smap.key_span(("cases", i, "expect", "error")),
                hint="a refused dispute has no decision: keep `error` alone"))
        result.cases.append(Case(raw["name"], raw.get("note"), day, raw["dispute"],
                                 raw["expect"], i, span.line if span else None,
                                 span.column if span else None))
    result.diagnostics = sort_diagnostics(result.diagnostics)
    return result


def _date(text: Any, path: tuple[Any, ...], smap: SourceMap, diags: list[Any]) -> _dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError:
        diags.append(Diagnostic.at("PE104", Severity.ERROR, f"`{text}` is not a real date",
                                   smap.value_span(path),
                                   hint="write the date as YYYY-MM-DD, e.g. 2026-11-22"))
        return None


def check_against_policy(test: TestFile, policy: Policy) -> list[Diagnostic]:
    """Every id an expectation names must exist in the policy under test."""
    smap = test.sourcemap
    known = {
        "category": [c.id for c in policy.categories],
        "level": [lv.id for lv in policy.ladder.levels],
        "role": sorted({lv.role for lv in policy.ladder.levels}),
        "remedies": [r.id for r in policy.remedies],
        "warnings": list(KNOWN_WARNINGS),
    }
    kinds = {"category": "a category", "level": "a level", "role": "a role on the ladder",
             "remedies": "a remedy", "warnings": "a decision warning code"}
    out: list[Diagnostic] = []

    def check(value: Any, key: str, path: tuple[Any, ...], where: str) -> None:
        if isinstance(value, str) and value not in known[key]:
            hint = did_you_mean(value, known[key]) or (f"use {one_of(known[key])}"
                                                       if known[key] else None)
            out.append(Diagnostic.at("PE104", Severity.ERROR,
                                     f"{where}: expect: {key}: `{value}` is not "
                                     f"{kinds[key]} of policy `{policy.meta.id}`",
                                     smap.value_span(path) if smap else None, hint=hint))

    for case in test.cases:
        base = ("cases", case.index, "expect")
        where = f"case `{case.name}`"
        for key in ("category", "level", "role"):
            if key in case.expect:
                check(case.expect[key], key, base + (key,), where)
        for j, item in enumerate(case.expect.get("remedies") or ()):
            if isinstance(item, dict):
                check(item.get("id"), "remedies", base + ("remedies", j, "id"), where)
                if item.get("authorized_by") is not None:
                    check(item["authorized_by"], "role",
                          base + ("remedies", j, "authorized_by"), where)
            else:
                check(item, "remedies", base + ("remedies", j), where)
        for j, code in enumerate(case.expect.get("warnings") or ()):
            check(code, "warnings", base + ("warnings", j), where)
    return out
