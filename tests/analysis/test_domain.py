"""The syntactic prefilter is an over-approximation: whenever it says two conditions cannot
hold together (or one cannot hold at all), the solver agrees; and it does prune."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyengine.analysis import FactSpace, Prover
from policyengine.analysis.domain import BOTTOM, Domains

from .helpers import category, policy_from

KINDS = ["pricing", "territory", "mdf", "co_branding"]


def atom():
    enum = st.sampled_from(KINDS).map(lambda k: f'kind == "{k}"') | \
        st.sampled_from(KINDS).map(lambda k: f'kind != "{k}"') | \
        st.lists(st.sampled_from(KINDS), min_size=1, max_size=3).map(
            lambda ks: "kind in [" + ", ".join(f'"{k}"' for k in ks) + "]")
    numbers = st.tuples(st.sampled_from(["<", "<=", ">", ">=", "=="]),
                        st.integers(-3, 3)).map(lambda t: f"count {t[0]} {t[1]}")
    other = st.sampled_from(["flag", "!flag", 'partner.tier == "gold"', "amount > 2.5",
                             'name.startsWith("x")'])
    return enum | numbers | other


condition = st.recursive(atom(), lambda inner: st.tuples(inner, st.sampled_from(["&&", "||"]),
                                                         inner).map(
    lambda t: f"({t[0]}) {t[1]} ({t[2]})") | inner.map(lambda c: f"!({c})"), max_leaves=4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=condition, b=condition)
def test_prefilter_never_claims_what_the_solver_refutes(a, b):
    policy = policy_from(category("a", a) + category("b", b))
    domains = Domains(policy)
    ra, rb = (domains.regions(c.when)[0] for c in policy.categories)
    space = FactSpace(policy)
    prover = Prover(space)
    ha, hb = (space.holds(c.when) for c in policy.categories)
    if ra is BOTTOM:
        assert prover.check(ha).unsat, a
    if domains.earlier_overlaps([ra, rb])[1] == []:
        assert prover.check(ha, hb).unsat, (a, b)


def test_pinned_categories_are_pruned_without_the_solver():
    cats = "".join(category(f"c{i}", f'kind == "{k}" && count > {i % 3}')
                   for i, k in enumerate(KINDS * 3))
    policy = policy_from(cats)
    domains = Domains(policy)
    regions = [domains.regions(c.when)[0] for c in policy.categories]
    found = domains.earlier_overlaps(regions)
    for i, earlier in enumerate(found):
        assert all(KINDS[j % 4] == KINDS[i % 4] for j in earlier)
    assert sum(map(len, found)) == 12  # of 66 pairs, only same-kind ones remain
