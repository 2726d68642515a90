"""PE701 effective-after-expires, PE702 policy-expired, PE703 policy-expires-soon."""

from __future__ import annotations

import datetime as _dt

from typing import TYPE_CHECKING, Iterator

from ...core.diagnostics import Diagnostic, Severity
from ...model.nodes import Policy

if TYPE_CHECKING:  # pragma: no cover
    from .. import LintContext

SOON_DAYS = 60


def policy_term(policy: Policy, context: LintContext) -> Iterator[Diagnostic]:
    meta = policy.meta
    if meta.expires is None:
        return
    span = policy.span_at("policy", "expires")
    if meta.effective > meta.expires:
        yield Diagnostic.at("PE701", Severity.ERROR,
                            f"the policy takes effect on {meta.effective}, after it expires on "
                            f"{meta.expires}: it is never in force", span,
                            hint="`expires` is the last day in force: it must be on or after "
                                 "`effective`", element="policy.expires")
        return
    today: _dt.date = context.as_of
    if meta.expires < today:
        yield Diagnostic.at("PE702", Severity.WARNING,
                            f"the policy expired on {meta.expires}: it decides nothing after "
                            "that day", span,
                            hint="extend `expires` (and raise `version`) if the contract was "
                                 "renewed", element="policy.expires")
    elif (meta.expires - today).days <= SOON_DAYS:
        left = (meta.expires - today).days
        yield Diagnostic.at("PE703", Severity.INFO,
                            f"the policy expires on {meta.expires}, in {left} day(s)", span,
                            hint="start the renewal: `policyengine diff` shows what a new "
                                 "version changes", element="policy.expires")


from ._rule import Rule  # noqa: E402

RULES = (Rule("policy-term", ("PE701", "PE702", "PE703"), policy_term),)
