"""The language features, as functions of the document's current text and its latest
:class:`Snapshot`: diagnostics, completion, hover, definition, references, rename, document
symbols and code actions. The server (``server.py``) only wires them to the protocol."""

from __future__ import annotations

import re
from typing import Any, Iterable

from lsprotocol import types as t

from ..core.codes import REGISTRY
from ..core.diagnostics import Diagnostic, Severity
from .context import Cursor, cursor_at
from .index import Lines, Occurrence, lines_of
from .snapshot import Snapshot

LEVEL_KEYS = frozenset({"level", "otherwise", "min_level", "next", "entry"})
ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
FACT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
FUNCTIONS = {"size": "size(x): the length of a string, list or map",
             "matches": "matches(s, re): whether `s` matches the RE2 pattern `re`",
             "int": "int(x): to a whole number", "double": "double(x): to a number",
             "string": "string(x): to text", "bool": "bool(x): to true or false",
             "has": "has(m.f): whether the map `m` has the field `f`"}
METHODS = {"contains": "s.contains(t)", "startsWith": "s.startsWith(t)",
           "endsWith": "s.endsWith(t)", "matches": "s.matches(re)", "size": "x.size()"}
MACROS = {"all": "xs.all(x, p): `p` holds for every element",
          "exists": "xs.exists(x, p): `p` holds for some element",
          "exists_one": "xs.exists_one(x, p): `p` holds for exactly one element",
          "filter": "xs.filter(x, p): the elements for which `p` holds",
          "map": "xs.map(x, e): `e` of each element"}
KEYWORDS = ("true", "false", "null", "in", "and", "or", "not")
_SEVERITY = {Severity.ERROR: t.DiagnosticSeverity.Error,
             Severity.WARNING: t.DiagnosticSeverity.Warning,
             Severity.INFO: t.DiagnosticSeverity.Information}


# -- positions -------------------------------------------------------------------------------
def _range(lines: Lines, start: int, end: int) -> t.Range:
    a, b = lines.position(start), lines.position(end)
    return t.Range(t.Position(*a), t.Position(*b))


def _span_range(lines: Lines, line: int | None, column: int | None, end_line: int | None,
                end_column: int | None) -> t.Range:
    if line is None:
        return t.Range(t.Position(0, 0), t.Position(0, 0))
    l0 = max(0, line - 1)
    c0 = max(0, (column or 1) - 1)
    start = min(lines.starts[min(l0, len(lines.starts) - 1)] + c0, len(lines.text))
    if end_line is None or end_column is None:
        end = start + 1 if start < len(lines.text) else start
    else:
        l1 = max(0, end_line - 1)
        end = min(lines.starts[min(l1, len(lines.starts) - 1)] + max(0, end_column - 1),
                  len(lines.text))
    return _range(lines, start, max(start, end))


# -- diagnostics -----------------------------------------------------------------------------
def lsp_diagnostics(snapshot: Snapshot, uri: str) -> list[t.Diagnostic]:
    out = []
    for d in snapshot.diagnostics:
        code = REGISTRY.get(d.code)
        related = [t.DiagnosticRelatedInformation(
            t.Location(uri, _span_range(snapshot.lines, s.line, s.column, s.end_line,
                                        s.end_column)), note)
            for note, s in d.related if s.file == d.file]
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(t.Diagnostic(
            range=_span_range(snapshot.lines, d.line, d.column, d.end_line, d.end_column),
            message=message, severity=_SEVERITY[d.severity], code=d.code,
            code_description=t.CodeDescription(code.help_uri) if code is not None else None,
            source="policyengine", related_information=related or None,
            data={"hint": d.hint} if d.hint else None))
    return out


# -- completion ------------------------------------------------------------------------------
def _schema_enum(key: str) -> list[str]:
    from ..load.schema import load_schema

    stack: list[Any] = [load_schema("policy")]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            prop = node.get("properties", {}).get(key) if isinstance(node.get("properties"),
                                                                     dict) else None
            if isinstance(prop, dict) and isinstance(prop.get("enum"), list):
                return [str(v) for v in prop["enum"]]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return []


def _item(label: str, kind: t.CompletionItemKind, detail: str | None = None,
          doc: str | None = None, insert: str | None = None,
          edit_range: t.Range | None = None) -> t.CompletionItem:
    text = insert if insert is not None else label
    return t.CompletionItem(
        label=label, kind=kind, detail=detail,
        documentation=t.MarkupContent(t.MarkupKind.Markdown, doc) if doc else None,
        text_edit=t.TextEdit(edit_range, text) if edit_range is not None else None,
        insert_text=None if edit_range is not None else text)


