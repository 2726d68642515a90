"""Policy test results as JUnit XML (``policyengine test --junit FILE``), the format CI systems
(GitHub Actions reporters, GitLab, Jenkins, Azure Pipelines) show as a test report.

One ``<testsuite>`` per test file, one ``<testcase>`` per case (a ``<failure>`` lists every
mismatch); a test file that could not run is one ``<testcase>`` with an ``<error>``. Rule
coverage goes into ``<properties>``. No timings: the same results give the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from .policytest_text import show
from .escape import xml_safe

if TYPE_CHECKING:  # pragma: no cover
    from ..policytest.runner import TestRun


def _classname(path: str) -> str:
    name = path.replace("\\", "/")
    for suffix in (".test.yaml", ".test.yml", ".yaml", ".yml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.strip("./").replace("/", ".")


def render(run: "TestRun") -> str:
    root = ET.Element("testsuites", name="policyengine test", tests=str(len(run.results)),
                      failures=str(run.failed), errors=str(len(run.broken)))
    props = ET.SubElement(root, "properties")
    ET.SubElement(props, "property", name="rule_coverage_percent", value=f"{run.percent:.1f}")
    for cov in run.coverage:
        ET.SubElement(props, "property", name=f"rule_coverage:{cov.policy_path}",
                      value=f"{len(cov.covered)}/{len(cov.rules)}")
    for f in run.files:
        failures = sum(not c.passed for c in f.cases)
        suite = ET.SubElement(root, "testsuite", name=f.path,
                              tests=str(len(f.cases) + (1 if f.broken else 0)),
                              failures=str(failures), errors=str(1 if f.broken else 0),
                              skipped="0")
        if f.broken:
            case = ET.SubElement(suite, "testcase", classname=_classname(f.path),
                                 name="load test file", file=f.path)
            errors = [d for d in f.diagnostics if d.is_error]
            first = errors[0].format_line() if errors else "the test file could not run"
            err = ET.SubElement(case, "error", message=first, type="load")
            err.text = "\n".join(d.format_line() + (f"\n  hint: {d.hint}" if d.hint else "")
                                 for d in errors)
        for c in f.cases:
            attrs = {"classname": _classname(f.path), "name": c.name, "file": f.path}
            if c.case.line is not None:
                attrs["line"] = str(c.case.line)
            case = ET.SubElement(suite, "testcase", attrs)
            if not c.passed:
                lines = [f"{m.field}: expected {show(m.expected)}, found {show(m.actual)}"
                         for m in c.mismatches]
                failure = ET.SubElement(case, "failure", message=lines[0], type="mismatch")
                failure.text = f"{c.location}: {c.name}\n" + "\n".join(lines)
    xml_safe(root)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")
