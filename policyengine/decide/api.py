"""The public entry points of deciding, as ``policyengine`` exports them: ``load_policy`` and
``loads_policy`` (from ``compile/pipeline.py``), and ``evaluate(dispute, policy)``, which also
takes the path of a rulebook. Importing this module installs the evaluator behind
``Policy.evaluate`` (``decide/evaluate.py`` does so when imported), so a policy loaded through
the package can decide."""

from __future__ import annotations

import datetime as _dt
import functools
import os
from typing import Any, Mapping

from ..compile.pipeline import load_policy, loads_policy
from ..core.decision import Decision
from ..model.nodes import Policy
from .evaluate import evaluate_compiled

__all__ = ["LOADED_FILES", "evaluate", "load_policy", "loads_policy"]

#: How many rulebook files ``evaluate`` keeps loaded (by path, modification time and size).
LOADED_FILES = 16


@functools.lru_cache(maxsize=LOADED_FILES)
def _load_cached(path: str, stamp: tuple[int, int]) -> Policy:
    return load_policy(path)


def evaluate(dispute: Mapping[str, Any], policy: Policy | str | os.PathLike[str], *,
             as_of: _dt.date | _dt.datetime | str | None = None) -> Decision:
    """Decide ``dispute`` with ``policy``: a loaded Policy, or a path to a rulebook (loaded
    once and kept by path, modification time and size: the last ``LOADED_FILES`` files)."""
    if isinstance(policy, Policy):
        return evaluate_compiled(policy.compiled, dispute, as_of=as_of)
    if isinstance(policy, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(policy))
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (-1, -1)
        return evaluate_compiled(_load_cached(path, stamp).compiled, dispute, as_of=as_of)
    raise TypeError("policy must be a Policy or the path of a rulebook file")