def _titles(snapshot: Snapshot, kind: str) -> dict[str, str]:
    data = snapshot.data if isinstance(snapshot.data, dict) else {}
    out: dict[str, str] = {}
    lists: dict[str, Any] = {"level": data.get("ladder", {}).get("levels") if isinstance(
        data.get("ladder"), dict) else None, "remedy": data.get("remedies"),
        "category": data.get("categories")}
    if kind in lists and isinstance(lists[kind], list):
        for item in lists[kind]:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out[item["id"]] = str(item.get("title", ""))
    if kind == "action" and isinstance(data.get("actions"), dict):
        for k, v in data["actions"].items():
            out[str(k)] = str(v.get("title", "")) if isinstance(v, dict) else ""
    return out


def _ids(snapshot: Snapshot, kind: str, edit_range: t.Range) -> list[t.CompletionItem]:
    titles = _titles(snapshot, kind)
    kinds = {"level": t.CompletionItemKind.EnumMember, "role": t.CompletionItemKind.Class,
             "action": t.CompletionItemKind.Function, "remedy": t.CompletionItemKind.Value,
             "category": t.CompletionItemKind.Module}
    return [_item(name, kinds.get(kind, t.CompletionItemKind.Value),
                  f"{kind}: {titles[name]}" if titles.get(name) else kind,
                  edit_range=edit_range)
            for name in snapshot.index.names(kind)]


def _fact_doc(name: str, decl: dict[str, Any]) -> str:
    parts = [f"**fact `{name}`**: {decl.get('type', '?')}"]
    if decl.get("unit"):
        parts.append(f"unit: {decl['unit']}")
    bounds = []
    if "min" in decl:
        bounds.append(f"at least {decl['min']}")
    if "max" in decl:
        bounds.append(f"at most {decl['max']}")
    if bounds:
        parts.append(", ".join(bounds))
    if isinstance(decl.get("enum"), list):
        parts.append("one of " + ", ".join(f"`{v}`" for v in decl["enum"]))
    if "default" in decl:
        parts.append(f"default `{decl['default']}`")
    else:
        parts.append("required")
    text = "; ".join(parts)
    if decl.get("description"):
        text += f"\n\n{decl['description']}"
    if isinstance(decl.get("fields"), dict):
        text += "\n\nfields: " + ", ".join(f"`{f}`" for f in decl["fields"])
    return text


