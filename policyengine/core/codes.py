"""The registry of diagnostic codes: the single source for docs/rules/, SARIF ``rules[]`` and
``policyengine explain CODE``.

A code is a contract: it is never reused or renumbered. A renamed code keeps its number; a retired
code stays here with ``retired=True`` so that suppressions and baselines naming it keep meaning.
Areas group codes by hundreds:

* ``PE0xx`` file and YAML hazards        * ``PE4xx`` authority and remedies
* ``PE1xx`` schema and declarations      * ``PE5xx`` logic: gaps, shadowing, overlaps (solver)
* ``PE2xx`` references and ids           * ``PE6xx`` expressions: syntax and types
* ``PE3xx`` the escalation ladder        * ``PE7xx`` policy dates and business calendars
* ``PE8xx`` lint configuration
* ``PE9xx`` internal
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Severity

DOCS_BASE_URL = "https://channel-conflict-policyengine.readthedocs.io/en/latest/rules/"

AREAS = {
    "PE0": "file and YAML",
    "PE1": "schema",
    "PE2": "references",
    "PE3": "ladder",
    "PE4": "authority and remedies",
    "PE5": "logic",
    "PE6": "expressions",
    "PE7": "dates",
    "PE8": "lint configuration",
    "PE9": "internal",
}


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str
    retired: bool = False

    @property
    def area(self) -> str:
        return AREAS[self.code[:3]]

    @property
    def doc_path(self) -> str:
        """Path of the rule's page, relative to the repository root."""
        return f"docs/rules/{self.code}-{self.name}.md"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}-{self.name}/"


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

