"""The public API is exactly ``policyengine.__all__`` (STYLE.md habit 8): adding or removing a
name is a decision, made here."""

from __future__ import annotations

import inspect
import types

import policyengine

# The result types are public too, so that typed callers can name what they get back.
PUBLIC = [
    "CategoryRef",
    "Decision",
    "DecisionWarning",
    "Diagnostic",
    "DisputeError",
    "ExpressionError",
    "Ledger",
    "LedgerError",
    "LevelRef",
    "LintResult",
    "Policy",
    "PolicyDiff",
    "PolicyError",
    "PolicyengineError",
    "Problem",
    "RemedyInForce",
    "RemedyOutcome",
    "Severity",
    "Span",
    "TraceStep",
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
    # the rest are imported on first use (PEP 562): `import policyengine` stays cheap
    assert names | set(policyengine._LAZY) == set(PUBLIC)
    assert set(policyengine._LAZY) <= set(PUBLIC)
    assert set(PUBLIC) <= set(dir(policyengine))


def test_import_policyengine_imports_no_stage() -> None:
    import subprocess
    import sys

    code = ("import sys, policyengine; print(sorted(m for m in sys.modules "
            "if m.startswith('policyengine')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "['policyengine']"


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


def test_the_version_has_one_source_the_installed_metadata():
    from importlib import metadata

    assert policyengine.__version__ == metadata.version("channel-conflict-policyengine")
    init = inspect.getsource(policyengine)
    assert f'"{policyengine.__version__}"' not in init  # no second copy of the version string


def test_lint_result_is_the_list_of_diagnostics_with_the_files_read():
    result = policyengine.lint("policies/acme-channel-conflict.yaml", as_of="2026-11-23")
    assert isinstance(result, policyengine.LintResult) and isinstance(result, list)
    assert result == [] and result.files == ["policies/acme-channel-conflict.yaml"]


def test_policy_diff_is_loaded_on_first_access():
    from policyengine.diff import PolicyDiff

    assert policyengine.PolicyDiff is PolicyDiff
