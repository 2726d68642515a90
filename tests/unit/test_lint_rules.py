"""lint/rules/: authority (PE401-PE405) and policy dates (PE701-PE703) over loaded policies,
and the lint driver (select/ignore, a crashing rule becomes PE901)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import policyengine
from policyengine.lint import LintContext, lint_paths
from policyengine.lint.rules import RULES, authority, dates
from policyengine.compile.pipeline import inspect_text

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
AS_OF = dt.date(2026, 11, 23)
CTX = LintContext(AS_OF)
AUTHORITY = CLEAN[CLEAN.index("authority:\n"):CLEAN.index("categories:\n")]
THREE = CLEAN.replace(
    "      decide_within: 10bd\n",
    "      decide_within: 10bd\n      next: mediation\n"
    "    - id: mediation\n      title: Neutral mediator\n      role: neutral_mediator\n"
    "      advisory: true\n      decide_within: 30d\n      next: executive\n"
    "    - id: executive\n      title: Executive sponsor\n      role: executive_sponsor\n"
    "      decide_within: 20d\n")


def with_authority(rows: str, text: str = CLEAN) -> str:
    return text.replace(AUTHORITY, "authority:\n" + rows + "\n")


def policy_of(text: str):
    result = inspect_text(text, "t.yaml")
    assert result.draft is not None, [d.format_line() for d in result.diagnostics]
    return result.draft


def run(rule, text: str, as_of: dt.date = AS_OF) -> list:
    return list(rule(policy_of(text), LintContext(as_of)))


def lint_text(text: str, tmp_path: Path, **options) -> list:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return policyengine.lint(path, as_of=AS_OF, **options)


def test_the_clean_rulebook_and_bundled_policies_have_no_findings():
    assert lint_paths([ROOT / "tests" / "golden" / "clean.yaml"], as_of=AS_OF).diagnostics == []
    result = lint_paths([ROOT / "policies"], as_of=AS_OF)
    assert result.diagnostics == [] and len(result.files) >= 3


# -- PE401 role-without-authority -----------------------------------------------------------


def test_role_without_a_row():
    text = with_authority("  account_manager: {hold_unilateral: true, price_adjustment: 5000}\n")
    [d] = run(authority.missing_rows, text)
    assert d.code == "PE401"
    assert d.message == "level `regional`: role `regional_director` has no row in `authority`"
    assert text.splitlines()[d.line - 1].strip() == "role: regional_director"


def test_advisory_role_may_have_an_empty_row_but_needs_one():
    rows = ("  account_manager:   {hold_unilateral: true, price_adjustment: 5000}\n"
            "  regional_director: {hold_unilateral: true, price_adjustment: 50000}\n"
            "  executive_sponsor: {hold_unilateral: true, price_adjustment: true}\n")
    [d] = run(authority.missing_rows, with_authority(rows, THREE))
    assert d.message == "level `mediation`: role `neutral_mediator` has no row in `authority`"
    assert d.hint == ("add `neutral_mediator: {}` under `authority` (an advisory role may have "
                      "no powers)")
    assert run(authority.missing_rows,
               with_authority(rows + "  neutral_mediator: {}\n", THREE)) == []


def test_two_levels_with_one_role_report_once():
    text = CLEAN.replace("      role: regional_director\n", "      role: account_manager\n")
    text = with_authority("  regional_director: {hold_unilateral: true}\n", text)
    assert [d.message for d in run(authority.missing_rows, text)] == [
        "level `frontline`: role `account_manager` has no row in `authority`"]


# -- PE402 authority-shrinks --------------------------------------------------------------------


@pytest.mark.parametrize("low,high,shrinks,tail", [
    ("5000", "50000", False, None),
    ("5000", "5000", False, None),
    ("5000", "2500", True, "only up to 2500"),
    ("5000", "true", False, None),
    ("true", "50000", True, "only up to 50000"),
    ("true", "true", False, None),
    ("true", "false", True, "may not"),
    ("5000", "false", True, "may not"),
    ("false", "false", False, None),
    ("false", "10", False, None),
    ("2500.5", "2500", True, "only up to 2500"),
])
def test_shrink_detection(low, high, shrinks, tail):
    rows = (f"  account_manager:   {{hold_unilateral: true, price_adjustment: {low}}}\n"
            f"  regional_director: {{hold_unilateral: true, price_adjustment: {high}}}\n")
    text = with_authority(rows)
    found = run(authority.shrinking, text)
    assert bool(found) == shrinks
    if shrinks:
        [d] = found
        assert d.code == "PE402"
        assert d.message.startswith("authority shrinks going up: `account_manager` (level "
                                    "`frontline`) may approve `price_adjustment` ")
        assert d.message.endswith(f"but `regional_director` (level `regional`, next above) {tail}")
        line = text.splitlines()[d.line - 1]
        assert line.startswith("  regional_director:")
        assert line[d.column - 1:d.end_column - 1] == "price_adjustment"
        [(note, span)] = d.related
        assert note.startswith("`account_manager` may approve it ")
        assert text.splitlines()[span.line - 1].startswith("  account_manager:")


def test_shrink_when_the_upper_cell_is_missing_points_at_the_row():
    rows = ("  account_manager:   {hold_unilateral: true, price_adjustment: 5000}\n"
            "  regional_director: {hold_unilateral: true}\n")
    text = with_authority(rows)
    [d] = run(authority.shrinking, text)
    assert d.message.endswith("may not")
    assert d.hint == "give `regional_director` at least `price_adjustment: 5000`"
    assert text.splitlines()[d.line - 1][d.column - 1:d.end_column - 1] == "regional_director"


def test_a_role_without_a_row_is_pe401_only():
    text = with_authority("  account_manager: {hold_unilateral: true, price_adjustment: 5000}\n")
    assert run(authority.shrinking, text) == []


def test_advisory_levels_are_exempt_and_skipped():
    rows = ("  account_manager:   {hold_unilateral: true, price_adjustment: 5000}\n"
            "  regional_director: {hold_unilateral: true, price_adjustment: 50000}\n"
            "  neutral_mediator:  {}\n"
            "  executive_sponsor: {hold_unilateral: true, price_adjustment: 40000}\n")
    found = run(authority.shrinking, with_authority(rows, THREE))
    # the mediator (advisory) may approve nothing: exempt; the executive is compared with the
    # regional director below the mediator
    assert [d.message for d in found] == [
        "authority shrinks going up: `regional_director` (level `regional`) may approve "
        "`price_adjustment` up to 50000, but `executive_sponsor` (level `executive`, next above) "
        "only up to 40000"]


# -- PE403 remedy-unapprovable --------------------------------------------------------------------


def test_remedy_no_role_may_approve():
    rows = ("  account_manager:   {hold_unilateral: true, price_adjustment: false}\n"
            "  regional_director: {hold_unilateral: true}\n")
    text = with_authority(rows)
    [d] = run(authority.unapprovable, text)
    assert d.code == "PE403"
    assert d.message == "remedy `price-realignment`: no role on the ladder may approve " \
                        "`price_adjustment`"
    assert d.hint == ("grant `price_adjustment` to a role under `authority`, e.g. "
                      "`regional_director: {price_adjustment: true}`")
    assert text.splitlines()[d.line - 1].strip() == "action: price_adjustment"


def test_a_grant_to_a_role_off_the_ladder_does_not_count():
    rows = ("  account_manager:   {hold_unilateral: true}\n"
            "  regional_director: {hold_unilateral: true}\n"
            "  legal_counsel:     {price_adjustment: true}\n")
    assert [d.code for d in run(authority.unapprovable, with_authority(rows))] == ["PE403"]


def test_the_hint_names_the_top_deciding_role_not_the_mediator():
    rows = ("  account_manager:   {hold_unilateral: true}\n"
            "  regional_director: {hold_unilateral: true}\n  neutral_mediator:  {}\n"
            "  executive_sponsor: {hold_unilateral: true}\n")
    [d] = run(authority.unapprovable, with_authority(rows, THREE))
    assert "`executive_sponsor: {price_adjustment: true}`" in d.hint


# -- PE404 / PE405 ------------------------------------------------------------------------------


def test_remedy_without_sunset():
    text = CLEAN.replace("    action: hold_unilateral\n    sunset: 30d\n",
                         "    action: hold_unilateral\n")
    [d] = run(authority.sunsets, text)
    assert d.code == "PE404"
    assert d.message == "remedy `hold` has no `sunset`: it would never lapse"
    assert text.splitlines()[d.line - 1].strip() == "- id: hold"


@pytest.mark.parametrize("sunset,review,late", [
    ("90d", "30d", False), ("60d", "90d", True), ("30d", "30d", True), ("4w", "20bd", True),
    ("30d", "20bd", False), ("5bd", "1w", True), ("6bd", "1w", False),
])
def test_review_after_sunset(sunset, review, late):
    text = CLEAN.replace("    sunset: 90d\n    review_every: 30d\n",
                         f"    sunset: {sunset}\n    review_every: {review}\n")
    found = run(authority.sunsets, text)
    assert bool(found) == late
    if late:
        [d] = found
        assert d.code == "PE405" and d.severity.value == "warning"
        assert d.message == (f"remedy `price-realignment`: `review_every` ({review}) is not "
                             f"shorter than `sunset` ({sunset}): the remedy lapses before its "
                             "review")


# -- PE701-PE703 -----------------------------------------------------------------------------------


def dated(effective: str, expires: str | None) -> str:
    text = CLEAN.replace("  effective: 2026-01-01\n", f"  effective: {effective}\n")
    return text.replace("  expires: 2028-12-31\n", f"  expires: {expires}\n" if expires else "")


@pytest.mark.parametrize("effective,expires,code,message", [
    ("2026-01-01", "2028-12-31", None, None),
    ("2026-01-01", None, None, None),
    ("2028-12-31", "2026-01-01", "PE701", "the policy takes effect on 2028-12-31, after it "
     "expires on 2026-01-01: it is never in force"),
    ("2026-01-01", "2026-01-01", "PE702", "the policy expired on 2026-01-01: it decides nothing "
     "after that day"),
    ("2026-01-01", "2026-11-22", "PE702", "the policy expired on 2026-11-22: it decides nothing "
     "after that day"),
    ("2026-01-01", "2026-11-23", "PE703", "the policy expires on 2026-11-23, in 0 day(s)"),
    ("2026-01-01", "2027-01-22", "PE703", "the policy expires on 2027-01-22, in 60 day(s)"),
    ("2026-01-01", "2027-01-23", None, None),
])
def test_policy_dates(effective, expires, code, message):
    found = run(dates.policy_term, dated(effective, expires))
    assert [(d.code, d.message) for d in found] == ([(code, message)] if code else [])
    if code:
        assert {"PE701": "error", "PE702": "warning", "PE703": "info"}[code] == \
            found[0].severity.value


def test_dates_follow_as_of():
    text = dated("2026-01-01", "2026-12-31")
    assert [d.code for d in run(dates.policy_term, text, dt.date(2026, 6, 1))] == []
    assert [d.code for d in run(dates.policy_term, text, dt.date(2026, 11, 23))] == ["PE703"]
    assert [d.code for d in run(dates.policy_term, text, dt.date(2027, 1, 1))] == ["PE702"]


# -- the driver -------------------------------------------------------------------------------


def test_select_and_ignore(tmp_path):
    text = CLEAN.replace("    action: hold_unilateral\n    sunset: 30d\n",
                         "    action: hold_unilateral\n").replace(
        "  expires: 2028-12-31\n", "  expires: 2026-12-31\n")
    assert [d.code for d in lint_text(text, tmp_path)] == ["PE703", "PE404"]
    assert [d.code for d in lint_text(text, tmp_path, select=["PE4"])] == ["PE404"]
    assert [d.code for d in lint_text(text, tmp_path, ignore=["PE404"])] == ["PE703"]
    assert [d.code for d in lint_text(text, tmp_path, select=["pe7"], ignore=["PE70"])] == []


def test_a_crashing_rule_is_pe901_and_the_others_still_run(tmp_path, monkeypatch):
    from policyengine.lint import rules

    def broken(policy, context):
        raise KeyError("boom")

    monkeypatch.setattr(rules, "RULES", (broken, *RULES))
    text = CLEAN.replace("    action: hold_unilateral\n    sunset: 30d\n",
                         "    action: hold_unilateral\n")
    found = lint_text(text, tmp_path)
    assert [d.code for d in found] == ["PE901", "PE404"]
    assert found[0].message == "internal error in check `broken`: KeyError"
    assert found[0].line is None and found[0].file.endswith("p.yaml")


def test_missing_paths_are_pe011(tmp_path):
    [d] = policyengine.lint(tmp_path / "nope.yaml")
    assert d.code == "PE011" and d.message == "no such file or folder"
