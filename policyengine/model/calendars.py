"""A rulebook's ``calendar:`` resolved at load: public holidays from the ``holidays`` package,
company closures, weekends, ``roll`` and time zones, over a bounded horizon.

The horizon (docs/rulebook.md, "Business calendars"): from ``effective`` minus
``LOOKBACK_DAYS`` plus the longest ladder path (an escalation may have started before the
policy took effect), to ``expires`` (or ``effective`` plus ``DEFAULT_TERM_YEARS`` when there is
none) plus the longest ladder path, the longest single window, sunset and review period, and
``MARGIN_DAYS``. Every day of it is resolved once; a computation that needs a day outside it
is refused (``HorizonError``), never guessed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..core.calendar import WEEKDAY_KEYS, BusinessCalendar, Duration, ResolvedCalendar
from .nodes import CalendarDecl, CalendarRule, FactDecl, Policy

LOOKBACK_DAYS = 366
DEFAULT_TERM_YEARS = 5
MAX_TERM_YEARS = 25  # a longer term is resolved for its first 25 years (a bounded load)
MARGIN_DAYS = 62
DEFAULT_WEEKEND = (5, 6)


# -- what the holidays package and zoneinfo know (for build-time checks and lint) ------------
@lru_cache(maxsize=1)
def supported_holidays() -> dict[str, tuple[str, ...]]:
    """ISO country code -> its subdivision codes, as the installed ``holidays`` knows them."""
    import holidays

    return {c: tuple(s) for c, s in holidays.list_supported_countries().items()}


def holiday_code_problem(code: str) -> tuple[str, str] | None:
    """(message, hint) when ``code`` is not COUNTRY or COUNTRY-SUBDIVISION of the holidays
    data; the hint names the nearest valid code, or the valid subdivisions."""
    import holidays

    from ..core.suggest import nearest, one_of

    country, _, subdiv = code.partition("-")
    try:  # the common case, cheap: the package knows it (listing every country is not)
        holidays.country_holidays(country, subdiv=subdiv or None)
        return None
    except (NotImplementedError, KeyError, ValueError, AttributeError):
        pass
    known = supported_holidays()
    generic = ("write an ISO 3166-1 alpha-2 code, optionally with a subdivision: `US`, "
               "`US-CA`, `GB-ENG`, `DE-BY`")
    if country not in known:
        best = nearest(country, known) or nearest(code, _all_codes())
        return (f"`{country}` is not a country the holidays data knows",
                f"did you mean `{best}`?" if best else generic)
    if subdiv and subdiv not in known[country]:
        if not known[country]:
            return (f"`{country}` has no subdivisions in the holidays data",
                    f"write `{country}` alone")
        best = nearest(subdiv, known[country])
        return (f"`{subdiv}` is not a subdivision of `{country}` in the holidays data",
                f"did you mean `{country}-{best}`?" if best else
                "use one of " + one_of(f"{country}-{s}" for s in known[country]))
    return None


@lru_cache(maxsize=1)
def _all_codes() -> tuple[str, ...]:
    return tuple(sorted({c for c in supported_holidays()} |
                        {f"{c}-{s}" for c, subs in supported_holidays().items() for s in subs}))


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def timezone_known(name: str) -> bool:
    if name in time_zones():
        return True
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def today_in(zone: str | None) -> _dt.date:
    """Today's date in ``zone`` (the process's local date without a zone)."""
    if zone is None:
        return _dt.date.today()
    import zoneinfo

    return _dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()


def holiday_names(code: str, first: _dt.date, last: _dt.date) -> dict[_dt.date, str]:
    """The public holidays of ``code`` (``US``, ``GB-ENG``) from ``first`` to ``last``."""
    import holidays

    country, _, subdiv = code.partition("-")
    found = holidays.country_holidays(country, subdiv=subdiv or None,
                                      years=range(first.year, last.year + 1))
    return {d: "; ".join(sorted(set(found.get_list(d)))) for d in sorted(found)
            if first <= d <= last}


# -- the horizon -----------------------------------------------------------------------------
def _days(d: Duration | None) -> int:
    """A generous calendar-day bound of ``d`` under any calendar with business days left."""
    if d is None:
        return 0
    return d.count * 7 if d.unit in ("w", "bd") else d.count


def term(policy: Policy) -> tuple[_dt.date, _dt.date]:
    """The days the policy decides on: ``effective`` to ``expires`` (or the default term)."""
    m = policy.meta
    last = m.expires if m.expires is not None else _add_years(m.effective, DEFAULT_TERM_YEARS)
    return m.effective, max(last, m.effective)


def _add_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=min(day.year + years, 9999))
    except ValueError:  # 29 February
        return day.replace(year=min(day.year + years, 9999), day=28)


def resolved_term(policy: Policy) -> tuple[_dt.date, _dt.date]:
    """The part of the term the calendar is resolved for: at most ``MAX_TERM_YEARS``."""
    first, last = term(policy)
    return first, min(last, _add_years(first, MAX_TERM_YEARS))


def horizon(policy: Policy) -> tuple[_dt.date, _dt.date]:
    first, last = resolved_term(policy)
    path = sum(_days(lv.decide_within) for lv in policy.ladder.levels)
    longest = max([_days(lv.decide_within) for lv in policy.ladder.levels]
                  + [_days(lv.respond_within) for lv in policy.ladder.levels]
                  + [_days(r.sunset) for r in policy.remedies]
                  + [_days(r.review_every) for r in policy.remedies] + [0])
    lo = first.toordinal() - LOOKBACK_DAYS - path
    hi = last.toordinal() + path + longest + MARGIN_DAYS
    return (_dt.date.fromordinal(max(lo, 1)),
            _dt.date.fromordinal(min(hi, _dt.date.max.toordinal())))


# -- resolution ------------------------------------------------------------------------------
def closed_days(ranges: Iterable[tuple[_dt.date, _dt.date]], first: _dt.date,
                last: _dt.date) -> set[_dt.date]:
    """The closed days of ``ranges`` within ``first..last`` (a range may be far longer)."""
    out: set[_dt.date] = set()
    for a, b in ranges:
        day, b = max(a, first), min(b, last)
        while day <= b:
            out.add(day)
            day += _dt.timedelta(days=1)
    return out


def resolve_rule(rule: CalendarRule, region: str | None, first: _dt.date, last: _dt.date,
                 policy_term: tuple[_dt.date, _dt.date]) -> ResolvedCalendar:
    names = holiday_names(rule.holidays, first, last) if rule.holidays else {}
    return ResolvedCalendar(
        region=region, first=first, last=last,
        weekend=rule.weekend if rule.weekend is not None else DEFAULT_WEEKEND,
        holidays=names, closed=closed_days(rule.closed or (), first, last),
        roll=rule.roll or "none",
        timezone=rule.timezone, holidays_code=rule.holidays, term=policy_term)


class CalendarSet:
    """The calendars of one policy: the top level (``default``) and one per ``regions`` entry,
    and how a dispute's facts pick one (the value of the ``by`` fact)."""

    def __init__(self, default: BusinessCalendar,
                 regions: Mapping[str, BusinessCalendar] | None = None,
                 by: tuple[str, ...] | None = None, decl: CalendarDecl | None = None):
        self.default = default
        self.regions = dict(regions or {})
        self.by = by
        self.decl = decl

    @property
    def all(self) -> list[BusinessCalendar]:
        return [self.default, *self.regions.values()]

    def key_of(self, facts: Mapping[str, Any]) -> str | None:
        """The ``regions`` key the facts pick, or None for the top-level calendar."""
        if self.by is None:
            return None
        node: Any = facts
        for k in self.by:
            if not (type(node) is dict or isinstance(node, Mapping)) or k not in node:
                return None
            node = node[k]
        return node if isinstance(node, str) and node in self.regions else None

    def canonical(self) -> dict[str, Any] | None:
        """The resolved calendars as plain data, for the digest (None without ``calendar:``)."""
        if self.decl is None:
            return None

        def one(c: BusinessCalendar) -> dict[str, Any]:
            assert isinstance(c, ResolvedCalendar)
            return {"timezone": c.timezone, "holidays": c.holidays_code,
                    "weekend": [WEEKDAY_KEYS[w] for w in c.weekend], "roll": c.roll,
                    "from": c.first.isoformat(), "to": c.last.isoformat(),
                    "holiday_days": {d.isoformat(): n for d, n in c.holidays.items()},
                    "closed_days": sorted(d.isoformat() for d in c.closed)}

        return {"by": ".".join(self.by) if self.by else None, "default": one(self.default),
                "regions": {k: one(v) for k, v in self.regions.items()}}

    def fingerprint(self) -> str | None:
        data = self.canonical()
        if data is None:
            return None
        blob = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()


