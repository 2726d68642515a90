"""Policy test results as text: each failing case with expected against actual, the problems
of test files that could not run, rule coverage with the uncovered rules at their file:line,
and the closing line ``N passed, M failed``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policytest.coverage import KIND_PLURALS, KINDS
from .escape import terminal
from .text import render_diagnostic

if TYPE_CHECKING:  # pragma: no cover
    from ..policytest.runner import TestRun


def show(value: Any) -> str:
    """A value as the test file would spell it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) if not isinstance(v, str) else v for v in value) + "]"
    if isinstance(value, str) and value.startswith(("a refusal (", "a decision")):
        return value
    return f"`{value}`"


def coverage_lines(run: "TestRun") -> list[str]:
    lines: list[str] = []
    for cov in run.coverage:
        lines.append(f"coverage of {cov.policy_path}: {len(cov.covered)} of {len(cov.rules)} "
                     f"rules ({cov.percent:.1f}%)")
        parts = []
        for kind in KINDS:
            hit, total = cov.counts(kind)
            parts.append(f"{KIND_PLURALS[kind]} {hit}/{total}")
        lines.append("  " + ", ".join(parts))
        if cov.uncovered:
            lines.append("  not exercised by any case:")
            lines.extend(f"    {r.location}: {r.label}" for r in cov.uncovered)
    if len(run.coverage) > 1:
        total = sum(len(c.rules) for c in run.coverage)
        covered = sum(len(c.covered) for c in run.coverage)
        lines.append(f"total coverage: {covered} of {total} rules ({run.percent:.1f}%)")
    return lines


def render(run: "TestRun", *, fail_under: float | None = None, verbose: bool = False) -> str:
    blocks: list[str] = []
    for path in run.missing:
        blocks.append(f"{terminal(path)}: no such file or folder")
    for f in run.files:
        if f.diagnostics:
            src = f.test.sourcemap.source if f.test.sourcemap is not None else None
            blocks.extend(render_diagnostic(d, src if d.file == f.path else None)
                          for d in f.diagnostics)
        if f.broken:
            blocks.append(f"{terminal(f.path)}: not run: the test file or its policy has errors")
        for c in f.cases:
            if c.passed:
                if verbose:
                    blocks.append(f"ok   {terminal(c.location)}: {terminal(c.name)}")
                continue
            lines = [f"FAIL {terminal(c.location)}: {terminal(c.name)}"]
            for m in c.mismatches:
                lines.append(terminal(f"  {m.field}: expected {show(m.expected)}, found "
                                      f"{show(m.actual)}"))
            blocks.append("\n".join(lines))
    out = "\n\n".join(blocks)
    tail = coverage_lines(run)
    if fail_under is not None and run.coverage and run.percent + 1e-9 < fail_under:
        tail.append(f"rule coverage {run.percent:.1f}% is under --fail-under {fail_under:g}%")
    if run.broken:
        n = len(run.broken)
        tail.append(f"{n} test file{'' if n == 1 else 's'} could not run")
    tail.append(f"{run.passed} passed, {run.failed} failed")
    return (out + "\n\n" if out else "") + "\n".join(tail) + "\n"