def _expression_items(snapshot: Snapshot, prefix: str, lines: Lines, line: int,
                      character: int) -> list[t.CompletionItem]:
    if prefix[:1] == "'" and prefix.count("'") % 2 == 1:
        prefix = prefix[1:]  # inside a single-quoted YAML scalar
    here = t.Position(line, character)

    def edit_from(n: int) -> t.Range:
        return t.Range(t.Position(line, max(0, character - n)), here)

    enum = re.search(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:==|!=)\s*\"([^\"]*)$", prefix) \
        or re.search(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s+in\s+\[(?:[^\]]*,)?\s*\"([^\"]*)$",
                     prefix)
    if enum:
        decl = snapshot.fact(enum.group(1))
        values = decl.get("enum") if isinstance(decl, dict) else None
        if isinstance(values, list):
            typed = enum.group(2)
            return [_item(str(v), t.CompletionItemKind.EnumMember, f"{enum.group(1)} value",
                          edit_range=edit_from(len(typed)))
                    for v in values]
        return []
    number_enum = re.search(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:==|!=)\s*(\d*)$", prefix)
    if number_enum:
        decl = snapshot.fact(number_enum.group(1))
        values = decl.get("enum") if isinstance(decl, dict) else None
        if isinstance(values, list) and decl and decl.get("type") == "string":
            return [_item(f'"{v}"', t.CompletionItemKind.EnumMember,
                          f"{number_enum.group(1)} value",
                          edit_range=edit_from(len(number_enum.group(2)))) for v in values]
        if isinstance(values, list):
            return [_item(str(v), t.CompletionItemKind.EnumMember,
                          f"{number_enum.group(1)} value",
                          edit_range=edit_from(len(number_enum.group(2)))) for v in values]
    member = re.search(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\.(\w*)$", prefix)
    if member:
        decl = snapshot.fact(member.group(1))
        typed = member.group(2)
        rng = edit_from(len(typed))
        if isinstance(decl, dict):
            if isinstance(decl.get("fields"), dict):
                return [_item(str(f), t.CompletionItemKind.Field,
                              f"{member.group(1)}.{f}: {d.get('type', '?')}"
                              if isinstance(d, dict) else None,
                              _fact_doc(f"{member.group(1)}.{f}", d)
                              if isinstance(d, dict) else None, edit_range=rng)
                        for f, d in decl["fields"].items()]
            if decl.get("type") == "list":
                return [_item(m, t.CompletionItemKind.Method, "macro", doc,
                              insert=f"{m}(x, )", edit_range=rng) for m, doc in MACROS.items()]
            if decl.get("type") == "string":
                return [_item(m, t.CompletionItemKind.Method, "method", doc, edit_range=rng)
                        for m, doc in METHODS.items()]
        return []
    if re.search(r"\"[^\"]*$", prefix) and prefix.count('"') % 2 == 1:
        return []  # inside a string literal that is not an enum value
    word = re.search(r"[A-Za-z_]\w*$", prefix)
    typed = word.group(0) if word else ""
    rng = edit_from(len(typed))
    items = [_item(name, t.CompletionItemKind.Variable,
                   f"fact: {decl.get('type', '?')}" if isinstance(decl, dict) else "fact",
                   _fact_doc(name, decl) if isinstance(decl, dict) else None, edit_range=rng)
             for name, decl in snapshot.facts().items()]
    items += [_item(f, t.CompletionItemKind.Function, "function", doc, edit_range=rng)
              for f, doc in FUNCTIONS.items()]
    items += [_item(k, t.CompletionItemKind.Keyword, "keyword", edit_range=rng)
              for k in KEYWORDS]
    return items


def _key_items(snapshot: Snapshot, cursor: Cursor, rng: t.Range) -> list[t.CompletionItem]:
    from ..fmt.order import KEY_ORDER, section_of
    from .schema_text import key_description

    path = cursor.path
    if path == ("authority",):
        return [_item(r, t.CompletionItemKind.Class, "role", insert=f"{r}: ", edit_range=rng)
                for r in snapshot.index.names("role")]
    if len(path) == 2 and path[0] == "authority":
        return [_item(a, t.CompletionItemKind.Function, "action", insert=f"{a}: ",
                      edit_range=rng) for a in snapshot.index.names("action")]
    section = section_of(path)
    if section is None:
        return []
    present = _mapping_at(snapshot.data, path)
    return [_item(k, t.CompletionItemKind.Property, f"{section} key",
                  key_description(section, k), insert=f"{k}: ", edit_range=rng)
            for k in KEY_ORDER[section] if k not in present]


def _mapping_at(data: Any, path: tuple[Any, ...]) -> dict[str, Any]:
    node = data
    for p in path:
        if isinstance(node, dict) and isinstance(p, str):
            node = node.get(p)
        elif isinstance(node, list) and isinstance(p, int) and 0 <= p < len(node):
            node = node[p]
        else:
            return {}
    return node if isinstance(node, dict) else {}


def completion(snapshot: Snapshot, text: str, line: int, character: int) -> list[t.CompletionItem]:
    lines = lines_of(text)
    cursor = cursor_at(lines, line, character)
    if cursor.in_comment:
        return []
    here = t.Position(line, character)
    typed = re.search(r"[\w.-]*$", cursor.prefix)
    rng = t.Range(t.Position(line, max(0, character - len(typed.group(0) if typed else ""))),
                  here)
    key = cursor.key
    if key is None:
        return _key_items(snapshot, cursor, rng)
    if key in ("when", "amount") and (len(cursor.path) >= 2 and cursor.path[0] in (
            "categories", "overrides", "remedies")):
        return _expression_items(snapshot, cursor.prefix, lines, line, character)
    if key in LEVEL_KEYS:
        return _ids(snapshot, "level", rng)
    if key == "role":
        return _ids(snapshot, "role", rng)
    if key == "action" or (len(cursor.path) == 2 and cursor.path[0] == "authority"):
        return _ids(snapshot, "action", rng) if key == "action" else []
    if key == "remedies" and cursor.path[:1] == ("categories",):
        return _ids(snapshot, "remedy", rng)
    if key in ("class", "confidentiality", "type"):
        return [_item(v, t.CompletionItemKind.EnumMember, key, edit_range=rng)
                for v in _schema_enum(key)]
    if key == "advisory":
        return [_item(v, t.CompletionItemKind.Keyword, edit_range=rng) for v in ("true", "false")]
    return []


# -- hover -----------------------------------------------------------------------------------
def _words_at(lines: Lines, line: int, character: int) -> tuple[str, int, int] | None:
    text = lines.line(line)
    col = lines.offset(line, character) - lines.starts[line] if line < len(lines.starts) else 0
    for m in re.finditer(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_]\w*)*", text):
        if m.start() <= col <= m.end():
            return m.group(0), lines.starts[line] + m.start(), lines.starts[line] + m.end()
    return None


