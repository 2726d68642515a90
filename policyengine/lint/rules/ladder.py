"""PE305 respond-after-decide, PE306 resolution-over-budget (the structural ladder checks,
PE301-PE304, run at load: a ladder the engine cannot order is refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...compile.policy import derived_facts, policy_calendars
from ...core.diagnostics import Diagnostic
from ...compile.ladder import window_diagnostics
from ...model.nodes import Policy

if TYPE_CHECKING:  # pragma: no cover
    from .. import LintContext


def windows(policy: Policy, context: LintContext) -> list[Diagnostic]:
    return window_diagnostics(policy, derived_facts(policy).levels, policy_calendars(policy))


from ._rule import Rule  # noqa: E402

RULES = (Rule("ladder-windows", ("PE305", "PE306"), windows),)
