"""The partner playbook's content: a policy turned into what a partner manager reads.

``build_playbook(policy)`` gathers, in plain words, everything the Markdown and HTML renderers
(``playbook_md``, ``playbook_html``) lay out: the categories with their triggers and bands, the
overrides, the ladder with its windows and the worst-case timeline, the authority matrix, the
remedies with their sunsets, reviews and who may authorize them, the facts a dispute carries,
and the policy's version, dates and digest. No formatting happens here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..compile.policy import derived_facts, policy_calendars, program
from ..model.nodes import Policy
from .plain_words import Vocabulary, condition_words, number, value_words_of
from .sentence import Part, Sentence, joined, sentence, strong, value

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONDAY = _dt.date(2024, 1, 1)


def calendar_words(info: Mapping[str, Any]) -> str:
    """A decision's ``calendar`` in words: ``region EMEA: public holidays of GB-ENG, weekend
    Saturday and Sunday, deadlines on a non-business day roll to the next one, time zone
    Europe/London``."""
    from ..core.calendar import WEEKDAY_KEYS

    days = [WEEKDAYS[WEEKDAY_KEYS.index(k)] for k in info.get("weekend", [])]
    weekend = (" and ".join([", ".join(days[:-1]), days[-1]]) if len(days) > 1 else
               (days[0] if days else "none"))
    parts = [f"public holidays of {info['holidays']}" if info.get("holidays")
             else "no public holidays", f"weekend {weekend}"]
    if info.get("roll") == "next":
        parts.append("day windows that end on a non-business day roll to the next one")
    if info.get("timezone"):
        parts.append(f"time zone {info['timezone']}")
    where = f"region {info['region']}" if info.get("region") else "the top-level calendar"
    return f"{where}: " + ", ".join(parts)


def long_date(day: _dt.date) -> str:
    """1 January 2026 (the same in every locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class BandRow:
    condition: str | None  # None: otherwise
    level_id: str
    level_title: str


@dataclass(frozen=True)
class CategorySection:
    id: str
    title: str
    class_: str
    confidentiality: str
    applies_when: str
    catch_all: bool
    bands: list[BandRow]
    remedies: list[tuple[str, str]]  # (id, title)
    description: str | None


@dataclass(frozen=True)
class OverrideRow:
    id: str
    reason: str
    condition: str
    level_id: str
    level_title: str


@dataclass(frozen=True)
class LevelRow:
    number: int
    id: str
    title: str
    role: str
    respond: str | None
    decide: str
    next_title: str | None
    advisory: bool
    entry: bool
    description: str | None


@dataclass(frozen=True)
class TimelineRow:
    level_title: str
    window: str
    start_day: int
    end_day: int
    end_weekday: str


@dataclass(frozen=True)
class Timeline:
    start_weekday: str
    rows: list[TimelineRow]
    total_days: int
    budget: str | None
    budget_days: int | None
    start_phrase: str = ""  # "a Friday (business days skip the weekend)"


@dataclass(frozen=True)
class CalendarSection:
    """One business calendar of the policy, with its non-business days over the term."""

    name: str  # "Top-level calendar" or "Region EMEA"
    words: str
    holidays: list[tuple[str, str]]  # (long date, name) within the term
    closures: list[str]  # long dates within the term


@dataclass(frozen=True)
class RemedyRow:
    id: str
    title: str
    action_title: str
    amount: str | None
    condition: str | None
    sunset: str | None
    review: str | None
    authorizers: list[str]  # "Regional director (up to 25,000 USD)", lowest level first
    categories: list[str]  # titles of the categories that list it
    description: str | None


@dataclass(frozen=True)
class FactRow:
    name: str
    meaning: str
    values: str
    default: str | None
    required: bool


@dataclass
class Playbook:
    policy_id: str
    title: str
    version: str
    effective: str
    expires: str | None
    owners: list[str]
    digest: str
    source: str | None
    description: str | None
    categories: list[CategorySection] = field(default_factory=list)
    overrides: list[OverrideRow] = field(default_factory=list)
    levels: list[LevelRow] = field(default_factory=list)
    timeline: Timeline | None = None
    calendars: list[CalendarSection] = field(default_factory=list)
    matrix_roles: list[tuple[str, str]] = field(default_factory=list)  # (level title, role)
    matrix: list[tuple[str, list[str]]] = field(default_factory=list)  # (action title, cells)
    remedies: list[RemedyRow] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)


# -- the sentences both formats show (composed once, marked up by playbook_md and _html) --------
ADVISORY = ("An advisory level facilitates and recommends; it does not decide on its own "
            "authority.")
