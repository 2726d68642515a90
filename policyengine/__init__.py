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

import os as _os
import typing as _t

from .calendar import AsOf as _AsOf
from .decision import (CategoryRef, Decision, DecisionWarning, LevelRef, RemedyInForce,
                       RemedyOutcome, TraceStep)
from .diagnostics import Diagnostic, Severity, Span
from .errors import DisputeError, ExpressionError, PolicyengineError, PolicyError, Problem
from .evaluate import evaluate
from .load import DEFAULT_MAX_BYTES as _DEFAULT_MAX_BYTES
from .model.nodes import Policy
from .pipeline import load_policy, loads_policy
from .version import __version__ as __version__

# The subpackage `policyengine.lint` is imported first so that the function `lint` defined below
# is what the name means: importing a subpackage for the first time rebinds the package's
# attribute of that name, which would otherwise replace the function by the module.
from . import lint as _lint_package  # noqa: E402
from .lint import LintResult  # noqa: E402

if _t.TYPE_CHECKING:  # pragma: no cover
    from .diff import PolicyDiff
    from .ledger import Ledger, LedgerError
    from .lint.config import LintConfig


__all__ = [
    "CategoryRef",
    "Decision",
    "DecisionWarning",
    "Diagnostic",
    "DisputeError",
    "Ledger",
    "LedgerError",
    "ExpressionError",
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


#: names imported on first use: the dispute ledger needs SQLAlchemy and the diff the solver,
#: which deciding a dispute does not, so `import policyengine` stays light
_LAZY = {"Ledger": "policyengine.ledger", "LedgerError": "policyengine.ledger",
         "PolicyDiff": "policyengine.diff"}


def __getattr__(name: str) -> _t.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'policyengine' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def lint(*paths: str | _os.PathLike[str], select: _t.Iterable[str] | None = None,
         ignore: _t.Iterable[str] | None = None, as_of: _AsOf | None = None,
         max_bytes: int = _DEFAULT_MAX_BYTES, config: LintConfig | None = None) -> LintResult:
    """Lint rulebook files or folders; returns the sorted Diagnostics (a :class:`LintResult`,
    which is a list that also knows the ``files`` it read).

    ``select``/``ignore``: codes or prefixes (``PE5``); ``as_of``: the day the date checks use
    (default today); ``max_bytes``: the size limit per file; ``config``: a LintConfig (default:
    none; ``policyengine.lint.config.load_config()`` reads a project's). See ``docs/api.md``.
    """
    return _lint_package.run_lint(paths, select=select, ignore=ignore, as_of=as_of,
                                  max_bytes=max_bytes, config=config)


def diff_policies(old: Policy | str | _os.PathLike[str],
                  new: Policy | str | _os.PathLike[str], *, as_of: _AsOf | None = None,
                  replay: str | _os.PathLike[str] | _t.IO[bytes] | None = None,
                  behavior: bool = True, timeout: float = 10.0, budget: float = 60.0,
                  max_regions: int = 30, examples: int = 5,
                  progress: _t.Callable[[int], None] | None = None,
                  replay_source: str | None = None) -> PolicyDiff:
    """Compare two versions of a rulebook (policies, paths, or ``REV:PATH`` read from git);
    returns a PolicyDiff: structural ``changes``, the ``behavior`` regions of disputes decided
    differently (each with a witness), and the ``replay`` of past disputes when
    ``replay=PATH`` is given. ``behavior=False`` skips the solver; ``timeout`` (per query) and
    ``budget`` (in all) bound it, in seconds; ``max_regions`` and ``examples`` bound the
    report. See ``docs/diff.md``.
    """
    from .diff import diff_policies as _diff_policies

    return _diff_policies(old, new, as_of=as_of, replay=replay, behavior=behavior,
                          timeout=timeout, budget=budget, max_regions=max_regions,
                          examples=examples, progress=progress, replay_source=replay_source)
