"""Diagnostics as a JUnit XML report (GitLab, Jenkins, Azure DevOps and most CI systems show
these as test results).

One ``<testsuite>`` per linted file (its path as the name), one ``<testcase>`` per diagnostic
(``CODE name at line:col``), with a ``<failure>`` for errors and warnings (``type`` the code,
``message`` the message, the body: location, message, hint, related notes, witness). An info is
a passing test case with its text in ``<system-out>``. A file without findings has one passing
test case, so that clean rulebooks show up as passed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Iterable, Sequence

from ..core.codes import REGISTRY
from ..core.diagnostics import Diagnostic, Severity
from .escape import xml_safe

NO_FILE = "policyengine"


def _details(d: Diagnostic) -> str:
    lines = [d.format_line()]
    if d.hint:
        lines.append(f"hint: {d.hint}")
    for note, span in d.related:
        lines.append(f"note: {note} ({span})")
    if d.witness is not None:
        lines.append("witness: " + json.dumps(d.witness, sort_keys=True, ensure_ascii=False))
    # a bare CR would not survive an XML parser's line-end normalization: make it a line break
    return "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")


def _case_name(d: Diagnostic) -> str:
    code = REGISTRY.get(d.code)
    name = f"{d.code} {code.name}" if code is not None else d.code
    if d.line is not None:
        name += f" at {d.line}:{d.column or 1}"
    return name


def to_xml(diagnostics: Iterable[Diagnostic], *, files: Sequence[str] = ()) -> ET.Element:
    by_file: dict[str, list[Diagnostic]] = {f: [] for f in files}
    for d in diagnostics:
        by_file.setdefault(d.file or NO_FILE, []).append(d)
    root = ET.Element("testsuites", name="policyengine lint")
    total = failed = 0
    for file, items in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=file)
        failures = 0
        if not items:
            ET.SubElement(suite, "testcase", classname=file, name="lint")
        for d in items:
            attrs = {"classname": file, "name": _case_name(d)}
            if d.file is not None:
                attrs["file"] = d.file
                if d.line is not None:
                    attrs["line"] = str(d.line)
            case = ET.SubElement(suite, "testcase", attrs)
            if d.severity is Severity.INFO:
                ET.SubElement(case, "system-out").text = _details(d)
            else:
                failures += 1
                failure = ET.SubElement(case, "failure", type=d.code, message=d.message)
                failure.text = _details(d)
        cases = max(1, len(items))
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total += cases
        failed += failures
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    return root


def render(diagnostics: Iterable[Diagnostic], *, files: Sequence[str] = ()) -> str:
    root = to_xml(diagnostics, files=files)
    xml_safe(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
