"""Write the descriptions of schemas/policy.schema.json from docs/rulebook.md, so that an
editor's hover and completion say what the reference says, and the two cannot drift.

    python scripts/schema_descriptions.py          # rewrite the schemas
    python scripts/schema_descriptions.py --check  # exit 1 when they are not up to date

Every node of the schema gets ``description`` (plain text) and ``markdownDescription`` (what
VS Code's and the YAML language server's hovers show), and ``examples`` where the reference's
snippets or the bundled ACME rulebook hold a value for it. The text comes from:

* a key's row in its section's table of docs/rulebook.md (type, required, meaning);
* a section's (or a list item's) description from the paragraph that opens its heading (or
  the one just before its table);
* the value formats (id, text, date, duration, expression) and the authority grants from
  their tables.

Adding a key: add its row to the table of its section in docs/rulebook.md, add the key to
the schema, run this script. A key of a new section: map the section's table to its schema
definition in ``TABLES`` below. Nothing but ``description``, ``markdownDescription`` and
``examples`` is written; everything else in the schema stays as it is.

It also writes schemas/policy.draft-07.schema.json, the same schema in draft-07 terms
(``definitions``; a ``$ref`` with siblings wrapped in ``allOf``) for editors whose JSON Schema
support stops at draft-07.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rulebook_tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "policy.schema.json"
DRAFT7 = ROOT / "schemas" / "policy.draft-07.schema.json"
ACME = ROOT / "policies" / "acme-channel-conflict.yaml"
DOCS_URL = "https://policyengine.readthedocs.io/en/latest/rulebook/"

# (heading, first column header, n-th such table under the heading) -> definition in $defs
# ("" is the schema's root: its properties are the sections)
TABLES = {("The file", "section", 0): "", ("policy", "key", 0): "metadata",
          ("facts", "key", 0): "fact", ("ladder", "key", 0): "ladder",
          ("ladder", "key", 1): "level", ("actions", "key", 0): "action",
          ("categories", "key", 0): "category", ("categories", "band key", 0): "band",
          ("overrides", "key", 0): "override", ("remedies", "key", 0): "remedy",
          ("facts", "key", 1): "derived", ("calendar", "key", 0): "calendar"}
# the heading whose opening paragraph describes a definition (or the table whose preceding
# paragraph does: the second table of a heading)
DEFINITION_TEXT = {"metadata": ("policy", 0), "fact": ("facts", 0), "ladder": ("ladder", 0),
                   "level": ("ladder", 1), "action": ("actions", 0),
                   "category": ("categories", 0), "band": ("categories", 1),
                   "override": ("overrides", 0), "remedy": ("remedies", 0),
                   "derived": ("facts", 1), "calendar": ("calendar", 0)}
# rows of the value formats table -> definitions
FORMATS = {"id": "id", "fact name": "factName", "text": "text", "date": "date",
           "duration": "duration", "expression": "expression"}
# where the bundled examples hold objects of each definition
KEYS_OF = {"metadata": "policy", "ladder": "ladder"}


# -- reading the reference -------------------------------------------------------------------
def _plain(md: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", md)
    text = text.replace("`", "").replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def _sentence(md: str) -> str:
    md = md.strip()
    return md[0].upper() + md[1:] + ("" if md.endswith((".", ":", ")")) else ".")


def _paragraphs(text: str) -> dict[str, list[str]]:
    """For each `## ` heading, the paragraphs of prose under it (tables, code and lists
    left out), in order; the key "" holds those before the first heading."""
    out: dict[str, list[str]] = {"": []}
    heading = ""
    in_code = False
    block: list[str] = []

    def flush() -> None:
        if block:
            out.setdefault(heading, []).append(" ".join(b.strip() for b in block))
            block.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("## "):
            flush()
            heading = line[3:].replace("`", "").strip()
            out.setdefault(heading, [])
            continue
        if not line.strip() or line.startswith(("|", "#", "- ", "* ")):
            flush()
            continue
        block.append(line)
    flush()
    return out


def _paragraph_before_tables(text: str) -> dict[tuple[str, int], str]:
    """The paragraph just before each table, by (heading, n-th table under it)."""
    out: dict[tuple[str, int], str] = {}
    heading = ""
    count: dict[str, int] = {}
    last = ""
    in_code = False
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("## "):
            heading = line[3:].replace("`", "").strip()
            last = ""
        elif line.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("| ---"):
            n = count.get(heading, 0)
            out[(heading, n)] = last
            count[heading] = n + 1
        elif line.strip() and not line.startswith("|"):
            # a paragraph may span lines: keep the run of prose lines
            prev = lines[i - 1] if i else ""
            last = (last + " " + line.strip()) if prev.strip() and not prev.startswith(
                ("|", "```")) else line.strip()
    return out


def _snippets(text: str) -> list[Any]:
    out = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        try:
            data = yaml.safe_load(block)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            out.append(data)
    return out


# -- examples --------------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _objects(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(definition, object) for every object of a rulebook (or a snippet of one)."""
    if isinstance(data.get("policy"), dict):
        yield "metadata", data["policy"]
    if isinstance(data.get("calendar"), dict):
        yield "calendar", data["calendar"]
    stack = [data.get("facts")]
    while stack:
        facts = stack.pop()
        if isinstance(facts, dict):
            for decl in facts.values():
                if isinstance(decl, dict):
                    yield "fact", decl
                    stack.append(decl.get("fields"))
                    if isinstance(decl.get("derived"), dict):
                        yield "derived", decl["derived"]
    ladder = data.get("ladder")
    if isinstance(ladder, dict):
        yield "ladder", ladder
        for level in ladder.get("levels") or []:
            if isinstance(level, dict):
                yield "level", level
    for action in (data.get("actions") or {}).values():
        if isinstance(action, dict):
            yield "action", action
    for cat in data.get("categories") or []:
        if isinstance(cat, dict):
            yield "category", cat
            for band in cat.get("thresholds") or []:
                if isinstance(band, dict):
                    yield "band", band
    for name, section in (("override", "overrides"), ("remedy", "remedies")):
        for item in data.get(section) or []:
            if isinstance(item, dict):
                yield name, item


