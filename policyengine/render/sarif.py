"""Diagnostics as SARIF 2.1.0 (the format of GitHub code scanning and most CI dashboards).

One run; ``tool.driver.rules`` has one rule per code that occurs (``id`` the code, ``name`` its
kebab-case name, the summary as description and help, ``helpUri`` its page under docs/rules/);
one result per diagnostic with ``ruleId``/``ruleIndex``, ``level`` (error, warning, note), the
message (and the hint on a second paragraph), a location whose ``uri`` is relative to the working
directory with ``uriBaseId: "%SRCROOT%"`` (a file outside it gets an absolute ``file:`` URI), a
``region`` when the line is known, ``relatedLocations`` for the notes, ``partialFingerprints``
from (code, file, element) so that moving lines does not reopen an alert, and the witness dispute
of a logic finding in ``properties``. Columns count Unicode code points (``columnKind``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from ..core.version import __version__
from ..core.codes import REGISTRY
from ..core.diagnostics import Diagnostic, Severity, Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://channel-conflict-policyengine.readthedocs.io/"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rules(codes: Iterable[str]) -> list[dict[Any, Any]]:
    out = []
    for code in sorted(set(codes)):
        c = REGISTRY.get(code)
        if c is None:
            continue
        out.append({
            "id": c.code,
            "name": c.name,
            "shortDescription": {"text": c.summary},
            "fullDescription": {"text": f"{c.summary} ({c.area})"},
            "help": {"text": f"{c.summary}. Documentation: {c.help_uri}",
                     "markdown": f"{c.summary}. [Documentation]({c.help_uri})"},
            "helpUri": c.help_uri,
            "defaultConfiguration": {"level": _LEVELS[c.severity]},
            "properties": {"tags": [c.area]},
        })
    return out


def _artifact(path: str, root: str) -> dict[Any, Any]:
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive
        rel = None
    if rel is None or rel == ".." or rel.startswith(".." + os.sep):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(Path(rel).as_posix()), "uriBaseId": "%SRCROOT%"}


def _region(line: int | None, column: int | None, end_line: int | None,
            end_column: int | None) -> dict[Any, Any] | None:
    if line is None:
        return None
    region = {"startLine": line}
    if column is not None:
        region["startColumn"] = column
    if end_line is not None and end_line >= line:
        region["endLine"] = end_line
        if end_column is not None and column is not None and (
                end_line > line or end_column > column):
            region["endColumn"] = end_column
    return region


def _location(file: str, region: dict[str, Any] | None, root: str) -> dict[str, Any]:
    physical: dict[Any, Any] = {"artifactLocation": _artifact(file, root)}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def fingerprint(d: Diagnostic, root: str) -> str:
    """:meth:`Diagnostic.fingerprint` with the file named by its artifact URI (relative to
    ``root``, the ``%SRCROOT%``)."""
    return d.fingerprint(_artifact(d.file, root)["uri"] if d.file is not None else "")


def to_sarif(diagnostics: Iterable[Diagnostic], *, root: str | None = None) -> dict[Any, Any]:
    root = os.path.abspath(root if root is not None else os.getcwd())
    diagnostics = list(diagnostics)
    rules = _rules(d.code for d in diagnostics)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for d in diagnostics:
        text = d.message if not d.hint else f"{d.message}\n\nhint: {d.hint}"
        result: dict[Any, Any] = {"ruleId": d.code, "level": _LEVELS[d.severity],
                        "message": {"text": text}}
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.file is not None:
            result["locations"] = [_location(d.file, _region(d.line, d.column, d.end_line,
                                                             d.end_column), root)]
        related = []
        for i, (note, span) in enumerate(d.related):
            loc = _location(span.file, _span_region(span), root)
            loc["id"] = i
            loc["message"] = {"text": note}
            related.append(loc)
        if related:
            result["relatedLocations"] = related
        result["partialFingerprints"] = {"policyengine/v1": fingerprint(d, root)}
        if d.witness is not None:
            result["properties"] = {"witness": dict(d.witness)}
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "policyengine", "informationUri": INFORMATION_URI,
                                "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def _span_region(span: Span) -> dict[Any, Any] | None:
    return _region(span.line, span.column, span.end_line, span.end_column)


def render(diagnostics: Iterable[Diagnostic], *, root: str | None = None) -> str:
    return json.dumps(to_sarif(diagnostics, root=root), indent=2, ensure_ascii=False) + "\n"