_CODES = [
    # PE0xx: the file and its YAML
    Code("PE001", "file-too-large", E, "the file is larger than the size bound"),
    Code("PE002", "not-utf8", E, "the file is not valid UTF-8 text"),
    Code("PE003", "yaml-syntax", E, "the file is not well-formed YAML"),
    Code("PE004", "tab-indentation", E, "a tab character is used for indentation"),
    Code("PE005", "multiple-documents", E, "the file holds more than one YAML document"),
    Code("PE006", "duplicate-key", E, "a mapping repeats a key"),
    Code("PE007", "yaml-alias", E, "the file uses YAML anchors or aliases"),
    Code("PE008", "nesting-too-deep", E, "the YAML nests deeper than the depth bound"),
    Code("PE009", "yaml11-implicit-value", W,
         "an unquoted YAML 1.1 boolean or null (`no`, `on`, `~`) where a string is meant"),
    Code("PE010", "empty-file", E, "the file holds no rulebook"),
    Code("PE011", "unreadable-file", E, "the file cannot be read"),
    # PE1xx: schema and declarations
    Code("PE101", "unknown-key", E, "a key the rulebook format does not define"),
    Code("PE102", "missing-key", E, "a required key is missing"),
    Code("PE103", "wrong-type", E, "a value has the wrong type"),
    Code("PE104", "invalid-value", E, "a value is outside what the format allows"),
    Code("PE110", "invalid-fact-default", E, "a fact's default does not satisfy its own declaration"),
    Code("PE111", "invalid-fact-bounds", E, "a fact's `min` is above its `max`, or bounds on a non-number"),
    Code("PE120", "invalid-derived-fact", E,
         "a fact derived from the ledger is not a top-level `int` without a default"),
    Code("PE121", "invalid-derived-window", E,
         "a derived fact's `within` window is not a positive number of days or weeks"),
    # PE2xx: references and ids
    Code("PE201", "duplicate-id", E, "two elements of the same kind share an id"),
    Code("PE202", "unknown-level", E, "a reference to a level the ladder does not define"),
    Code("PE203", "unknown-role", W, "an authority row for a role no level of the ladder has"),
    Code("PE204", "unknown-action", E, "a reference to an action the catalogue does not define"),
    Code("PE205", "unknown-remedy", E, "a category lists a remedy that is not defined"),
    Code("PE206", "unused-remedy", W, "a remedy no category lists"),
    Code("PE210", "unknown-derived-fact", E,
         "a derived fact's `same` names a fact that disputes do not carry"),
    # PE3xx: the escalation ladder
    Code("PE301", "ladder-cycle", E, "the ladder's `next` links form a cycle"),
    Code("PE302", "dangling-next", E, "a level's `next` names a level that does not exist"),
    Code("PE303", "unreachable-level", E, "a level cannot be reached from the entry level"),
    Code("PE304", "no-terminal-level", E, "no level ends the ladder"),
    Code("PE305", "respond-after-decide", E, "a level's `respond_within` is longer than its `decide_within`"),
    Code("PE306", "resolution-over-budget", E,
         "the longest path through the ladder exceeds `max_resolution`"),
    # PE4xx: authority and remedies
    Code("PE401", "role-without-authority", E, "a role on the ladder has no row in `authority`"),
    Code("PE402", "authority-shrinks", E,
         "a level may approve something the next non-advisory level above it may not"),
    Code("PE403", "remedy-unapprovable", E, "no role on the ladder may approve a remedy's action"),
    Code("PE404", "remedy-without-sunset", E, "a remedy has no `sunset`"),
    Code("PE405", "review-after-sunset", W, "a remedy's `review_every` is not shorter than its `sunset`"),
    # PE5xx: logic, proved with the z3 solver (witness disputes checked with the evaluator)
    Code("PE501", "threshold-gap", E,
         "some disputes of a category match no band and there is no `otherwise`"),
    Code("PE502", "band-unreachable", W, "a band is never reached: earlier bands cover it"),
    Code("PE503", "category-unreachable", W,
         "a category is never chosen: earlier categories cover it"),
    Code("PE504", "category-overlap", W,
         "two categories can both hold and the later is not a catch-all for the earlier"),
    Code("PE505", "unclassified-disputes", W, "some disputes match no category"),
    Code("PE506", "condition-never-holds", W,
         "a `when` of a category, band, override or remedy can never hold"),
    Code("PE507", "condition-always-holds", W,
         "a `when` always holds and makes the rules after it dead"),
    Code("PE508", "remedy-exceeds-authority", W,
         "a remedy's amount can exceed every authority on the ladder"),
    Code("PE509", "analysis-timeout", I,
         "the solver could not decide a logic check within its time limit"),
    Code("PE510", "expression-can-fail", E,
         "an expression raises a CEL error for some valid dispute, which is then refused"),
    # PE6xx: expressions
    Code("PE601", "expression-syntax", E, "an expression does not parse"),
    Code("PE602", "unknown-name", E, "an expression reads a fact that is not declared"),
    Code("PE603", "unknown-field", E, "an expression reads a field a map fact does not declare"),
    Code("PE604", "enum-value-not-listed", E,
         "a literal compared with (or listed against) an enum fact is not one of its values"),
    Code("PE605", "type-mismatch", E, "operands or arguments of the wrong type"),
    Code("PE606", "condition-not-bool", E, "a `when` expression is not boolean"),
    Code("PE607", "amount-not-numeric", E, "an `amount` expression is not a number"),
    Code("PE608", "unknown-function", E, "a call to a function or method that does not exist"),
    Code("PE609", "invalid-regex", E, "a `matches` pattern is not a valid RE2 regular expression"),
    Code("PE610", "expression-too-complex", E, "an expression is longer than the size bound"),
    Code("PE611", "expression-cost-over-budget", E,
         "an expression exceeds the evaluation step budget on every dispute"),
    Code("PE612", "expression-cost-may-exceed-budget", W,
         "an expression may exceed the evaluation step budget on large lists or texts"),
    # PE7xx: policy dates
    Code("PE701", "effective-after-expires", E, "the policy's `effective` date is after `expires`"),
    Code("PE702", "policy-expired", W, "the policy's `expires` date has passed"),
    Code("PE703", "policy-expires-soon", I, "the policy expires within 60 days"),
    # PE71x-PE72x: business calendars (`calendar:`)
    Code("PE710", "unknown-holiday-region", E,
         "a calendar's `holidays` is not a country or subdivision the holidays data knows"),
    Code("PE711", "calendar-by-not-string", E,
         "the calendar's `by` is not a string fact, or `regions` has no `by`"),
    Code("PE712", "unknown-calendar-region", E,
         "a `regions` key is not a value of the enum fact named by `by`"),
    Code("PE713", "region-without-calendar", I,
         "a value of the `by` fact has no `regions` entry: it uses the top-level calendar"),
    Code("PE714", "closed-range-reversed", E, "a company closure range ends before it starts"),
    Code("PE715", "closed-outside-term", W, "a company closure lies outside the policy's term"),
    Code("PE716", "no-business-day", E,
         "a calendar has no business day in some stretch of 14 days or more"),
    Code("PE717", "unknown-timezone", E, "a calendar's `timezone` is not an IANA time zone"),
    Code("PE718", "roll-without-effect", W,
         "`roll: next` where every window of the policy counts business days"),
    # PE8xx: lint configuration and inline suppressions
    Code("PE801", "unused-suppression", W,
         "an inline `# policyengine: ignore[...]` silences nothing on its line"),
    Code("PE802", "invalid-suppression", W,
         "an inline suppression names an unknown code, or no code"),
    # PE9xx: internal
    Code("PE901", "internal-error", E, "a check crashed; the rulebook may be fine: please report"),
]