NO_OVERRIDES = "None: the category's band alone sets the level."
OVERRIDES_LEAD = ("Whatever the category says, each override that holds raises the level to at "
                  "least the one shown.")
CATEGORIES_LEAD = "Checked in this order; the first that applies is the dispute's category."
FACTS_LEAD = "Every dispute states these facts; the conditions above are about them."
DIGEST_NOTE = ("The digest identifies the policy's content: comments and layout do not change "
               "it, any change of meaning does.")
NO_REMEDIES = "The policy defines no remedies."


def band_sentence(band: BandRow, earlier: bool) -> Sentence:
    """When a band holds: ``if <condition>``, ``otherwise, if ...``, ``always``."""
    if band.condition is None:
        return sentence("in every other case" if earlier else "always")
    return sentence("otherwise, if " if earlier else "if ", value(band.condition))


def applies_sentence(c: CategorySection) -> Sentence:
    if c.catch_all:
        return sentence(strong("Applies to"), " any dispute that no earlier category takes "
                        "(the catch-all).")
    return sentence(strong("Applies when"), " ", value(c.applies_when), ".")


def remedy_sentences(r: RemedyRow) -> list[Sentence]:
    """What a remedy requires, how long it lasts, who may authorize it, who uses it."""
    out = [sentence(strong("Required"), " ", *((("when ", value(r.condition)) if r.condition
                                               else ("whenever its category applies",))), ".")]
    if r.amount is not None:
        out.append(sentence(strong("Amount:"), " ", value(r.amount), "."))
    out.append(sentence(strong("Lapses"), " ", *(((value(r.sunset), " after it is granted")
                                                 if r.sunset else ("never (no sunset)",))),
                        "."))
    out.append(sentence(strong("Reviewed"), " ", *((("every ", value(r.review)) if r.review
                                                   else ("only at its sunset",))), "."))
    out.append(sentence(strong("May be authorized by:"), " ", *(
        joined(r.authorizers, ", ") if r.authorizers
        else ["no level: such a dispute goes to the top of the ladder"]), "."))
    if r.categories:
        out.append(sentence(strong("Used by:"), " ", *joined(r.categories, "; "), "."))
    return out


def timeline_sentence(t: Timeline) -> Sentence:
    """``From filing to the last decision: at most N days, within the ... budget of X.``"""
    parts: list[str | Part] = ["From filing to the last decision: at most ",
                               strong(f"{t.total_days} days")]
    if t.budget is not None:
        within = t.total_days <= (t.budget_days or 0)
        parts += [", ", "within" if within else strong("over"),
                  " the policy's resolution budget of ", value(t.budget)]
    return sentence(*parts, ".")


def calendar_sentences(c: CalendarSection) -> tuple[Sentence, Sentence]:
    """The calendar in words, and its company closures."""
    return (sentence(value(c.words[0].upper() + c.words[1:]), "."),
            sentence("Company closures: ", value(", ".join(c.closures)), ".") if c.closures
            else sentence("No company closures."))


def limit_words(limit: bool | float | None, unit: str | None) -> str | None:
    """An authority cell in words: "no limit", "up to 5,000 USD"; None when not allowed."""
    if limit is True:
        return "no limit"
    if limit is False or limit is None:
        return None
    return f"up to {number(limit, unit)}"


def _timeline(policy: Policy) -> Timeline:
    from ..compile.ladder import span_days, worst_path

    calendars = policy_calendars(policy)
    levels = derived_facts(policy).levels
    runs = [(worst_path(levels, cal), cal) for cal in calendars]
    (total, path, start, windows), cal = max(runs, key=lambda r: r[0][0])
    rows = [TimelineRow(lv.title, lv.decide_within.words(), (a - start).days,
                        (b - start).days, WEEKDAYS[b.weekday()]) for lv, a, b in windows]
    budget = policy.ladder.max_resolution
    budget_days = min(min(span_days(budget, c) or [0]) for c in calendars) \
        if budget is not None else None
    weekday = WEEKDAYS[start.weekday()]
    info = cal.describe()
    if info is not None:
        where = f"region {info['region']}" if info.get("region") else "the top-level calendar"
        phrase = (f"{weekday} {long_date(start)}, under {where} (business days skip its "
                  "weekend, public holidays and closures)")
    else:
        phrase = f"a {weekday} (business days skip the weekend)"
    return Timeline(weekday, rows, total, budget.words() if budget else None, budget_days,
                    phrase)