def _occurrence(snapshot: Snapshot, text: str, line: int, character: int
                ) -> Occurrence | None:
    """The id under the cursor: from the index when the snapshot is of this text, else by
    the word and what the cursor is on."""
    lines = lines_of(text)
    if snapshot.text == text:
        found = snapshot.index.at(lines.offset(line, character))
        if found is not None:
            return found
    word = _words_at(lines, line, character)
    if word is None:
        return None
    name, start, end = word
    cursor = cursor_at(lines, line, character)
    key = cursor.key
    kind = None
    if key in ("when", "amount"):
        kind = "fact"
        col = lines.offset(line, character)
        # the part of a dotted name up to the cursor: `partner` in `partner.tier`
        parts = name.split(".")
        pos = start
        for i, part in enumerate(parts):
            if pos <= col <= pos + len(part):
                name = ".".join(parts[:i + 1])
                start, end = pos, pos + len(part)
                break
            pos += len(part) + 1
    elif key in LEVEL_KEYS:
        kind = "level"
    elif key == "role":
        kind = "role"
    elif key == "action":
        kind = "action"
    elif key == "remedies":
        kind = "remedy"
    elif key == "id" and cursor.path:
        kind = {"categories": "category", "remedies": "remedy", "overrides": "override",
                "ladder": "level"}.get(str(cursor.path[0]))
    elif key is not None and cursor.path == ("authority",):
        kind, name = "role", key
    elif key is not None and cursor.path[:1] == ("actions",):
        kind, name = "action", key
    elif key is not None and cursor.path == ("facts",):
        kind, name = "fact", key
    if kind is None:
        return None
    return Occurrence(kind, name, start, end, False)


def _level_words(snapshot: Snapshot, level_id: str) -> str | None:
    policy = snapshot.draft
    if policy is None:
        return None
    level = policy.ladder.level(level_id)
    if level is None:
        return None
    out = [f"**level `{level.id}`**: {level.title}", f"role `{level.role}`"]
    windows = []
    if level.respond_within is not None:
        windows.append(f"respond within {level.respond_within}")
    windows.append(f"decide within {level.decide_within}")
    out.append(", ".join(windows))
    out.append(f"next: `{level.next}`" if level.next else "terminal level (no `next`)")
    if level.advisory:
        out.append("advisory: exempt from authority monotonicity")
    if level.id == policy.ladder.entry:
        out.append("the entry level")
    grants = _authority_words(policy, level.role)
    text = "  \n".join(out)
    if grants:
        text += f"\n\nmay approve: {grants}"
    if level.description:
        text += f"\n\n{level.description}"
    return text


def _authority_words(policy: Any, role: str) -> str:
    parts = []
    for g in policy.authority:
        if g.role != role:
            continue
        if g.limit is True:
            parts.append(f"`{g.action}` (no limit)")
        elif g.limit is False:
            parts.append(f"not `{g.action}`")
        else:
            parts.append(f"`{g.action}` up to {g.limit:,}")
    return ", ".join(parts)


def _condition(snapshot: Snapshot, expr: Any) -> str:
    from ..render.plain_words import Vocabulary, condition_words

    try:
        return condition_words(expr, Vocabulary(snapshot.draft.facts))
    except Exception:  # the renderer's gaps must not break a hover
        return f"`{expr.text}`"


def _band_words(snapshot: Snapshot, path: tuple[Any, ...]) -> str | None:
    if len(path) < 4 or path[0] != "categories" or path[2] != "thresholds":
        return None
    if snapshot.words is not None:
        return snapshot.words.get(("band", *path[:4]))
    policy = snapshot.draft
    if policy is None:
        return None
    cat = next((c for c in policy.categories if c.path == path[:2]), None)
    if cat is None:
        return None
    band = next((b for b in cat.bands if b.path == path[:4]), None)
    if band is None:
        return None
    return _band_text(snapshot, cat, band)


