"""The documentation site: ``mkdocs build --strict`` passes (no dead link, no missing page), the
navigation covers what the project promises, the lint-rule index matches ``codes.py``, and the
playbook screenshot is in place."""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

REQUIRED_PAGES = ("index.md", "rulebook.md", "expressions.md", "cli.md", "api.md",
                  "rules/index.md", "ci.md", "policy-tests.md", "playbook.md", "design.md",
                  "decisions.md")


def _nav_pages(node) -> list[str]:
    out, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _config() -> dict:
    class Loader(yaml.SafeLoader):  # mkdocs.yml names a Python function with a tag
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *args: None)
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=Loader)


def test_the_navigation_covers_every_promised_page():
    pages = set(_nav_pages(_config()["nav"]))
    missing = [p for p in REQUIRED_PAGES if p not in pages]
    assert not missing, f"mkdocs.yml nav lacks {missing}"
    for page in pages:
        assert (ROOT / "docs" / page).is_file(), f"docs/{page} is in the nav but missing"


def _rules_index():
    spec = importlib.util.spec_from_file_location("rules_index",
                                                  ROOT / "scripts" / "rules_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rules_index_lists_every_code_and_is_up_to_date():
    from policyengine.core.codes import REGISTRY

    expected = _rules_index().render_index()
    current = (ROOT / "docs" / "rules" / "index.md").read_text(encoding="utf-8")
    assert current == expected, ("docs/rules/index.md is out of date: run "
                                 "python scripts/rules_index.py")
    for code in REGISTRY:
        assert f"| [{code}](" in current or f"| {code} |" in current, code


def test_the_playbook_screenshot_is_a_real_png():
    data = (ROOT / "docs" / "img" / "playbook.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1000 and height >= 1000


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # no -q: mkdocs counts only the warnings it logs, so a quiet build would pass them
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                          "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    for page in ("index.html", "policy-tests/index.html", "playbook/index.html",
                 "rules/index.html", "img/playbook.png"):
        assert (tmp_path / "site" / page).is_file(), page
    # each schema is published where its `$id` points (site_url + schemas/NAME)
    site_url = _config()["site_url"]
    for schema in sorted((ROOT / "schemas").glob("*.schema.json")):
        schema_id = json.loads(schema.read_text(encoding="utf-8"))["$id"]
        assert schema_id == f"{site_url}schemas/{schema.name}", schema.name
        assert (tmp_path / "site" / "schemas" / schema.name).read_bytes() == schema.read_bytes()