class Examples:
    def __init__(self, sources: list[dict[str, Any]]):
        self.values: dict[tuple[str, str], list[Any]] = {}
        self.objects: dict[str, Any] = {}
        self.sections: dict[str, Any] = {}
        for data in sources:
            for section, value in data.items():
                self.sections.setdefault(str(section), _jsonable(value))
            for kind, obj in _objects(data):
                self.objects.setdefault(kind, _jsonable(obj))
                for key, value in obj.items():
                    found = self.values.setdefault((kind, str(key)), [])
                    value = _jsonable(value)
                    if value not in found and len(found) < 2:
                        found.append(value)

    def for_key(self, definition: str, key: str) -> list[Any]:
        if definition == "":
            section = self.sections.get(key)
            if isinstance(section, dict) and key not in ("policy", "ladder"):
                first = next(iter(section.items()), None)
                return [dict([first])] if first else []
            if isinstance(section, list):
                return [section[:1]]
            return [section] if section is not None else []
        return list(self.values.get((definition, key), []))


# -- the schema ------------------------------------------------------------------------------
def _ref_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _set(node: dict[str, Any], md: str, examples: list[Any] | None = None,
         plain: str | None = None) -> None:
    node["description"] = plain if plain is not None else _plain(md.split("\n\n[Reference]")[0])
    node["markdownDescription"] = md
    if examples:
        node["examples"] = examples
    else:
        node.pop("examples", None)


def describe(schema: dict[str, Any], reference: str, sources: list[dict[str, Any]]
             ) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    defs = schema["$defs"]
    examples = Examples(sources)
    paragraphs = _paragraphs(reference)
    before = _paragraph_before_tables(reference)
    texts: dict[str, str] = {}  # definition -> its markdown description

    # value formats and grants
    for table in rulebook_tables.tables_any(reference):
        if table.header[0] == "format":
            for row in table.raw_rows:
                name = FORMATS.get(row[0].strip())
                if name in defs:
                    md = _sentence(f"{row[0].strip().capitalize()}: {row[1].strip()}")
                    values = [yaml.safe_load(v) for v in re.findall(r"`([^`]+)`", row[2])]
                    texts[name] = md
                    _set(defs[name], md, [_jsonable(v) for v in values])
        if table.header[0] == "grant" and "grant" in defs:
            md = "A grant of the authority matrix: " + "; ".join(
                f"{row[0].strip()}: {row[1].strip()}" for row in table.raw_rows) + "."
            texts["grant"] = md
            _set(defs["grant"], md, [True, 25000, False])
    # definitions: the paragraph that opens their section (or precedes their table)
    for name, (heading, nth) in DEFINITION_TEXT.items():
        if name not in defs:
            continue
        md = before.get((heading, nth)) if nth else None
        md = md or (paragraphs.get(heading) or [""])[0]
        md = _sentence(md.rstrip(":") if md.endswith(":") else md)
        link = f"\n\n[Reference]({DOCS_URL}#{re.sub(r'[^a-z0-9_-]', '', heading.lower())})"
        texts[name] = md
        obj = examples.objects.get(name)
        _set(defs[name], md + link, [obj] if obj is not None else None)
    page = (paragraphs.get("") or [""])[0]
    _set(schema, _sentence(page) + f"\n\n[Reference]({DOCS_URL})")
    # every key: its row
    seen: dict[tuple[str, str], int] = {}
    for table in rulebook_tables.tables(reference):
        n = seen.get((table.heading, table.header[0]), 0)
        seen[(table.heading, table.header[0])] = n + 1
        name = TABLES.get((table.heading, table.header[0], n))
        if name is None:
            continue
        owner = schema if name == "" else defs.get(name)
        if not isinstance(owner, dict):
            continue
        props = owner.get("properties", {})
        type_col, req_col = table.column("type"), table.column("required")
        for row in table.rows:
            meaning = row.cells[-1].strip()
            facts = []
            if type_col is not None:
                facts.append(f"*{row.cells[type_col].strip()}*")
            if req_col is not None:
                req = row.cells[req_col].strip()
                facts.append("required" if req == "yes" else
                             "optional" + req[2:] if req.startswith("no") else req)
            for key in row.keys:
                if key not in props:
                    continue
                md = _sentence(meaning) + ("\n\n" + " · ".join(facts) if facts else "")
                plain = _plain(_sentence(meaning)) + (
                    " (" + ", ".join(_plain(f) for f in facts) + ")" if facts else "")
                anchor = re.sub(r"[^a-z0-9_-]", "", table.heading.lower())
                if table.heading != "The file":
                    md += f"\n\n[Reference]({DOCS_URL}#{anchor})"
                _set(props[key], md, examples.for_key(name, key) or None, plain)
    _fill_definitions(schema)
    _fill_nested(schema, texts)
    _fill_definitions(schema)
    return schema


