"""The lint rule record: a name, the codes it can emit, its check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ...core.diagnostics import Diagnostic

if TYPE_CHECKING:  # pragma: no cover
    from .. import LintContext


@dataclass(frozen=True)
class Rule:
    """A lint rule: ``name`` (kebab-case), the ``codes`` it can emit, and its ``check``.
    ``logic``: it asks the solver (an editor runs those on save only)."""

    name: str
    codes: tuple[str, ...]
    check: Callable[[Any, "LintContext"], Iterable[Diagnostic]]
    logic: bool = False

    def __call__(self, policy: Any, context: "LintContext") -> Iterable[Diagnostic]:
        return self.check(policy, context)

    @property
    def __name__(self) -> str:  # the name PE901 reports a crash under
        return self.name
