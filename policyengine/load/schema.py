"""Stage 2: validate a composed rulebook against ``schemas/policy.schema.json``.

Every jsonschema error becomes a coded Diagnostic at the YAML location of the offending node;
an unknown key gets the nearest valid key as a hint. A plain YAML scalar that YAML typed as a
number, boolean or null where the schema wants text is taken as the text the author wrote; when
that was a YAML 1.1 surprise (``NO`` read as false) it is reported as PE009.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..core.diagnostics import Diagnostic, Severity, Span
from .sourcemap import SourceMap
from ..core.suggest import did_you_mean, nearest, one_of

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema.protocols import Validator

#: a jsonschema ValidationError: read as the validator fills it (its stub types every attribute
#: with an `Unset` sentinel that a filled error never holds)
SchemaError = Any

_HERE = Path(__file__).resolve().parents[1]  # the package's folder (this is load/)
_SCHEMA_DIRS = (_HERE / "_schemas", _HERE.parent / "schemas")

_TYPE_WORDS = {
    "string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
    "array": "a list", "object": "a mapping", "null": "empty",
}
#: list key -> (what an item is called, the key that names it), for the context of a path
RULEBOOK_ITEMS = {
    "categories": ("category", "id"), "overrides": ("override", "id"),
    "remedies": ("remedy", "id"), "levels": ("level", "id"),
}


def schema_path(name: str) -> Path:
    """Path of a bundled JSON Schema (``policy``, ``decision``, ``dispute``, ``diff``)."""
    for folder in _SCHEMA_DIRS:
        candidate = folder / f"{name}.schema.json"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"schema {name!r} is not installed")


@functools.lru_cache(maxsize=None)
def load_schema(name: str) -> dict[Any, Any]:
    with schema_path(name).open(encoding="utf-8") as fh:
        schema: dict[Any, Any] = json.load(fh)
        return schema


@functools.lru_cache(maxsize=None)
def _validator(name: str) -> Validator:
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(inline_refs(schema))


@functools.lru_cache(maxsize=None)
def _fast_check(name: str) -> Callable[[Any], bool] | None:
    """The schema compiled into one predicate (``schema_check.py``), built once per process:
    True exactly when jsonschema would find no error; None if the schema cannot be compiled."""
    from .schema_check import compile_check

    return compile_check(inline_refs(load_schema(name)))


#: keywords that only annotate (JSON Schema 2020-12 meta-data, and the editors' own): beside a
#: ``$ref`` they change nothing the validator checks
_ANNOTATIONS = frozenset({"description", "markdownDescription", "title", "examples",
                          "default", "deprecated", "readOnly", "writeOnly", "$comment"})


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each bare ``{"$ref": "#/$defs/X"}`` replaced by ``X`` itself, unless
    ``X`` refers back to itself (a fact's ``fields`` are facts): the same schema, but the
    validator no longer resolves a reference for each of the thousands of values of a large
    rulebook (about half of the validation time). ``$defs`` stay for the references left."""
    defs = schema.get("$defs", {})
    prefix = "#/$defs/"

    def refs(node: Any, out: set[str]) -> set[str]:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                out.add(ref[len(prefix):])
            for value in node.values():
                refs(value, out)
        elif isinstance(node, list):
            for value in node:
                refs(value, out)
        return out

    graph = {name: refs(sub, set()) for name, sub in defs.items()}

    def reaches_itself(name: str) -> bool:
        seen: set[str] = set()
        todo = list(graph.get(name, ()))
        while todo:
            cur = todo.pop()
            if cur == name:
                return True
            if cur not in seen:
                seen.add(cur)
                todo.extend(graph.get(cur, ()))
        return False

    recursive = {name for name in defs if reaches_itself(name)}

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix):] in defs \
                    and ref[len(prefix):] not in recursive and _ANNOTATIONS.issuperset(
                        k for k in node if k != "$ref"):
                # beside the reference only annotations (a description for editors), which
                # validate nothing: the target's keywords, then the node's annotations
                target = inline(defs[ref[len(prefix):]])
                if not isinstance(target, dict):
                    return target
                extra = {k: v for k, v in node.items() if k != "$ref"}
                return {**target, **extra} if extra else target
            return {k: (v if k == "$defs" else inline(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


def json_type(value: Any, *, none: str = "empty") -> str:
    """The JSON type of a Python value, in words a policy author reads (``none`` names None:
    "empty" for a YAML value, "null" for a JSON one)."""
    if value is None:
        return none
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (dict, Mapping)):
        return "a mapping"
    return "a value that is not JSON"


def describe_path(data: Any, path: tuple[Any, ...], *,
                  items: Mapping[str, tuple[str, str]] | None = None) -> str:
    """A human context for ``path``: ``category `pricing`: band 2: when``.

    ``items`` names the items of lists (``{"cases": ("case", "name")}``); by default the
    rulebook's, which also get the rulebook's own words (bands, facts, roles, actions)."""
    rulebook = items is None
    items = RULEBOOK_ITEMS if items is None else items
    parts: list[str] = []
    node = data
    i = 0
    path = tuple(path)
    while i < len(path):
        key = path[i]
        if rulebook and key == "ladder" and path[i + 1:i + 2] == ("levels",) \
                and len(path) > i + 2:
            node = node.get("ladder") if isinstance(node, dict) else None
            i += 1
            continue
        if isinstance(key, str) and key in items and i + 1 < len(path) \
                and isinstance(path[i + 1], int):
            index = path[i + 1]
            try:
                item = node[key][index]
            except (KeyError, IndexError, TypeError):
                item = None
            kind, id_key = items[key]
            ident = item.get(id_key) if isinstance(item, dict) else None
            parts.append(f"{kind} `{ident}`" if isinstance(ident, str) else f"{kind} {index + 1}")
            node = item
            i += 2
            continue
        if rulebook and key == "thresholds" and i + 1 < len(path) \
                and isinstance(path[i + 1], int):
            parts.append(f"band {path[i + 1] + 1}")
            try:
                node = node[key][path[i + 1]]
            except (KeyError, IndexError, TypeError):
                node = None
            i += 2
            continue
        if isinstance(key, int):
            parts.append(f"item {key + 1}")
        elif rulebook and parts and parts[-1] in ("facts", "authority", "actions", "fields"):
            parts[-1] = {"facts": "fact", "authority": "role", "actions": "action",
                         "fields": "field"}[parts[-1]] + f" `{key}`"
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
        i += 1
    return ": ".join(parts)


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def validate(data: Any, smap: SourceMap) -> list[Diagnostic]:
    """Validate ``data`` in place (coercing text-meant plain scalars); return the diagnostics.

    A document the compiled check accepts has no schema error and nothing to coerce: only
    jsonschema's error walk, which the others need, is skipped."""
    diags: list[Diagnostic] = []
    check = _fast_check("policy")
    if check is not None and check(data):
        _number_readings(data, smap, diags)
        return diags
    validator = _validator("policy")
    for _ in range(3):  # coercion may reveal deeper errors; two passes always suffice
        errors = list(validator.iter_errors(data))
        coerced = False
        for err in errors:
            if err.validator == "type" and _coerce(data, tuple(err.absolute_path), err, smap,
                                                   diags):
                coerced = True
        if not coerced:
            break
    for err in errors:
        diags.extend(_convert(err, data, smap))
    _number_readings(data, smap, diags)
    return diags


_ABSENT = object()


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return _ABSENT
    return node


def _number_readings(data: Any, smap: SourceMap, diags: list[Diagnostic]) -> None:
    """A number YAML 1.1 reads in a surprising way (``1:30`` as 90, ``010`` as 8, ``1_000`` as
    1000) and that stays a number: PE009, so the author sees the value actually used."""
    for path, entry in smap.items():
        if not (entry.yaml11 and entry.style == "plain" and entry.raw and path):
            continue
        value = _get(data, path)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        # a string fact's default or enum value becomes its text in the model (PE009 there)
        decl = path[:-1] if path[-1] == "default" else (
            path[:-2] if len(path) >= 2 and path[-2] == "enum" else None)
        if decl is not None and "facts" in decl:
            owner = _get(data, decl)
            if isinstance(owner, dict) and owner.get("type") == "string":
                continue
        diags.append(Diagnostic.at(
            "PE009", Severity.WARNING,
            f"`{entry.raw}` is read by YAML 1.1 as the number {_number_text(value)}",
            entry.value_span,
            hint=f"write {_number_text(value)} if that is the number meant; quote it "
                 f"('{entry.raw}') if it is text"))


def _number_text(value: int | float) -> str:
    if isinstance(value, int) and value.bit_length() > 256:
        return f"of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    return repr(value)


def _wants(err: SchemaError) -> list[str]:
    want = err.validator_value
    return [want] if isinstance(want, str) else list(want)


def _coerce(data: Any, path: tuple[Any, ...], err: SchemaError, smap: SourceMap,
            diags: list[Diagnostic]) -> bool:
    if "string" not in _wants(err) or isinstance(err.instance, (dict, list, str)):
        return False
    entry = smap.get(path)
    if entry is None or entry.style != "plain" or entry.raw is None or not path:
        return False
    _set(data, path, entry.raw)
    if entry.yaml11:
        diags.append(yaml11_warning(entry.raw, err.instance, entry.value_span))
    return True


def yaml11_warning(raw: str, value: Any, span: Span) -> Diagnostic:
    shown = {True: "true", False: "false", None: "null"}.get(value, repr(value)) \
        if isinstance(value, (bool, type(None))) else str(value)
    return Diagnostic.at(
        "PE009", Severity.WARNING,
        f"`{raw}` is read by YAML 1.1 as `{shown}`; it is taken as the text `{raw}`", span,
        hint=f"quote it: '{raw}'")


@dataclass(frozen=True)
class SchemaWords:
    """How one kind of document words its JSON Schema errors. :func:`schema_diagnostics` is the
    one adapter from a jsonschema error to Diagnostics (PE101 an unknown key, PE102 a missing
    key, PE103 a wrong type, PE104 any other value); a document kind only supplies its words:
    how a path reads, the hints it knows, how alternatives (``anyOf``) are explained."""

    describe: Callable[[Any, tuple[Any, ...]], str]
    unknown_hint: Callable[[str, list[str]], str | None]
    missing_span: Callable[[SourceMap, tuple[Any, ...]], Span | None]
    missing_hint: Callable[[SchemaError, str, tuple[Any, ...], SourceMap], str | None]
    type_hint: Callable[[tuple[Any, ...], SchemaError], str | None]
    value_message: Callable[[SchemaError], str]
    value_hint: Callable[[SchemaError, tuple[Any, ...]], str | None]
    #: ``anyOf``/``oneOf`` errors: the diagnostics, or None to word it as any other value
    alternatives: Callable[[SchemaError, Any, SourceMap, "SchemaWords"],
                           list[Diagnostic] | None]
    elements: bool = True  # name the element (``categories.0.when``) on each diagnostic


def schema_diagnostics(err: SchemaError, data: Any, smap: SourceMap, words: SchemaWords
                       ) -> list[Diagnostic]:
    """The diagnostics of one jsonschema error, in ``words``."""
    path = tuple(err.absolute_path)
    where = words.describe(data, path)
    prefix = f"{where}: " if where else ""
    span = smap.value_span(path)
    v = err.validator

    def element(p: tuple[Any, ...]) -> str | None:
        return _element(p) if words.elements else None

    if v in ("anyOf", "oneOf"):
        found = words.alternatives(err, data, smap, words)
        if found is not None:
            return found
    if v == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list(err.schema.get("properties", {}))
        return [Diagnostic.at("PE101", Severity.ERROR, f"{prefix}unknown key `{key}`",
                              smap.key_span(path + (key,)),
                              hint=words.unknown_hint(key, allowed),
                              element=element(path + (key,)))
                for key in err.instance if key not in allowed]
    if v == "required":
        missing = [k for k in err.validator_value if k not in (err.instance or {})]
        return [Diagnostic.at("PE102", Severity.ERROR, f"{prefix}missing key `{k}`",
                              words.missing_span(smap, path),
                              hint=words.missing_hint(err, k, path, smap), element=element(path))
                for k in missing]
    if v == "type":
        wants = " or ".join(_TYPE_WORDS.get(t, t) for t in _wants(err))
        return [Diagnostic.at("PE103", Severity.ERROR,
                              f"{prefix}expected {wants}, found {json_type(err.instance)}", span,
                              hint=words.type_hint(path, err), element=element(path))]
    if v == "propertyNames":
        name = err.instance if isinstance(err.instance, str) else None
        key_span = smap.key_span(path + (name,)) if name else span
        return [Diagnostic.at("PE104", Severity.ERROR, f"{prefix}`{name}` is not a valid name",
                              key_span, hint=_pattern_hint(err), element=element(path))]
    return [Diagnostic.at("PE104", Severity.ERROR, prefix + words.value_message(err), span,
                          hint=words.value_hint(err, path), element=element(path))]


def enum_hint(err: SchemaError) -> str:
    """The nearest allowed value, or the list of them."""
    choices = [str(x) for x in err.validator_value]
    return did_you_mean(str(err.instance), choices) or f"use {one_of(choices)}"


def _rulebook_value_hint(err: SchemaError, path: tuple[Any, ...]) -> str | None:
    v = err.validator
    if v == "enum":
        return enum_hint(err)
    if v == "pattern":
        return _pattern_hint(err)
    if v == "not":
        return "`fields` belongs to `type: map` facts and `items` to `type: list` facts"
    return None


def _rulebook_alternatives(err: SchemaError, data: Any, smap: SourceMap, words: SchemaWords
                           ) -> list[Diagnostic] | None:
    path = tuple(err.absolute_path)
    if not (path and path[-2:-1] == ("thresholds",)):
        return None
    where = words.describe(data, path)
    prefix = f"{where}: " if where else ""
    return [Diagnostic.at("PE104", Severity.ERROR,
                          f"{prefix}a band needs `when` and `level`, or `otherwise` alone",
                          smap.value_span(path),
                          hint="write `{when: amount < 10000.0, level: frontline}` or "
                               "`{otherwise: regional}`", element=_element(path))]


def _rulebook_unknown_hint(key: str, allowed: list[str]) -> str | None:
    return did_you_mean(key, allowed) or (f"allowed keys here: {one_of(allowed, limit=12)}"
                                          if allowed else None)


def _rulebook_missing_hint(err: SchemaError, key: str, path: tuple[Any, ...], smap: SourceMap
                           ) -> str | None:
    return _misspelt(err, key, path, smap) or _required_hint(key)


def _convert(err: SchemaError, data: Any, smap: SourceMap) -> list[Diagnostic]:
    return schema_diagnostics(err, data, smap, RULEBOOK_WORDS)


def _value_message(err: SchemaError) -> str:
    v, inst, val = err.validator, err.instance, err.validator_value
    shown = f"`{inst}`" if isinstance(inst, (str, int, float)) and not isinstance(inst, bool) \
        else json_type(inst)
    if v == "enum":
        return f"{shown} is not one of the allowed values"
    if v == "pattern":
        what = {
            "duration": "a duration", "date": "an ISO date (YYYY-MM-DD)", "id": "a valid id",
            "factName": "a valid fact name"}.get(_def_name(err) or "", "in the expected form")
        if what == "in the expected form" and list(err.absolute_path)[-1:] == ["version"]:
            what = "a version number"
        return f"{shown} is not {what}"
    if v == "minimum":
        return f"{shown} is below the minimum of {val}"
    if v == "minItems":
        return "the list is empty" if val == 1 else f"the list needs at least {val} items"
    if v == "minProperties":
        return "the mapping is empty"
    if v == "uniqueItems":
        return "the list repeats an item"
    if v == "minLength":
        return "the text is empty"
    if v == "maxLength":
        return f"the text is longer than {val} characters"
    if v == "not":
        return "this key is not allowed for this type"
    return str(err.message)


def _def_name(err: SchemaError) -> str | None:
    pattern = err.validator_value
    defs = load_schema("policy").get("$defs", {})
    for name, sub in defs.items():
        if isinstance(sub, dict) and sub.get("pattern") == pattern:
            return str(name)
    return None


def _pattern_hint(err: SchemaError) -> str | None:
    return {
        "duration": "write `Nd` (days), `Nw` (weeks) or `Nbd` (business days), e.g. `5bd`",
        "date": "write the date as YYYY-MM-DD, e.g. 2026-01-01",
        "id": "start with a letter; then letters, digits, `_` or `-` (64 characters at most)",
        "factName": "start with a letter or `_`; then letters, digits or `_`",
    }.get(_def_name(err) or "") or (
        "write the version as numbers separated by dots, e.g. 3.1.0"
        if err.absolute_path and list(err.absolute_path)[-1] == "version" else None)


def _misspelt(err: SchemaError, key: str, path: tuple[Any, ...], smap: SourceMap) -> str | None:
    """When an unknown key of the same mapping is a near miss of the missing ``key``."""
    known = err.schema.get("properties", {})
    for other in err.instance if isinstance(err.instance, dict) else ():
        if other not in known and nearest(str(other), [key]) == key:
            span = smap.key_span(path + (other,))
            where = f" (line {span.line})" if span is not None else ""
            return f"is `{other}`{where} meant to be `{key}`?"
    return None


def _required_hint(key: str) -> str | None:
    return {
        "decide_within": "every level needs a decision window, e.g. `decide_within: 10bd`",
        "thresholds": "add at least `thresholds: [{otherwise: <level id>}]`",
        "class": "one of `operational`, `commercial`, `compliance` or `strategic`",
        "type": "one of `string`, `int`, `double`, `bool`, `map` or `list`",
        "fields": "a `type: map` fact declares its `fields`",
        "items": "a `type: list` fact declares its `items`, e.g. `items: {type: string}`",
    }.get(key)


def _type_hint(path: tuple[Any, ...], err: SchemaError) -> str | None:
    if path and path[-1] in ("when", "amount", "otherwise"):
        return None
    if "string" in _wants(err) and isinstance(err.instance, (dict, list)):
        return "if this is text starting with `[` or `{`, quote it"
    if _wants(err) == ["boolean"] and isinstance(err.instance, str):
        return "write `true` or `false`, without quotes"
    if _wants(err) == ["array"] and not isinstance(err.instance, (dict, list)):
        shown = "true" if err.instance is True else "false" if err.instance is False \
            else "null" if err.instance is None else err.instance
        return f"write a list, even of one item: `[{shown}]`"
    if _wants(err) == ["object"] and isinstance(err.instance, list):
        return "write a mapping of `key: value` pairs, not a list of `- ` items"
    return None


def _head(smap: SourceMap, path: tuple[Any, ...]) -> Span | None:
    """The first line of a node: where a missing key would go."""
    entry = smap.get(path)
    if entry is None:
        return smap.value_span(path)
    if entry.key_span is not None:
        return entry.key_span
    s = entry.value_span
    return Span(s.file, s.line, s.column, s.line, s.column + 1)


def _element(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


#: the words of a rulebook (``schemas/policy.schema.json``)
RULEBOOK_WORDS = SchemaWords(
    describe=lambda data, path: describe_path(data, path), unknown_hint=_rulebook_unknown_hint,
    missing_span=_head, missing_hint=_rulebook_missing_hint, type_hint=_type_hint,
    value_message=_value_message, value_hint=_rulebook_value_hint,
    alternatives=_rulebook_alternatives)
