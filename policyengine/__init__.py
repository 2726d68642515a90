"""policyengine: a declarative policy-as-code engine for partner and channel conflicts.

    >>> import policyengine
    >>> policy = policyengine.load_policy("policies/acme-channel-conflict.yaml")
    >>> decision = policy.evaluate({"kind": "pricing", "amount": 120000.0, "region": "EMEA",
    ...                             "partner": {"tier": "gold"}})
    >>> decision.level.id
    'regional'

The public API is exactly ``__all__``; everything else is private and may change.
"""

from __future__ import annotations

from .decision import Decision
from .diagnostics import Diagnostic, Severity
from .errors import DisputeError, ExpressionError, PolicyengineError, PolicyError, Problem
from .evaluate import evaluate
from .model.nodes import Policy
from .pipeline import load_policy, loads_policy

# The subpackage `policyengine.lint` is imported first so that the function `lint` defined below
# is what the name means: importing a subpackage for the first time rebinds the package's
# attribute of that name, which would otherwise replace the function by the module.
from . import lint as _lint_package  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "Diagnostic",
    "DisputeError",
    "Ledger",
    "LedgerError",
    "ExpressionError",
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


_LAZY = {"Ledger": "policyengine.ledger", "LedgerError": "policyengine.ledger"}


def __getattr__(name: str):
    """``Ledger`` and ``LedgerError`` are imported on first use: the dispute ledger needs
    SQLAlchemy, which deciding a dispute does not."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'policyengine' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def lint(*paths, **options):
    """Lint rulebook files or folders; returns the sorted list of Diagnostics.

    Keyword options: ``select``, ``ignore`` (codes), ``as_of`` (a date for the date checks),
    ``max_bytes``. See ``docs/api.md``.
    """
    return _lint_package.run_lint(paths, **options)


def diff_policies(old, new, *, as_of=None, **options):
    """Compare two versions of a rulebook (policies, paths, or ``REV:PATH`` read from git);
    returns a PolicyDiff: structural ``changes``, the ``behavior`` regions of disputes decided
    differently (each with a witness), and the ``replay`` of past disputes when
    ``replay=PATH`` is given. Keyword options: ``replay``, ``behavior``, ``timeout``,
    ``budget``, ``max_regions``, ``examples``. See ``docs/diff.md``.
    """
    from .diff import diff_policies as _diff_policies

    return _diff_policies(old, new, as_of=as_of, **options)
