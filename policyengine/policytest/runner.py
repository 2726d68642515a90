"""Running policy test cases: evaluate each dispute and compare with what it expects.

``expect`` is a subset of the decision: only the keys given are compared. ``remedies`` and
``warnings`` are compared as sets: the decision must require exactly the remedies listed (in any
order) and carry exactly the warnings listed; a remedy given as a mapping also pins the fields it
names (``amount``, ``authorized_by``, ``expires_on``, ``review_on``). ``error: CODE`` expects a
refusal with that code.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..core.decision import Decision
from ..core.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from ..core.errors import DisputeError
from ..compile.pipeline import LoadResult, inspect_file
from .coverage import PolicyCoverage, percent, rules_of
from .spec import Case, TestFile, check_against_policy, parse_test_file
from ..decide.evaluate import evaluate_compiled

_REMEDY_FIELDS = ("amount", "authorized_by", "expires_on", "review_on")
#: What ``policyengine test`` runs in a folder, and ``policyengine lint`` skips (the same
#: suffixes as ``lint.TEST_SUFFIXES``; a test pins that).
TEST_SUFFIXES = (".test.yaml", ".test.yml")


@dataclass(frozen=True)
class Mismatch:
    """One difference: ``field`` of the decision, what the case expected, what it got."""

    field: str
    expected: Any
    actual: Any


@dataclass
class CaseResult:
    file: str
    case: Case
    mismatches: list[Mismatch]
    decision: Decision | None = None
    refusal: DisputeError | None = None

    @property
    def passed(self) -> bool:
        return not self.mismatches

    @property
    def name(self) -> str:
        return self.case.name

    @property
    def location(self) -> str:
        if self.case.line is None:
            return self.file
        return f"{self.file}:{self.case.line}:{self.case.column or 1}"


@dataclass
class FileResult:
    test: TestFile
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.test.path

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.test.diagnostics

    @property
    def broken(self) -> bool:
        """The file (or its policy) has errors: its cases did not run."""
        return not self.test.ok


@dataclass
class TestRun:
    __test__ = False  # not a pytest test class

    files: list[FileResult]
    coverage: list[PolicyCoverage]
    missing: list[str] = field(default_factory=list)

    @property
    def results(self) -> list[CaseResult]:
        return [c for f in self.files for c in f.cases]

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.results)

    @property
    def failed(self) -> int:
        return sum(not c.passed for c in self.results)

    @property
    def broken(self) -> list[FileResult]:
        return [f for f in self.files if f.broken]

    @property
    def percent(self) -> float:
        total = sum(len(c.rules) for c in self.coverage)
        return percent(sum(len(c.covered) for c in self.coverage), total)


def collect_test_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[str]]:
    """Test files to run (files as given; folders searched for ``*.test.yaml``, hidden
    folders skipped), and the paths that do not exist."""
    files: list[str] = []
    missing: list[str] = []
    for raw in paths:
        p = os.fspath(raw)
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(os.path.normpath(os.path.join(root, n)) for n in sorted(names)
                             if n.endswith(TEST_SUFFIXES) and not n.startswith("."))
        elif os.path.exists(p):
            files.append(p)
        else:
            missing.append(p)
    return list(dict.fromkeys(files)), missing  # each file once, first occurrence first


def _show_problems(error: DisputeError) -> str:
    return f"a refusal ({error.code}): " + "; ".join(
        (f"{p.path}: " if p.path else "") + p.message for p in error.problems)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and \
            isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    return bool(expected == actual)


def compare(expect: dict[Any, Any], decision: Decision | None, refusal: DisputeError | None
            ) -> list[Mismatch]:
    """The differences between what a case expects and what happened."""
    if "error" in expect:
        if refusal is None:
            assert decision is not None
            return [Mismatch("error", expect["error"],
                             f"a decision (category `{decision.category.id}`, level "
                             f"`{decision.level.id}`)")]
        if refusal.code != expect["error"]:
            return [Mismatch("error", expect["error"], _show_problems(refusal))]
        return []
    if refusal is not None:
        return [Mismatch("decision", "a decision", _show_problems(refusal))]
    d = decision
    assert d is not None  # either a decision or a refusal
    actual = {"category": d.category.id, "level": d.level.id, "role": d.level.role,
              "action": d.action, "respond_by": d.respond_by.isoformat() if d.respond_by
              else None, "decide_by": d.decide_by.isoformat()}
    out = []
    for key, value in actual.items():
        if key in expect and expect[key] != value:
            out.append(Mismatch(key, expect[key], value))
    if "remedies" in expect:
        out.extend(_remedies(expect["remedies"], d))
    if "warnings" in expect:
        got = sorted(w.code for w in d.warnings)
        if sorted(set(expect["warnings"])) != sorted(set(got)):
            out.append(Mismatch("warnings", sorted(expect["warnings"]), got))
    return out


def _remedies(expected: list[Any], d: Decision) -> list[Mismatch]:
    want = [x if isinstance(x, dict) else {"id": x} for x in expected]
    got = {r.id: r.to_dict() for r in d.remedies}
    out = []
    if sorted({w["id"] for w in want}) != sorted(got):
        out.append(Mismatch("remedies", sorted({w["id"] for w in want}), sorted(got)))
    for w in want:
        have = got.get(w["id"])
        if have is None:
            continue
        for key in _REMEDY_FIELDS:
            if key in w and not _same(w[key], have[key]):
                out.append(Mismatch(f"remedies.{w['id']}.{key}", w[key], have[key]))
    return out


def run_case(test: TestFile, case: Case) -> CaseResult:
    decision: Decision | None = None
    refusal: DisputeError | None = None
    # run only for files without errors: the policy loaded, every case has its date
    assert test.policy is not None and case.as_of is not None
    try:
        decision = evaluate_compiled(test.policy.compiled, case.dispute, as_of=case.as_of)
    except DisputeError as exc:
        refusal = exc
    return CaseResult(test.path, case, compare(case.expect, decision, refusal), decision,
                      refusal)


def run_tests(paths: Iterable[str | os.PathLike[str]]) -> TestRun:
    """Run every test file under ``paths``; coverage is merged per policy file."""
    files, missing = collect_test_files(paths)
    loaded: dict[str, Any] = {}  # policy path -> LoadResult
    coverage: dict[str, PolicyCoverage] = {}
    results: list[FileResult] = []
    for path in files:
        test = parse_test_file(path)
        result = FileResult(test)
        results.append(result)
        if has_errors(test.diagnostics) or test.policy_path is None:
            continue
        key = os.path.abspath(test.policy_path)
        if key not in loaded:
            loaded[key] = _load(test)
        load = loaded[key]
        if load.policy is None:
            test.diagnostics.append(_cannot_load(test, load))
            test.diagnostics.extend(d for d in load.diagnostics if d.is_error)
            continue
        test.diagnostics = sort_diagnostics(test.diagnostics
                                            + check_against_policy(test, load.policy))
        if has_errors(test.diagnostics):
            continue
        test.policy = load.policy
        cov = coverage.setdefault(key, PolicyCoverage(
            load.policy.path or test.policy_path, load.policy.meta.id, rules_of(load.policy)))
        for case in test.cases:
            outcome = run_case(test, case)
            result.cases.append(outcome)
            if outcome.decision is not None:
                cov.add(outcome.decision)
    return TestRun(results, list(coverage.values()), missing)


def _load(test: TestFile) -> LoadResult:
    path = test.policy_path
    if path is None or not os.path.exists(path):  # a named pipe or device is refused by the reader, at once
        from ..compile.pipeline import LoadResult

        return LoadResult(None, None, [])
    return inspect_file(path, display=path)


def _cannot_load(test: TestFile, load: LoadResult) -> Diagnostic:
    span = test.sourcemap.value_span(("policy",)) if test.sourcemap else None
    if not load.diagnostics:
        return Diagnostic.at("PE011", Severity.ERROR,
                             f"the policy under test `{test.policy_path}` does not exist", span,
                             hint="`policy:` is a path relative to the test file")
    unreadable = [d for d in load.diagnostics if d.code == "PE011"]
    if unreadable:
        return Diagnostic.at("PE011", Severity.ERROR,
                             f"the policy under test `{test.policy_path}` cannot be read: "
                             f"{unreadable[0].message}", span, hint=unreadable[0].hint)
    return Diagnostic.at("PE011", Severity.ERROR,
                         f"the policy under test `{test.policy_path}` does not load", span,
                         hint=f"run `policyengine lint {test.policy_path}` and fix its errors")