# Codes that no rulebook can trigger on purpose: they need a doc page, not a fixture.
UNTRIGGERABLE = frozenset({"PE509", "PE901"})  # PE509: a timeout is no stable fixture

REGISTRY: dict[str, Code] = {c.code: c for c in _CODES}

# Old names that still resolve (ruff's rule_redirects): name -> code.
REDIRECTS: dict[str, str] = {}


def lookup(code_or_name: str) -> Code | None:
    """Find a code by number (``PE301``) or kebab-case name (``ladder-cycle``)."""
    key = code_or_name.strip()
    if key.upper() in REGISTRY:
        return REGISTRY[key.upper()]
    for c in REGISTRY.values():
        if c.name == key.lower():
            return c
    if key.lower() in REDIRECTS:
        return REGISTRY[REDIRECTS[key.lower()]]
    return None


def severity_of(code: str) -> Severity:
    return REGISTRY[code].severity


# -- decision refusal codes ---------------------------------------------------------------------
# The codes a refused dispute carries (RULEBOOK.md fixes them, snake_case); each has a page under
# docs/refusals/ that `policyengine explain CODE` prints, like a lint code's.
REFUSALS_BASE_URL = DOCS_BASE_URL.rsplit("rules/", 1)[0] + "refusals/"


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    summary: str
    related: str | None = None  # the lint code that finds the policy's side of it

    @property
    def doc_path(self) -> str:
        return f"docs/refusals/{self.code}.md"

    @property
    def help_uri(self) -> str:
        return f"{REFUSALS_BASE_URL}{self.code}/"


REFUSALS: dict[str, Refusal] = {r.code: r for r in [
    Refusal("invalid_facts", "a fact or a reserved key of the dispute is missing, has the wrong "
            "type, is not allowed, or a date is in the wrong order"),
    Refusal("policy_not_in_force", "the decision date is before the policy's `effective` or "
            "after its `expires`", "PE702"),
    Refusal("unclassified", "no category's `when` holds for the dispute", "PE505"),
    Refusal("threshold_gap", "no band of the dispute's category holds and there is no "
            "`otherwise`", "PE501"),
    Refusal("evaluation_error", "a trigger expression failed at run time (division by zero, "
            "overflow, an index out of range)"),
    Refusal("outside_calendar", "a date of the dispute needs the business calendar outside the "
            "days it was resolved for (the policy's term, with margins)"),
]}


def lookup_refusal(code: str) -> Refusal | None:
    """A refusal code (``invalid_facts``, in any case). Kebab-case names are lint codes'
    (``threshold-gap`` is PE501), so they are not read as refusal codes."""
    return REFUSALS.get(code.strip().lower())
