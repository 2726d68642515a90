"""The public API is exactly ``policyengine.__all__`` (STYLE.md habit 8): adding or removing a
name is a decision, made here."""

from __future__ import annotations

import inspect
import types

import policyengine

PUBLIC = [
    "Decision",
    "Diagnostic",
    "DisputeError",
    "ExpressionError",
    "Ledger",
    "LedgerError",
    "Policy",
    "PolicyError",
    "PolicyengineError",
    "Problem",
    "Severity",
    "diff_policies",
    "evaluate",
    "lint",
    "load_policy",
    "loads_policy",
]


def test_all_is_pinned():
    assert sorted(policyengine.__all__) == PUBLIC
    assert len(set(policyengine.__all__)) == len(policyengine.__all__)


def test_every_public_name_is_in_all():
    names = {n for n, v in vars(policyengine).items()
             if not n.startswith("_") and not isinstance(v, types.ModuleType)
             and n != "annotations"}  # `from __future__ import annotations` binds this name
    lazy = {"Ledger", "LedgerError"}  # imported on first use (they need SQLAlchemy)
    assert names - lazy == set(PUBLIC) - lazy


def test_every_name_in_all_exists_and_belongs_to_the_package():
    for name in policyengine.__all__:
        obj = getattr(policyengine, name)
        assert getattr(obj, "__module__", "").startswith("policyengine"), name


def test_exceptions_form_one_tree_under_value_error():
    for name in ("PolicyError", "DisputeError", "ExpressionError"):
        cls = getattr(policyengine, name)
        assert issubclass(cls, policyengine.PolicyengineError)
        assert issubclass(cls, ValueError)


def test_lint_stays_the_function_after_the_subpackage_is_imported():
    from policyengine.cli.main import cli  # noqa: F401  imports policyengine.lint and rules
    from policyengine.lint import run_lint  # noqa: F401
    from policyengine.lint.rules import RULES  # noqa: F401

    assert inspect.isfunction(policyengine.lint)
    assert policyengine.lint("policies/does-not-exist.yaml")[0].code == "PE011"


def test_version():
    assert isinstance(policyengine.__version__, str) and policyengine.__version__.count(".") >= 1