def _band_text(snapshot: Snapshot, cat: Any, band: Any) -> str:
    policy = snapshot.draft
    level = policy.ladder.level(band.level)
    target = f"level `{band.level}`" + (f" ({level.title})" if level else "")
    if band.when is None:
        words = "otherwise (when no earlier band holds)"
    else:
        words = "when " + _condition(snapshot, band.when)
    return (f"**band {band.index + 1} of category `{cat.id}`**: {words}, the dispute goes to "
            f"{target}.")


def _kind_words(snapshot: Snapshot, o: Occurrence) -> str | None:
    policy = snapshot.draft
    if o.kind == "fact":
        decl = snapshot.fact(o.name)
        return _fact_doc(o.name, decl) if decl is not None else None
    if snapshot.words is not None:
        return snapshot.words.get((o.kind, o.name))
    if o.kind == "level":
        return _level_words(snapshot, o.name)
    if policy is None:
        return None
    if o.kind == "role":
        levels = [f"`{lv.id}`" for lv in policy.ladder.levels if lv.role == o.name]
        grants = _authority_words(policy, o.name)
        return (f"**role `{o.name}`**: decides at {', '.join(levels) or 'no level'}"
                + (f"\n\nmay approve: {grants}" if grants else "\n\nmay approve nothing"))
    if o.kind == "action":
        action = policy.action(o.name)
        if action is None:
            return None
        who = [f"`{g.role}` " + ("(no limit)" if g.limit is True else f"up to {g.limit:,}")
               for g in policy.authority if g.action == o.name and g.limit is not False]
        return (f"**action `{action.id}`**: {action.title}"
                + (f" ({action.unit})" if action.unit else "")
                + (f"\n\napproved by: {', '.join(who)}" if who else "\n\nno role may approve it"))
    if o.kind == "remedy":
        r = policy.remedy(o.name)
        if r is None:
            return None
        out = [f"**remedy `{r.id}`**: {r.title}", f"action `{r.action}`"]
        if r.amount is not None:
            out.append(f"amount `{r.amount.text}`")
        if r.when is not None:
            out.append("required when " + _condition(snapshot, r.when))
        if r.sunset is not None:
            out.append(f"lapses {r.sunset} after it is granted")
        if r.review_every is not None:
            out.append(f"reviewed every {r.review_every}")
        return "  \n".join(out)
    if o.kind == "category":
        c = policy.category(o.name)
        if c is None:
            return None
        return (f"**category `{c.id}`**: {c.title} ({c.class_}, {c.confidentiality})  \n"
                f"applies when {_condition(snapshot, c.when)}  \n"
                f"{len(c.bands)} band{'s' if len(c.bands) != 1 else ''}"
                + (f", remedies {', '.join(f'`{x}`' for x in c.remedies)}" if c.remedies else ""))
    if o.kind == "override":
        ov = next((x for x in policy.overrides if x.id == o.name), None)
        if ov is None:
            return None
        return (f"**override `{ov.id}`**: when {_condition(snapshot, ov.when)}, at least level "
                f"`{ov.min_level}`: {ov.reason}")
    return None


def _code_words(code: str) -> str | None:
    entry = REGISTRY.get(code.upper())
    if entry is None:
        return None
    return (f"**{entry.code} {entry.name}** ({entry.severity.value}, {entry.area}): "
            f"{entry.summary}\n\n[{entry.doc_path}]({entry.help_uri})")


def hover(snapshot: Snapshot, text: str, line: int, character: int) -> t.Hover | None:
    lines = lines_of(text)
    cursor = cursor_at(lines, line, character)
    row = lines.line(line)
    col = lines.offset(line, character) - lines.starts[line] if line < len(lines.starts) else 0
    for m in re.finditer(r"PE\d{3}", row, re.IGNORECASE):
        if m.start() <= col <= m.end() and "#" in row[:m.start()]:
            words = _code_words(m.group(0))
            if words:
                return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, words),
                               _range(lines, lines.starts[line] + m.start(),
                                      lines.starts[line] + m.end()))
    if cursor.in_comment:
        return None
    parts = []
    rng = None
    o = _occurrence(snapshot, text, line, character)
    if o is not None:
        words = _kind_words(snapshot, o)
        if words:
            parts.append(words)
            rng = _range(lines, o.start, o.end)
    band = _band_words(snapshot, cursor.path)
    if band:
        parts.insert(0, band)
    elif o is None and cursor.key == "when" and snapshot.words is not None:
        condition = snapshot.words.get(("when", *cursor.path))
        if condition:
            parts.append(condition)
    elif o is None and cursor.key == "when" and snapshot.draft is not None:
        expr = _expression_at(snapshot, cursor.path)
        if expr is not None:
            parts.append(f"applies when {_condition(snapshot, expr)}")
    if not parts and cursor.key is not None and o is None:
        from ..fmt.order import section_of
        from .schema_text import key_description

        section = section_of(cursor.path)
        word = _words_at(lines, line, character)
        if section is not None and word is not None and word[0] == cursor.key:
            doc = key_description(section, cursor.key)
            if doc:
                parts.append(f"**`{cursor.key}`**: {doc}")
    if not parts:
        return None
    return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, "\n\n---\n\n".join(parts)), rng)