def _calendar_sections(policy: Policy) -> list[CalendarSection]:
    if policy.calendar is None:
        return []
    compiled = program(policy)  # the playbook's digest is the program's: compiled already
    from ..model import calendars as _calendars

    first, last = _calendars.resolved_term(policy)
    out = []
    for cal in compiled.calendars.all:
        info = cal.describe()
        if info is None:  # pragma: no cover - a policy with `calendar:` has resolved ones
            continue
        name = f"Region {info['region']}" if info.get("region") else "Top-level calendar"
        hol = [(long_date(d), n) for d, n in getattr(cal, "holidays", {}).items()
               if first <= d <= last]
        closed = [long_date(d) for d in sorted(getattr(cal, "closed", ())) if first <= d <= last]
        out.append(CalendarSection(name, calendar_words(info).split(": ", 1)[1], hol, closed))
    return out


def _fact_rows(policy: Policy) -> list[FactRow]:
    rows = []
    stack = [(f, f.name) for f in reversed(policy.facts)]
    while stack:
        decl, name = stack.pop()
        if decl.type == "map":
            values = "a group of the facts below"
        elif decl.enum is not None:
            values = "one of " + ", ".join(str(v) for v in decl.enum)
        else:
            values = {"string": "text", "int": "a whole number", "double": "a number",
                      "bool": "yes or no", "list": "a list"}.get(decl.type, decl.type)
            bounds = []
            if decl.min is not None:
                bounds.append(f"at least {number(decl.min)}")
            if decl.max is not None:
                bounds.append(f"at most {number(decl.max)}")
            if decl.unit:
                values += f" in {decl.unit}"
            if bounds:
                values += ", " + " and ".join(bounds)
        default = None
        if decl.has_default:
            d = decl.default
            default = ("yes" if d else "no") if isinstance(d, bool) else (
                "none" if d in ([], (), None) else number(d, decl.unit)
                if isinstance(d, (int, float)) else str(d))
        rows.append(FactRow(name, decl.description or "", values, default, decl.required))
        stack.extend((f, f"{name}.{f.name}") for f in reversed(decl.fields))
    return rows


def build_playbook(policy: Policy) -> Playbook:
    """Everything the playbook shows, in words."""
    m = policy.meta
    vocab = Vocabulary(policy.facts)
    levels = {lv.id: lv for lv in policy.ladder.levels}
    derived = derived_facts(policy)
    path = derived.levels
    book = Playbook(m.id, m.title, m.version, long_date(m.effective),
                    long_date(m.expires) if m.expires else None, list(m.owners),
                    policy.digest, policy.path, m.description)
    remedy_titles = {r.id: r.title for r in policy.remedies}
    for c in policy.categories:
        catch_all = c.when.canonical == "true"
        bands = [BandRow(None if b.when is None else condition_words(b.when, vocab), b.level,
                         levels[b.level].title) for b in c.bands]
        book.categories.append(CategorySection(
            c.id, c.title, c.class_, c.confidentiality,
            "any dispute no earlier category takes" if catch_all
            else condition_words(c.when, vocab), catch_all, bands,
            [(rid, remedy_titles.get(rid, rid)) for rid in c.remedies], c.description))
    for o in policy.overrides:
        book.overrides.append(OverrideRow(o.id, o.reason, condition_words(o.when, vocab),
                                          o.min_level, levels[o.min_level].title))
    for i, lv in enumerate(path, 1):
        nxt = levels.get(lv.next) if lv.next else None
        book.levels.append(LevelRow(
            i, lv.id, lv.title, lv.role,
            lv.respond_within.words() if lv.respond_within else None,
            lv.decide_within.words(), nxt.title if nxt else None, lv.advisory,
            lv.id == policy.ladder.entry, lv.description))
    book.timeline = _timeline(policy)
    book.calendars = _calendar_sections(policy)
    book.matrix_roles = [(lv.title, lv.role) for lv in path]
    for action in sorted(policy.actions, key=lambda a: (a.title.lower(), a.id)):
        cells = []
        for limit in derived.limits_of(action.id):
            cells.append(limit_words(limit, action.unit) or "")
        book.matrix.append((action.title, cells))
    actions = {a.id: a for a in policy.actions}
    for r in policy.remedies:
        found = actions.get(r.action)
        unit = found.unit if found else None
        who = []
        for lv, limit in zip(path, derived.limits_of(r.action)):
            words = limit_words(limit, unit if r.amount else None)
            if words is not None:
                who.append(f"{lv.title} ({words})" if r.amount is not None else lv.title)
        book.remedies.append(RemedyRow(
            r.id, r.title, found.title if found else r.action,
            value_words_of(r.amount, vocab, unit) if r.amount is not None else None,
            condition_words(r.when, vocab) if r.when is not None else None,
            r.sunset.words() if r.sunset else None,
            r.review_every.words() if r.review_every else None, who,
            [c.title for c in policy.categories if r.id in c.remedies], r.description))
    book.facts = _fact_rows(policy)
    return book
