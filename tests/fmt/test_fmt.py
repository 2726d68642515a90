"""policyengine fmt: the golden layout, the key order of docs/rulebook.md, and every rulebook
of the repository kept (digest, comments) and idempotent."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from policyengine.fmt import format_text
from policyengine.fmt.order import KEY_ORDER
from policyengine.lint import collect_files
from policyengine.lint.suppressions import find_comments
from policyengine.compile.pipeline import inspect_text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import rulebook_tables  # noqa: E402

# the tables of docs/rulebook.md, by (heading, first column header) -> section of KEY_ORDER
SECTIONS = {("The file", "section"): "file", ("policy", "key"): "policy",
            ("facts", "key"): "fact", ("actions", "key"): "action",
            ("overrides", "key"): "override", ("remedies", "key"): "remedy",
            ("categories", "band key"): "band"}
TWO_TABLES = {"ladder": ("ladder", "level"), "categories": ("category",)}


def comments(text: str) -> Counter[str]:
    return Counter(c.strip() for _, c in find_comments(text))


def fingerprint(text: str, name: str = "x.yaml", inspect=inspect_text):
    result = inspect(text, name)
    if result.policy is not None:
        return result.policy.digest
    from policyengine.load import parse_document

    return parse_document(text, "x.yaml").data


def test_key_order_is_the_order_of_the_reference():
    seen: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for table in rulebook_tables.tables():
        section = SECTIONS.get((table.heading, table.header[0]))
        if section is None and table.heading in TWO_TABLES and table.header[0] == "key":
            names = TWO_TABLES[table.heading]
            section = names[min(counts[table.heading], len(names) - 1)]
            counts[table.heading] += 1
        if section is not None:
            seen.setdefault(section, table.keys)  # the first table under a heading
    assert seen == {k: list(v) for k, v in KEY_ORDER.items()}


def test_golden_layout(golden):
    source = (ROOT / "tests/golden/fmt/messy.yaml").read_text("utf-8")
    result = format_text(source, "messy.yaml")
    assert result.ok and result.changed
    golden("fmt/messy.formatted.yaml", result.text)
    assert fingerprint(result.text) == fingerprint(source)
    assert comments(result.text) == comments(source)


def test_a_formatted_file_is_left_alone():
    text = (ROOT / "tests/golden/fmt/messy.formatted.yaml").read_text("utf-8")
    result = format_text(text, "messy.formatted.yaml")
    assert result.ok and not result.changed


def _repository_rulebooks() -> list[str]:
    files, _ = collect_files([ROOT / "policies", ROOT / "tests", ROOT / "examples",
                              ROOT / "docs"])
    return files


REPOSITORY_RULEBOOKS = _repository_rulebooks()


def test_the_repository_has_rulebooks_to_format():
    assert len(REPOSITORY_RULEBOOKS) > 20


# one test per file: the files are many and each is formatted twice and loaded six times, so
# `pytest -n` spreads them over the workers
@pytest.mark.parametrize("path", REPOSITORY_RULEBOOKS,
                         ids=[Path(p).relative_to(ROOT).as_posix() for p in REPOSITORY_RULEBOOKS])
def test_every_rulebook_of_the_repository_keeps_its_digest_and_comments(path, monkeypatch):
    # loading is a pure function of (text, name): each text is loaded once here, where fmt's
    # own checks and this test's would load the same texts six times
    cache: dict[tuple[str, str], object] = {}

    def inspect(text, name="<string>"):
        key = (text if isinstance(text, str) else text.decode("utf-8", "replace"), name)
        if key not in cache:
            cache[key] = inspect_text(text, name)
        return cache[key]

    monkeypatch.setattr("policyengine.fmt.inspect_text", inspect)
    raw = Path(path).read_bytes()
    result = format_text(raw, path)
    if result.diagnostics:  # the loader refuses the YAML (a PE0xx fixture): left alone
        assert not result.changed and all(d.code.startswith("PE0")
                                          for d in result.diagnostics), path
        return
    assert result.problem is None, (path, result.problem)
    assert fingerprint(result.text, path, inspect) == fingerprint(result.source, path, inspect)
    assert comments(result.text) == comments(result.source), path
    if "golden/diff/" in Path(path).as_posix():
        return  # versions of the bundled rulebooks: idempotence is checked on those
    again = format_text(result.text, path)
    assert again.ok and not again.changed, f"{path}: fmt is not idempotent"


@pytest.mark.parametrize("text, want", [
    ("when: 'kind == \"pricing\"'", "when: kind == \"pricing\""),   # quotes not needed
    ("when: '!flagged'", "when: '!flagged'"),                       # YAML would read a tag
    ("when: \"!flagged\"", "when: \"!flagged\""),                   # the style written kept
    ("when: not flagged", "when: '!flagged'"),                      # canonical, then quoted
    ("when: flagged and amount > 1.0", "when: flagged && amount > 1.0"),
    ("when: \"true\"", "when: \"true\""),                           # a string, not a boolean
    ("when: true", "when: true"),
    ("when: '(amount > 1.0 ? 1 : 2) == 1'", "when: '(amount > 1.0 ? 1 : 2) == 1'"),
])
def test_expressions_and_quoting(text, want):
    source = _one_category(text)
    result = format_text(source, "x.yaml")
    assert result.ok, result.problem
    line = next(ln.strip() for ln in result.text.splitlines() if ln.strip().startswith("when:"))
    assert line == want
    assert fingerprint(result.text) == fingerprint(source)


def _one_category(when_line: str) -> str:
    return f"""policy:
  id: p
  title: P
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@example.com]
facts:
  amount: {{type: double, min: 0}}
  kind: {{type: string, enum: [pricing, other]}}
  flagged: {{type: bool, default: false}}
ladder:
  levels:
    - {{id: one, title: One, role: r, decide_within: 5d}}
authority:
  r: {{}}
categories:
  - id: c
    title: C
    class: commercial
    {when_line}
    thresholds:
      - {{otherwise: one}}
"""


def test_yaml_11_surprises_get_quotes_where_text_is_meant():
    source = _one_category("when: 'true'").replace("owners: [legal@example.com]",
                                                   "owners: [legal@example.com, no]")
    result = format_text(source, "x.yaml")
    assert result.ok
    assert "owners: [legal@example.com, 'no']" in result.text
    assert fingerprint(result.text) == fingerprint(source)


def test_yaml_the_loader_refuses_is_left_alone():
    for text in ("a: [\n", "a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n"):
        result = format_text(text, "bad.yaml")
        assert result.diagnostics and not result.changed


def test_an_invalid_rulebook_is_still_laid_out():
    source = _one_category("when: kind == \"pricng\"").replace("  id: p\n  title: P\n",
                                                              "  title: P\n  id: p\n")
    assert inspect_text(source, "x.yaml").policy is None  # an unknown enum value
    result = format_text(source, "x.yaml")
    assert result.ok and result.changed
    assert result.text.index("id: p") < result.text.index("title: P")
    assert fingerprint(result.text) == fingerprint(source)
