"""policyengine: a declarative policy-as-code engine for partner and channel conflicts.

    >>> import policyengine
    >>> policy = policyengine.load_policy("policies/acme-channel-conflict.yaml")
    >>> decision = policy.evaluate({"kind": "pricing", "amount": 120000.0, "region": "EMEA",
    ...                             "partner": {"tier": "gold"}})
    >>> decision.level.id
    'regional'

The public API is exactly ``__all__``; everything else is private and may change.

Importing the package is cheap (PEP 562): each public name is imported from its module on
first use, so ``policyengine --help`` does not pay for the loader, the schema or the parser.
Type checkers and IDEs see the names through the ``TYPE_CHECKING`` imports below.
"""

from __future__ import annotations

import os as _os
import sys as _sys
import types as _types

#: ``typing.TYPE_CHECKING`` without importing typing (it costs a quarter of Python's own
#: start-up, and ``policyengine --help`` imports this module): type checkers read the name
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - what the lazy names are, for mypy and IDEs
    import typing as _t

    from .core.calendar import AsOf as _AsOf
    from .core.decision import (CategoryRef, Decision, DecisionWarning, LevelRef, RemedyInForce,
                                RemedyOutcome, TraceStep)
    from .core.diagnostics import Diagnostic, Severity, Span
    from .diff import PolicyDiff
    from .core.errors import (DisputeError, ExpressionError, PolicyengineError, PolicyError,
                              Problem)
    from .ledger import Ledger, LedgerError
    from .lint import LintResult
    from .lint.config import LintConfig
    from .model.nodes import Policy
    from .decide.api import evaluate, load_policy, loads_policy

    __version__: str
del TYPE_CHECKING  # not a public name


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

#: each public name -> the module that defines it, imported on first use (the ledger needs
#: SQLAlchemy, the diff the solver, loading the parser and the schema: deciding a dispute
#: needs none of the first two, ``--help`` none of them)
_LAZY = {
    "CategoryRef": "policyengine.core.decision", "Decision": "policyengine.core.decision",
    "DecisionWarning": "policyengine.core.decision", "LevelRef": "policyengine.core.decision",
    "RemedyInForce": "policyengine.core.decision", "RemedyOutcome": "policyengine.core.decision",
    "TraceStep": "policyengine.core.decision",
    "Diagnostic": "policyengine.core.diagnostics", "Severity": "policyengine.core.diagnostics",
    "Span": "policyengine.core.diagnostics",
    "DisputeError": "policyengine.core.errors", "ExpressionError": "policyengine.core.errors",
    "PolicyengineError": "policyengine.core.errors", "PolicyError": "policyengine.core.errors",
    "Problem": "policyengine.core.errors",
    "evaluate": "policyengine.decide.api",
    "LintResult": "policyengine.lint",
    "Policy": "policyengine.model.nodes",
    "load_policy": "policyengine.decide.api", "loads_policy": "policyengine.decide.api",
    "Ledger": "policyengine.ledger", "LedgerError": "policyengine.ledger",
    "PolicyDiff": "policyengine.diff",
}


def __getattr__(name: str) -> _t.Any:
    if name == "__version__":
        from .core.version import __version__ as version  # read from the metadata when first asked

        globals()["__version__"] = version
        return version
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'policyengine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(_types.ModuleType):
    """The package's module type: importing the subpackage ``policyengine.lint`` binds the
    package attribute ``lint`` to that module, which would replace the function ``lint``
    below; the function keeps its name."""

    def __setattr__(self, name: str, value: _t.Any) -> None:
        if name in ("lint", "evaluate") and isinstance(value, _types.ModuleType):
            return  # `policyengine.lint` / `policyengine.evaluate` stay the functions
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def lint(*paths: str | _os.PathLike[str], select: _t.Iterable[str] | None = None,
         ignore: _t.Iterable[str] | None = None, as_of: _AsOf | None = None,
         max_bytes: int | None = None, config: LintConfig | None = None) -> LintResult:
    """Lint rulebook files or folders; returns the sorted Diagnostics (a :class:`LintResult`,
    which is a list that also knows the ``files`` it read).

    ``select``/``ignore``: codes or prefixes (``PE5``); ``as_of``: the day the date checks use
    (default today); ``max_bytes``: the size limit per file (default: the loader's, 1 MiB);
    ``config``: a LintConfig (default: none; ``policyengine.lint.config.load_config()`` reads a
    project's). See ``docs/api.md``.
    """
    from .lint import run_lint

    if max_bytes is None:
        from .load import DEFAULT_MAX_BYTES

        max_bytes = DEFAULT_MAX_BYTES
    return run_lint(paths, select=select, ignore=ignore, as_of=as_of, max_bytes=max_bytes,
                    config=config)


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
