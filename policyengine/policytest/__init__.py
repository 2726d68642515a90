"""Policy unit tests (``policyengine test``): disputes with their expected decisions, and the
rule coverage they reach. The counterpart of ``opa test`` for conflict rulebooks.

    from policyengine.policytest import run_tests
    run = run_tests(["policies/"])
    run.passed, run.failed, run.percent

``spec`` reads and checks ``*.test.yaml`` files, ``runner`` evaluates the cases and compares,
``coverage`` counts the categories, bands, overrides and remedies exercised. The format is in
``docs/policy-tests.md`` and ``schemas/policytest.schema.json``.
"""

from __future__ import annotations

from .coverage import PolicyCoverage, Rule, rules_of
from .runner import (CaseResult, FileResult, Mismatch, TestRun, collect_test_files, compare,
                     run_tests)
from .spec import Case, TestFile, parse_test_file

__all__ = [
    "Case",
    "CaseResult",
    "FileResult",
    "Mismatch",
    "PolicyCoverage",
    "Rule",
    "TestFile",
    "TestRun",
    "collect_test_files",
    "compare",
    "parse_test_file",
    "rules_of",
    "run_tests",
]
