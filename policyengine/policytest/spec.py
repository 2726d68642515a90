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

from ..core.calendar import parse_date
from ..core.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from ..load import parse_document, read_document
from ..load.sourcemap import SourceMap
from ..model.nodes import Policy
from ..load.schema import (_TYPE_WORDS, SchemaWords, describe_path, enum_hint, json_type,
                           load_schema, schema_diagnostics, yaml11_warning)

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema.protocols import Validator

#: a jsonschema ValidationError: read as the validator fills it (its stub types every attribute
#: with an `Unset` sentinel that a filled error never holds)
SchemaError = Any
from ..core.suggest import did_you_mean, one_of

DECISION_KEYS = ("category", "level", "role", "action", "respond_by", "decide_by", "remedies",
                 "warnings")
KNOWN_WARNINGS = ("no_authority",)
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


def _alternatives(err: SchemaError, data: Any, smap: SourceMap, words: SchemaWords
                  ) -> list[Diagnostic] | None:
    """``anyOf``: the errors of the alternative meant (a mapping's or a text's), else the
    types that would do."""
    if not err.context:
        return None
    path = tuple(err.absolute_path)
    deeper = [e for e in err.context
              if not (e.validator == "type" and tuple(e.absolute_path) == path)
              and not (e.validator == "pattern" and not isinstance(err.instance, str))]
    if deeper and isinstance(err.instance, (dict, str)):
        out: list[Diagnostic] = []
        for sub in deeper:
            out.extend(schema_diagnostics(sub, data, smap, words))
        return out
    wants = sorted({t for e in err.context if e.validator == "type"
                    for t in ([e.validator_value] if isinstance(e.validator_value, str)
                              else e.validator_value)} | (
        {"string"} if any(e.validator == "pattern" for e in err.context) else set()))
    shown = " or ".join(_TYPE_WORDS.get(t, t) for t in wants) or "another value"
    where = words.describe(data, path)
    prefix = f"{where}: " if where else ""
    return [Diagnostic.at("PE103", Severity.ERROR,
                          f"{prefix}expected {shown}, found {json_type(err.instance)}",
                          smap.value_span(path))]


def _value_message(err: SchemaError) -> str:
    v = err.validator
    shown = f"`{err.instance}`" if isinstance(err.instance, (str, int, float)) \
        and not isinstance(err.instance, bool) else json_type(err.instance)
    if v == "enum":
        return f"{shown} is not one of the allowed values"
    if v == "pattern":
        is_date = "[0-9]{4}" in err.validator_value
        return f"{shown} is not " + ("an ISO date (YYYY-MM-DD)" if is_date else "a valid id")
    return {"minItems": "the list is empty", "minProperties": "the mapping is empty",
            "uniqueItems": "the list repeats an item", "minLength": "the text is empty",
            }.get(v, f"{shown} is not allowed here")


def _value_hint(err: SchemaError, path: tuple[Any, ...]) -> str | None:
    v = err.validator
    if v == "enum":
        return enum_hint(err)
    if v == "pattern":
        return ("write the date as YYYY-MM-DD, e.g. 2026-11-22" if "[0-9]{4}" in
                err.validator_value else "start with a letter; then letters, digits, `_` or `-`")
    if v == "minProperties":
        return _KEY_HINTS.get(path[-1]) if path and isinstance(path[-1], str) else None
    return None


#: the words of a test file (``schemas/policytest.schema.json``)
TEST_FILE_WORDS = SchemaWords(
    describe=_where,
    unknown_hint=lambda key, allowed: did_you_mean(key, allowed) or f"use {one_of(allowed)}",
    missing_span=lambda smap, path: smap.key_span(path) if path else smap.value_span(path),
    missing_hint=lambda err, key, path, smap: _KEY_HINTS.get(key),
    type_hint=lambda path, err: None, value_message=_value_message, value_hint=_value_hint,
    alternatives=_alternatives, elements=False)


def _convert(err: SchemaError, data: Any, smap: SourceMap) -> list[Diagnostic]:
    return schema_diagnostics(err, data, smap, TEST_FILE_WORDS)


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