def hover_table(snapshot: Snapshot) -> dict[tuple[Any, ...], str]:
    """Every hover text that needs the model, made once for a version of the text: the words
    for each id (``("level", "regional")``), each band (``("band", "categories", 3,
    "thresholds", 1)``) and each condition (``("when", "categories", 3)``)."""
    policy = snapshot.draft
    table: dict[tuple[Any, ...], str] = {}
    if policy is None:
        return table
    for kind in ("level", "role", "action", "remedy", "category", "override"):
        for name in snapshot.index.names(kind):
            words = _kind_words(snapshot, Occurrence(kind, name, 0, 0, True))
            if words:
                table[(kind, name)] = words
    for c in policy.categories:
        if c.path:
            for band in c.bands:
                if band.path:
                    table[("band",) + tuple(band.path[:4])] = _band_text(snapshot, c, band)
    for node in (*policy.categories, *policy.overrides, *policy.remedies):
        if node.path and node.when is not None:
            table[("when",) + tuple(node.path)] = f"applies when {_condition(snapshot, node.when)}"
    return table


def _expression_at(snapshot: Snapshot, path: tuple[Any, ...]) -> Any:
    policy = snapshot.draft
    if policy is None or not path:
        return None
    for c in policy.categories:
        if c.path == path:
            return c.when
    for ov in policy.overrides:
        if ov.path == path:
            return ov.when
    for r in policy.remedies:
        if r.path == path:
            return r.when
    return None


# -- navigation ------------------------------------------------------------------------------
def definition(snapshot: Snapshot, uri: str, offset: int) -> t.Location | None:
    o = snapshot.index.at(offset)
    if o is None:
        return None
    target = snapshot.index.definition(o.kind, o.name)
    if target is None:
        return None
    return t.Location(uri, _range(snapshot.lines, target.start, target.end))


def references(snapshot: Snapshot, uri: str, offset: int, include_declaration: bool = True
               ) -> list[t.Location]:
    o = snapshot.index.at(offset)
    if o is None:
        return []
    return [t.Location(uri, _range(snapshot.lines, r.start, r.end))
            for r in snapshot.index.references(o.kind, o.name)
            if include_declaration or not r.definition]


class RenameError(ValueError):
    pass


def rename(snapshot: Snapshot, uri: str, offset: int, new_name: str) -> t.WorkspaceEdit | None:
    o = snapshot.index.at(offset)
    if o is None:
        return None
    last = new_name.rsplit(".", 1)[-1] if o.kind == "fact" else new_name
    pattern = FACT_NAME if o.kind == "fact" else ID
    if not pattern.match(last):
        what = "a fact name (a letter or `_`, then letters, digits or `_`)" if o.kind == "fact" \
            else "an id (a letter, then letters, digits, `_` or `-`, 64 at most)"
        raise RenameError(f"`{new_name}` is not {what}")
    if o.kind == "fact" and "." not in o.name and last in _reserved():
        raise RenameError(f"`{last}` is a reserved word of the expression language, not a "
                          "fact name; choose another name")
    renamed = o.name.rsplit(".", 1)[0] + "." + last if "." in o.name else last
    if renamed == o.name:
        return t.WorkspaceEdit(changes={uri: []})
    if snapshot.index.references(o.kind, renamed):
        where = snapshot.index.definition(o.kind, renamed)
        at = ""
        if where is not None:
            row, col = snapshot.lines.position(where.start)
            at = f" (line {row + 1}, column {col + 1})"
        kind = "field" if o.kind == "fact" and "." in o.name else o.kind
        raise RenameError(f"a {kind} `{last}` already exists{at}: renaming `{o.name}` to it "
                          f"would merge the two; choose another name")
    edits = [t.TextEdit(_range(snapshot.lines, r.start, r.end), last)
             for r in snapshot.index.references(o.kind, o.name)]
    return t.WorkspaceEdit(changes={uri: edits})