def fact_path(facts: Iterable[FactDecl], dotted: str) -> FactDecl | None:
    """The declaration at ``dotted`` (``partner.region``), or None."""
    pool = list(facts)
    decl = None
    for part in dotted.split("."):
        decl = next((f for f in pool if f.name == part), None)
        if decl is None:
            return None
        pool = list(decl.fields)
    return decl


def resolve_calendars(policy: Policy) -> CalendarSet:
    decl = policy.calendar
    if decl is None:
        return CalendarSet(BusinessCalendar())
    first, last = horizon(policy)
    span = resolved_term(policy)
    made: dict[tuple[Any, ...], ResolvedCalendar] = {}

    def resolve(rule: CalendarRule, region: str | None) -> ResolvedCalendar:
        """Entries that keep the same days share one resolution (a region differs from
        another by its name and zone alone)."""
        key = (rule.holidays, rule.closed, rule.weekend, rule.roll)
        if key not in made:
            made[key] = resolve_rule(rule, region, first, last, span)
            return made[key]
        return made[key].renamed(region, rule.timezone)

    default = resolve(decl.base, None)
    regions = {key: resolve(rule.inherit(decl.base), key) for key, rule in decl.regions}
    by = tuple(decl.by.split(".")) if decl.by else None
    return CalendarSet(default, regions, by, decl)
