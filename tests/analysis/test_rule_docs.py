"""The rule pages of the logic (PE5xx) and suppression (PE8xx) codes: each Example, merged into
the clean base rulebook as tests/test_docs.py merges the others, triggers its code, and each Fix
lints completely clean (not merely without that code)."""

from __future__ import annotations

import datetime as _dt
import importlib.util
import re
from pathlib import Path

import pytest

import policyengine
from policyengine.core import codes

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("_test_docs", ROOT / "tests" / "test_docs.py")
_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_docs)

AS_OF = _dt.date(2026, 11, 23)
CODES = [c for c in sorted(codes.REGISTRY) if c.startswith(("PE5", "PE8"))
         and c not in codes.UNTRIGGERABLE]


def _snippets(code: str) -> tuple[str, str]:
    page = (ROOT / codes.REGISTRY[code].doc_path).read_text("utf-8")
    sections = dict(zip(_docs.SECTIONS, re.split(r"^## .*$", page, flags=re.M)[1:]))
    [example] = re.findall(r"```yaml\n(.*?)```", sections["Example"], re.S)
    [fix] = re.findall(r"```yaml\n(.*?)```", sections["Fix"], re.S)
    return example, fix


def _lint(text: str, tmp_path: Path, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return policyengine.lint(path, as_of=AS_OF)


@pytest.mark.parametrize("code", CODES)
def test_example_triggers_and_fix_is_clean(code, tmp_path):
    base = _docs.CLEAN.read_text("utf-8")
    example, fix = _snippets(code)
    found = [d.code for d in _lint(_docs.merge(example, base), tmp_path, "example.yaml")]
    assert code in found, f"the Example of {code} does not trigger it (found {found})"
    after = _lint(_docs.merge(fix, base), tmp_path, "fix.yaml")
    assert after == [], [d.format_line() for d in after]


def test_the_timeout_page_example_is_hard_for_the_solver():
    """PE509 has no fixture (a timeout is no stable golden); its example is at least a
    non-linear condition, the documented cause."""
    example, _ = _snippets("PE509")
    assert "*" in example and "units * units" in example