def _reserved() -> frozenset[str]:
    from ..expr.reserved import RESERVED

    return RESERVED


def prepare_rename(snapshot: Snapshot, offset: int) -> t.Range | None:
    o = snapshot.index.at(offset)
    return _range(snapshot.lines, o.start, o.end) if o is not None else None


def document_symbols(snapshot: Snapshot) -> list[t.DocumentSymbol]:
    if snapshot.symbols is not None:
        return snapshot.symbols
    smap = snapshot.sourcemap
    data = snapshot.data if isinstance(snapshot.data, dict) else None
    if smap is None or data is None:
        return []
    lines = snapshot.lines

    def span_range(path: tuple[Any, ...]) -> t.Range | None:
        entry = smap.get(path)
        if entry is None:
            return None
        return _range(lines, entry.start, max(entry.end, entry.start))

    groups = [("categories", "category", t.SymbolKind.Class, ("categories",)),
              ("ladder levels", "level", t.SymbolKind.EnumMember, ("ladder", "levels")),
              ("remedies", "remedy", t.SymbolKind.Function, ("remedies",)),
              ("overrides", "override", t.SymbolKind.Event, ("overrides",))]
    out = []
    for title, kind, symbol_kind, path in groups:
        node: Any = data
        for p in path:
            node = node.get(p) if isinstance(node, dict) else None
        if not isinstance(node, list):
            continue
        children = []
        for i, item in enumerate(node):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            whole = span_range(path + (i,))
            sel = span_range(path + (i, "id")) or whole
            if whole is None or sel is None:
                continue
            children.append(t.DocumentSymbol(
                name=item["id"], kind=symbol_kind, range=whole, selection_range=sel,
                detail=str(item.get("title", "")) or None))
        section = span_range(path)
        if children and section is not None:
            out.append(t.DocumentSymbol(name=title, kind=t.SymbolKind.Namespace, range=section,
                                        selection_range=section, children=children))
    for name, kind, symbol_kind in (("facts", "fact", t.SymbolKind.Variable),
                                    ("actions", "action", t.SymbolKind.Function)):
        node = data.get(name)
        section = span_range((name,))
        if not isinstance(node, dict) or section is None:
            continue
        children = []
        for key in node:
            entry = smap.get((name, key))
            if entry is None or entry.key_span is None:
                continue
            sel = _span_range(lines, entry.key_span.line, entry.key_span.column,
                              entry.key_span.end_line, entry.key_span.end_column)
            whole = t.Range(sel.start, _range(lines, entry.end, entry.end).end)
            children.append(t.DocumentSymbol(name=str(key), kind=symbol_kind, range=whole,
                                             selection_range=sel))
        if children:
            out.append(t.DocumentSymbol(name=name, kind=t.SymbolKind.Namespace, range=section,
                                        selection_range=section, children=children))
    out.sort(key=lambda s: (s.range.start.line, s.range.start.character))
    return out