def _fill_definitions(schema: dict[str, Any]) -> None:
    """A definition no table describes takes the words of the key that refers to it (or
    keeps its own description, in Markdown too)."""
    defs = schema["$defs"]
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = _ref_name(node)
            target = defs.get(ref) if ref else None
            if isinstance(target, dict) and "markdownDescription" not in target \
                    and node.get("markdownDescription"):
                target["markdownDescription"] = node["markdownDescription"]
                target["description"] = node.get("description", target.get("description"))
            if isinstance(target, dict) and "examples" not in target and node.get("examples"):
                target["examples"] = node["examples"]
            stack.extend(v for k, v in node.items() if k != "examples")
        elif isinstance(node, list):
            stack.extend(node)
    for node in defs.values():
        if "markdownDescription" not in node and node.get("description"):
            node["markdownDescription"] = node["description"]


def _fill_nested(schema: dict[str, Any], texts: dict[str, str]) -> None:
    """Nodes inside a property (list items, map values and names) and properties without a
    row of their own: described by what they refer to and where they sit."""
    stack: list[tuple[Any, str]] = [(schema, "")]
    while stack:
        node, where = stack.pop()
        if not isinstance(node, dict):
            continue
        for key, sub in (node.get("properties") or {}).items():
            if isinstance(sub, dict):
                if "description" not in sub:
                    ref = _ref_name(sub)
                    md = texts.get(ref or "", f"`{key}`.")
                    _set(sub, md)
                stack.append((sub, key))
        for kw, lead in (("items", "One item of `{w}`"), ("additionalProperties",
                                                            "One entry of `{w}`"),
                         ("propertyNames", "A name in `{w}`")):
            sub = node.get(kw)
            if isinstance(sub, dict):
                ref = _ref_name(sub)
                target = texts.get(ref or "")
                if target is None:
                    target = _plain(node.get("markdownDescription", "")).split(". ")[0]
                md = lead.format(w=where or "the rulebook") + ": " + target[:1].lower() \
                    + target[1:]
                _set(sub, md if md.endswith(".") else md + ".", sub.get("examples"))
                stack.append((sub, where))
        for name, sub in (node.get("$defs") or {}).items():
            stack.append((sub, name))


# -- draft-07 --------------------------------------------------------------------------------
def draft07(schema: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    out["$id"] = out.get("$id", "").replace("policy.schema.json", "policy.draft-07.schema.json")
    out["definitions"] = out.pop("$defs")
    stack = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                ref = ref.replace("#/$defs/", "#/definitions/")
                if len(node) > 1:  # draft-07 ignores the siblings of $ref
                    del node["$ref"]
                    node["allOf"] = [{"$ref": ref}] + node.get("allOf", [])
                else:
                    node["$ref"] = ref
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


# -- writing ---------------------------------------------------------------------------------
def dumps(value: Any, indent: int = 0, width: int = 100) -> str:
    """JSON with short containers on one line, as the schema is written by hand."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 2, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def generate() -> tuple[str, str]:
    reference = rulebook_tables.REFERENCE.read_text("utf-8")
    sources = _snippets(reference) + [yaml.safe_load(ACME.read_text("utf-8"))]
    schema = json.loads(SCHEMA.read_text("utf-8"))
    described = describe(schema, reference, sources)
    return dumps(described) + "\n", dumps(draft07(described)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a schema is not up to date")
    args = parser.parse_args(argv)
    main_text, draft_text = generate()
    stale = [p for p, text in ((SCHEMA, main_text), (DRAFT7, draft_text))
             if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for p in stale:
            print(f"{p.relative_to(ROOT)} is not up to date: run python "
                  "scripts/schema_descriptions.py", file=sys.stderr)
        return 1 if stale else 0
    for p, text in ((SCHEMA, main_text), (DRAFT7, draft_text)):
        p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
