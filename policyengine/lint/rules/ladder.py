"""PE305 respond-after-decide, PE306 resolution-over-budget (the structural ladder checks,
PE301-PE304, run at load: a ladder the engine cannot order is refused)."""

from __future__ import annotations

from ...ladder import window_diagnostics


def windows(policy, context):
    return window_diagnostics(policy)


RULES = (windows,)