# -- code actions ----------------------------------------------------------------------------
_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`")
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_IGNORE = re.compile(r"#\s*policyengine\s*:\s*ignore\[([^\]]*)\]")


def _replace(uri: str, rng: t.Range, text: str) -> t.WorkspaceEdit:
    return t.WorkspaceEdit(changes={uri: [t.TextEdit(rng, text)]})


def code_actions(text: str, uri: str, diagnostics: Iterable[t.Diagnostic]
                 ) -> list[t.CodeAction]:
    lines = lines_of(text)
    out: list[t.CodeAction] = []
    for d in diagnostics:
        if d.source not in (None, "policyengine"):
            continue
        code = str(d.code) if d.code is not None else ""
        hint = (d.data or {}).get("hint") if isinstance(d.data, dict) else None
        if hint is None and "\nhint: " in d.message:
            hint = d.message.split("\nhint: ", 1)[1]
        start = lines.offset(d.range.start.line, d.range.start.character)
        end = lines.offset(d.range.end.line, d.range.end.character)
        current = text[start:end]
        if hint:
            for m in _DID_YOU_MEAN.finditer(hint):
                new = m.group(1)
                if current[:1] in "\"'" and current[-1:] == current[:1] and len(current) > 1:
                    new = current[0] + new + current[0]
                out.append(t.CodeAction(title=f"Replace with `{new}`",
                                        kind=t.CodeActionKind.QuickFix, diagnostics=[d],
                                        is_preferred=True, edit=_replace(uri, d.range, new)))
                break
            if code in ("PE003", "PE009") and ("quote" in hint):
                action = _quote_action(lines, uri, d, hint)
                if action is not None:
                    out.append(action)
        if code == "PE401":
            action = _authority_row_action(lines, uri, d)
            if action is not None:
                out.append(action)
        if code:
            out.append(_ignore_action(lines, uri, d, code))
    return out


def _quote_action(lines: Lines, uri: str, d: t.Diagnostic, hint: str) -> t.CodeAction | None:
    m = _QUOTED.search(hint)
    if m is None:
        return _quote_value(lines, uri, d)
    quoted = m.group(0)
    plain = m.group(1).replace("''", "'")
    line = d.range.start.line
    for n in (line, line - 1, line + 1):
        row = lines.line(n)
        pos = row.find(plain)
        if pos != -1 and plain:
            rng = _range(lines, lines.starts[n] + pos, lines.starts[n] + pos + len(plain))
            return t.CodeAction(title=f"Quote it: {quoted}", kind=t.CodeActionKind.QuickFix,
                                diagnostics=[d], is_preferred=True,
                                edit=_replace(uri, rng, quoted))
    return None


def _quote_value(lines: Lines, uri: str, d: t.Diagnostic) -> t.CodeAction | None:
    """Quote the plain scalar the diagnostic starts at (up to the end of its flow entry, or
    of the line, before a comment)."""
    n = d.range.start.line
    row = lines.line(n)
    start = lines.offset(n, d.range.start.character) - lines.starts[n]
    if start >= len(row) or row[start] in "'\"":
        return None
    flow = "{" in row[:start] or "[" in row[:start]
    end = len(row)
    comment = re.search(r"\s#", row[start:])
    if comment:
        end = start + comment.start()
    if flow:
        stop = re.search(r"[,}\]]", row[start:end])
        if stop:
            end = start + stop.start()
    value = row[start:end].rstrip()
    if not value:
        return None
    quoted = "'" + value.replace("'", "''") + "'"
    rng = _range(lines, lines.starts[n] + start, lines.starts[n] + start + len(value))
    return t.CodeAction(title=f"Quote it: {quoted}", kind=t.CodeActionKind.QuickFix,
                        diagnostics=[d], is_preferred=True, edit=_replace(uri, rng, quoted))


def _authority_row_action(lines: Lines, uri: str, d: t.Diagnostic) -> t.CodeAction | None:
    m = re.search(r"role `([^`]+)`", d.message)
    if m is None:
        return None
    role = m.group(1)
    text = lines.text
    section = re.search(r"^authority:[^\n]*\n", text, re.MULTILINE)
    if section is None:
        insert = "\nauthority:\n" if text.endswith("\n") else "\n\nauthority:\n"
        pos = len(text)
        new = f"{insert}  {role}: {{}}\n"
    else:
        pos = section.end()
        rows = re.compile(r"^(?:[ ]+[^\n]*|\s*#[^\n]*)?\n", re.MULTILINE)
        while True:  # after the section's last row
            r = rows.match(text, pos)
            if r is None or r.end() == pos:
                break
            if not text[pos:r.end()].strip():
                nxt = rows.match(text, r.end())
                if nxt is None or not text[r.end():nxt.end()].startswith(" "):
                    break
            pos = r.end()
        new = f"  {role}: {{}}\n"
    rng = _range(lines, pos, pos)
    return t.CodeAction(title=f"Add an authority row for `{role}`",
                        kind=t.CodeActionKind.QuickFix, diagnostics=[d],
                        edit=_replace(uri, rng, new))


def _ignore_action(lines: Lines, uri: str, d: t.Diagnostic, code: str) -> t.CodeAction:
    n = d.range.start.line
    row = lines.line(n)
    existing = _IGNORE.search(row)
    if existing:
        names = [x.strip() for x in existing.group(1).split(",") if x.strip()]
        inside = ", ".join(names + [code])
        start = lines.starts[n] + existing.start(1)
        rng = _range(lines, start, start + len(existing.group(1)))
        edit = _replace(uri, rng, inside)
    else:
        end = lines.starts[n] + len(row.rstrip()) if n < len(lines.starts) else len(lines.text)
        rng = _range(lines, end, lines.starts[n] + len(row) if n < len(lines.starts) else end)
        edit = _replace(uri, rng, f"  # policyengine: ignore[{code}]")
    return t.CodeAction(title=f"Ignore {code} on this line", kind=t.CodeActionKind.QuickFix,
                        diagnostics=[d], edit=edit)
