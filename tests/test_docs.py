"""A code is a contract (STYLE.md habit 5): every code in ``codes.py`` has exactly one doc page
``docs/rules/<CODE>-<name>.md`` with the four sections in order, and a golden lint fixture
(``tests/golden/lint/<CODE>.yaml`` with its rendered ``.txt`` and ``.json``), except the codes in
``codes.UNTRIGGERABLE``; no page or fixture exists without its code.

The test is generic on purpose: a new code fails it until its page and fixture exist.

The rule pages' examples are checked too, for the codes whose examples are fragments of a
rulebook: the Example, merged into a small clean rulebook (``tests/golden/clean.yaml``: each
top-level section of the snippet replaces the rulebook's section of that name), must trigger the
code, and the Fix, merged the same way, must lint without that code and without errors.
Expression codes (PE6xx) check their own examples in ``tests/expr/test_rule_docs.py``.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

import pytest

import policyengine
from policyengine.core import codes

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "docs" / "rules"
LINT = ROOT / "tests" / "golden" / "lint"
CLEAN = ROOT / "tests" / "golden" / "clean.yaml"
SECTIONS = ["What it finds", "Why it matters", "Example", "Fix"]
# Fixtures the golden test generates in a temporary folder (see tests/test_golden_lint.py):
# their .txt/.json are checked in, their .yaml is not.
GENERATED = {"PE001", "PE002", "PE011"}
ALL = sorted(codes.REGISTRY)
TRIGGERABLE = [c for c in ALL if c not in codes.UNTRIGGERABLE]

# Examples that cannot be merged into a rulebook's text: the file's size, encoding or
# permissions are the problem, or the code is an internal error no rulebook triggers.
NOT_MERGEABLE = {"PE001", "PE002", "PE011", "PE901"}
EXAMPLE_AREAS = ("PE0", "PE1", "PE2", "PE3", "PE4", "PE7")
AS_OF = _dt.date(2026, 11, 23)


def _page(code: str) -> Path:
    return RULES / f"{code}-{codes.REGISTRY[code].name}.md"


def _blocks(text: str, pattern: str) -> list[str]:
    return re.findall(pattern, text, re.S)


# -- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ALL)
def test_each_code_has_exactly_one_page(code):
    pages = sorted(RULES.glob(f"{code}-*.md"))
    assert [p.name for p in pages] == [_page(code).name], \
        f"{code} needs exactly one page, docs/rules/{_page(code).name}"


@pytest.mark.parametrize("code", ALL)
def test_page_has_the_four_sections_in_order(code):
    page = _page(code)
    if not page.is_file():
        pytest.fail(f"docs/rules/{page.name} is missing")
    text = page.read_text("utf-8")
    assert text.startswith(f"# {code} {codes.REGISTRY[code].name}\n"), \
        f"{page.name} must start with the title `# {code} {codes.REGISTRY[code].name}`"
    assert re.findall(r"^## (.*?)\s*$", text, re.M) == SECTIONS
    sections = dict(zip(SECTIONS, re.split(r"^## .*$", text, flags=re.M)[1:]))
    for name in SECTIONS:
        assert sections[name].strip(), f"{page.name}: section `{name}` is empty"
    for name in ("Example", "Fix"):
        assert "```yaml\n" in sections[name], f"{page.name}: `{name}` needs a ```yaml snippet"


def test_no_page_without_a_code():
    expected = {_page(c).name for c in ALL} | {"index.md"}  # index.md: the generated table | {"index.md"}  # index: scripts/rules_index.py
    strays = sorted(p.name for p in RULES.iterdir() if p.name not in expected)
    assert not strays, f"pages without a code (or with a wrong name): {strays}"


# -- fixtures -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", TRIGGERABLE)
def test_each_triggerable_code_has_a_golden_fixture(code):
    suffixes = (".txt", ".json") if code in GENERATED else (".yaml", ".txt", ".json")
    missing = [f"tests/golden/lint/{code}{s}" for s in suffixes
               if not (LINT / f"{code}{s}").is_file()]
    assert not missing, f"missing golden files for {code}: {missing}"


def test_no_fixture_without_a_code():
    strays = []
    for path in LINT.iterdir():
        code = path.name.split(".", 1)[0]
        if code not in codes.REGISTRY or path.suffix not in (".yaml", ".txt", ".json"):
            strays.append(path.name)
        elif code in codes.UNTRIGGERABLE:
            strays.append(path.name)
        elif code in GENERATED and path.suffix == ".yaml":
            strays.append(path.name)
    assert not sorted(strays), f"fixtures without a (triggerable) code: {sorted(strays)}"


def test_untriggerable_codes_are_registered():
    assert codes.UNTRIGGERABLE <= set(codes.REGISTRY)


# -- the pages' examples ----------------------------------------------------------------------

_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:")


def _sections(text: str) -> tuple[list[str], list[tuple[str, list[str]]], list[str]]:
    """(preamble lines, [(top-level key, lines)], tail from a `---` separator on)."""
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip() == "---" and sections:
            return preamble, sections, lines[i:]
        m = _TOP_KEY.match(line)
        if m:
            sections.append((m.group(1), [line]))
        elif sections:
            sections[-1][1].append(line)
        else:
            preamble.append(line)
    return preamble, sections, []


def merge(snippet: str, base: str) -> str:
    """The base rulebook with each top-level section of ``snippet`` replacing its namesake
    (sections the base lacks are appended); a snippet with no section, or with every required
    section, is a whole file."""
    _, new_sections, tail = _sections(snippet)
    if not new_sections or {"policy", "facts", "ladder", "categories"} <= {
            key for key, _ in new_sections}:
        return snippet
    preamble, base_sections, _ = _sections(base)
    replaced = {key for key, _ in new_sections}
    out = list(preamble)
    done: set[str] = set()
    for key, lines in base_sections:
        if key in replaced:
            if key not in done:
                out.extend(line for k, ls in new_sections if k == key for line in ls)
                done.add(key)
        else:
            out.extend(lines)
    out.extend(line for k, ls in new_sections if k not in done for line in ls)
    out.extend(tail)
    return "\n".join(out) + "\n"


def _lint_text(text: str, tmp_path: Path, name: str) -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return policyengine.lint(path, as_of=AS_OF)


EXAMPLE_CODES = [c for c in ALL if c.startswith(EXAMPLE_AREAS) and c not in NOT_MERGEABLE]


@pytest.mark.parametrize("code", EXAMPLE_CODES)
def test_example_triggers_the_code_and_fix_does_not(code, tmp_path):
    text = _page(code).read_text("utf-8")
    sections = dict(zip(SECTIONS, re.split(r"^## .*$", text, flags=re.M)[1:]))
    base = CLEAN.read_text("utf-8")
    [example] = _blocks(sections["Example"], r"```yaml\n(.*?)```")
    [fix] = _blocks(sections["Fix"], r"```yaml\n(.*?)```")
    found = {d.code for d in _lint_text(merge(example, base), tmp_path, "example.yaml")}
    assert code in found, f"the Example of {code} does not trigger it (found {sorted(found)})"
    after = _lint_text(merge(fix, base), tmp_path, "fix.yaml")
    assert code not in {d.code for d in after}
    assert not [d for d in after if d.is_error], [d.format_line() for d in after]


def test_clean_base_is_clean(tmp_path):
    assert policyengine.lint(CLEAN, as_of=AS_OF) == []


def test_merge_replaces_sections_in_place():
    base = "# head\npolicy:\n  id: a\nfacts:\n  x: {type: int}\nladder:\n  levels: []\n"
    merged = merge("facts:\n  y: {type: int}\nextra: 1\n", base)
    assert merged == ("# head\npolicy:\n  id: a\nfacts:\n  y: {type: int}\nladder:\n"
                      "  levels: []\nextra: 1\n")
    assert merge("# only a comment\n", base) == "# only a comment\n"
    assert merge("remedies: []\n---\npolicy: {}\n", "policy: 1\nremedies: [x]\n").endswith(
        "remedies: []\n---\npolicy: {}\n")
