"""policyengine.lint.config, .suppressions and .baseline: configuration files, inline
suppressions and the baseline."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest

from policyengine.core.diagnostics import Diagnostic, Severity, Span
from policyengine.lint import lint_paths
from policyengine.lint.baseline import Baseline, fingerprint
from policyengine.lint.config import DEFAULT, ConfigError, LintConfig, load_config, parse_config
from policyengine.lint.suppressions import find_suppressions
from policyengine.core.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
AS_OF = _dt.date(2026, 11, 23)
OVERLAP = CLEAN.replace('''  - id: operational
''', '''  - id: large
    title: Large conflict of any kind
    class: strategic
    when: amount >= 100000.0
    thresholds:
      - {otherwise: regional}
    remedies: [hold]
  - id: operational
''')  # PE504 at the `when` of `large`
PE504_LINE = OVERLAP.splitlines().index("    when: amount >= 100000.0") + 1


def codes(diags):
    return [d.code for d in diags]


def lint(tmp_path, text, config=None, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return lint_paths([path], as_of=AS_OF, config=config).diagnostics


# -- configuration ------------------------------------------------------------------------------
def test_pyproject_table_is_found_by_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.policyengine]\nignore = ["PE703"]\nsolver-timeout = 5\n'
        'baseline = "lint/baseline.json"\n[tool.policyengine.severity]\nPE504 = "error"\n'
        '"unused-remedy" = "off"\nPE5 = "info"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    config = load_config(start=deep)
    assert config.ignore == ("PE703",) and config.solver_timeout == 5.0
    assert config.severity == {"PE504": "error", "PE206": "off", "PE5": "info"}
    assert config.baseline == str(tmp_path / "lint" / "baseline.json")
    assert config.level("PE504") is Severity.ERROR  # the most specific entry wins
    assert config.level("PE501") is Severity.INFO
    assert config.level("PE206") is None and not config.enabled("PE206")
    assert config.level("PE301") is False and config.enabled("PE301")


def test_yaml_config_wins_over_pyproject_in_the_same_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.policyengine]\nignore = ["PE7"]\n')
    (tmp_path / ".policyengine.yaml").write_text("severity:\n  PE504: off\nselect: PE5, PE8\n")
    config = load_config(start=tmp_path)
    assert config.severity == {"PE504": "off"}  # YAML 1.1 `off` (false) is understood
    assert config.select == ("PE5", "PE8") and config.ignore == ()


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.policyengine]\nignore = ["PE7"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(start=tmp_path / "sub").ignore == ("PE7",)


def test_no_configuration_is_the_default(tmp_path):
    assert load_config(start=tmp_path) in (DEFAULT, load_config(start=tmp_path))


@pytest.mark.parametrize("data, message", [
    ({"severity": {"PE999": "off"}}, "unknown code, prefix or rule name `PE999`"),
    ({"severity": {"PE504": "loud"}}, "`PE504` must be error, warning, info or off"),
    ({"ignore": "PE5,nonsense"}, "unknown code, prefix or rule name `nonsense`"),
    ({"selct": ["PE5"]}, "unknown setting `selct`"),
    ({"solver-timeout": 0}, "expected a number of seconds above 0"),
    ({"solver-timeout": True}, "expected a number of seconds above 0"),
    ({"select": {"a": 1}}, "`select` is a list of codes"),
    (["PE5"], "the configuration is a mapping of settings"),
])
def test_bad_configuration_is_refused(data, message):
    with pytest.raises(ConfigError) as err:
        parse_config(data, "cfg.yaml")
    assert message in str(err.value) and str(err.value).startswith("cfg.yaml: ")


def test_unreadable_configuration_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.policyengine\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(start=tmp_path)
    (tmp_path / "x.yaml").write_text("a: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(tmp_path / "x.yaml")
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.yaml")
    (tmp_path / "other.toml").write_text('[tool.black]\nline-length = 100\n')
    with pytest.raises(ConfigError, match=r"no \[tool.policyengine\] table"):
        load_config(tmp_path / "other.toml")


def test_severity_and_off_apply_to_findings(tmp_path):
    assert codes(lint(tmp_path, OVERLAP)) == ["PE504"]
    loud = lint(tmp_path, OVERLAP, LintConfig(severity={"PE504": "error"}))
    assert [(d.code, d.severity) for d in loud] == [("PE504", Severity.ERROR)]
    assert lint(tmp_path, OVERLAP, LintConfig(severity={"category-overlap": "off"})) == []
    assert lint(tmp_path, OVERLAP, LintConfig(ignore=("PE5",))) == []
    assert lint(tmp_path, OVERLAP, LintConfig(select=("PE3",))) == []


def test_command_line_select_replaces_and_ignore_adds():
    config = LintConfig(select=("PE5",), ignore=("PE703",))
    merged = config.with_options(select=["PE3", "unused-remedy"], ignore=["PE504"])
    assert merged.select == ("PE3", "PE206") and merged.ignore == ("PE703", "PE504")
    assert config.with_options() == config


# -- suppressions --------------------------------------------------------------------------------
def test_an_inline_suppression_silences_its_line_only(tmp_path):
    text = OVERLAP.replace("    when: amount >= 100000.0",
                           "    when: amount >= 100000.0  # reviewed # policyengine: ignore[PE504]")
    assert lint(tmp_path, text) == []
    named = OVERLAP.replace("    when: amount >= 100000.0",
                            "    when: amount >= 100000.0  "
                            "# policyengine: ignore[category-overlap]")
    assert lint(tmp_path, named) == []
    elsewhere = OVERLAP.replace("    class: strategic",
                                "    class: strategic  # policyengine: ignore[PE504]")
    found = lint(tmp_path, elsewhere)
    assert codes(found) == ["PE801", "PE504"]
    assert found[0].line == PE504_LINE - 1 and found[0].column == 23


def test_several_codes_unknown_codes_and_empty_suppressions(tmp_path):
    text = OVERLAP.replace("    when: amount >= 100000.0",
                           "    when: amount >= 100000.0  "
                           "# policyengine: ignore[PE504, PE506, PE5O4]")
    found = lint(tmp_path, text)
    assert codes(found) == ["PE801", "PE802"]
    assert "`PE506`" in found[0].message and "`PE5O4`" in found[1].message
    assert found[1].hint == "did you mean `PE504`?"
    bare = CLEAN.replace('    when: kind == "pricing"',
                         '    when: kind == "pricing"  # policyengine: ignore')
    assert [(d.code, d.message) for d in lint(tmp_path, bare)] == [
        ("PE802", "this suppression names no code")]


def test_unused_suppressions_of_disabled_codes_are_not_reported(tmp_path):
    text = CLEAN.replace('    when: kind == "pricing"',
                         '    when: kind == "pricing"  # policyengine: ignore[PE504]')
    assert codes(lint(tmp_path, text)) == ["PE801"]
    assert lint(tmp_path, text, LintConfig(severity={"PE504": "off"})) == []
    assert lint(tmp_path, text, LintConfig(ignore=("PE801",))) == []


@pytest.mark.parametrize("line, found", [
    ('x: "# policyengine: ignore[PE504]"', False),  # inside a quoted scalar
    ("x: 'a' # policyengine: ignore[PE504]", True),
    ("x: a#policyengine: ignore[PE504]", False),  # `#` glued to text is not a comment
    ("# policyengine: ignore[PE504]", True),
    ("x: |\n  # policyengine: ignore[PE504]\ny: 1", False),  # block scalar content
    ("x: [a, 'b  # policyengine: ignore[PE504]'", False),  # does not scan: quote-aware fallback
    ("x: [a, b]  # policyengine: ignore[PE504]", True),
])
def test_comments_are_told_from_text(line, found):
    got = find_suppressions(SourceFile("s.yaml", line + "\n"))
    assert bool(got) is found
    if found:
        assert got[0].codes == ("PE504",)


# -- baseline ------------------------------------------------------------------------------------
def _diag(line: int, message: str = "category `b`: overlaps at 100000.0", code: str = "PE504",
          element: str | None = "categories.b~categories.a", file: str = "p.yaml"):
    return Diagnostic.at(code, Severity.WARNING, message, Span(file, line, 1, line, 2),
                         element=element)


def test_fingerprints_survive_unrelated_edits(tmp_path):
    root = str(tmp_path)
    a = fingerprint(_diag(10), root)
    assert fingerprint(_diag(99), root) == a  # moved
    assert fingerprint(_diag(10, "category `b`: overlaps at 250000.0"), root) == a  # numbers
    assert fingerprint(_diag(10, element="categories.c~categories.a"), root) != a
    assert fingerprint(_diag(10, code="PE503"), root) != a
    assert fingerprint(_diag(10, file="q.yaml"), root) != a


def test_baseline_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "baseline.json"
    Baseline.write(path, [_diag(1), _diag(2), _diag(3, code="PE206", element="remedies.x")])
    data = json.loads(path.read_text())
    assert data["policyengine-baseline"] == 2 and len(data["findings"]) == 3
    assert data["findings"][0]["file"] == "p.yaml"
    base = Baseline.load(path)
    # two overlaps recorded: a third one is new; the PE206 is gone (stale)
    new, matched, stale = base.filter([_diag(7), _diag(8), _diag(9)])
    assert (len(new), matched, stale) == (1, 2, 1)


def _v1_fingerprint(d, file):
    """The fingerprint format 1 of the baseline wrote (before Diagnostic.fingerprint)."""
    import hashlib
    import re

    blob = "\0".join((d.code, file, d.element or "",
                      re.sub(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", "#", d.message)))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def test_a_format_1_baseline_still_hides_what_it_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recorded = [_diag(1), _diag(3, code="PE206", element="remedies.x", message="unused"),
                _diag(4, code="PE801", element=None, message="suppression on line 4")]
    rows = [{"fingerprint": _v1_fingerprint(d, "p.yaml"), "code": d.code, "file": "p.yaml",
             "element": d.element, "message": d.message} for d in recorded]
    rows.append({"fingerprint": "0" * 24})  # hand-written, without the fields: stale
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"policyengine-baseline": 1, "findings": rows}))
    base = Baseline.load(path)
    now = [_diag(7), _diag(8, code="PE206", element="remedies.x", message="unused"),
           _diag(9, code="PE801", element=None, message="suppression on line 9"), _diag(9)]
    new, matched, stale = base.filter(now)
    assert (new, matched, stale) == ([now[3]], 3, 1)
    # rewritten, it is format 2 and hides the same findings
    Baseline.write(path, now[:3])
    assert json.loads(path.read_text())["policyengine-baseline"] == 2
    assert Baseline.load(path).filter(now) == ([now[3]], 3, 0)


def test_one_fingerprint_for_the_baseline_and_sarif(tmp_path, monkeypatch):
    from policyengine.render import sarif

    monkeypatch.chdir(tmp_path)
    for d in (_diag(1), _diag(2, element=None), _diag(3, file="sub/q.yaml")):
        assert fingerprint(d, str(tmp_path)) == sarif.fingerprint(d, str(tmp_path)) \
            == d.fingerprint(d.file)
    (tmp_path / "b.json").write_text('{"policyengine-baseline": 3, "findings": []}')
    with pytest.raises(ConfigError, match="baseline format 3"):
        Baseline.load(tmp_path / "b.json")


def test_bad_baselines(tmp_path):
    (tmp_path / "b.json").write_text("{}")
    with pytest.raises(ConfigError, match="not a policyengine baseline"):
        Baseline.load(tmp_path / "b.json")
    (tmp_path / "c.json").write_text("{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        Baseline.load(tmp_path / "c.json")
    with pytest.raises(ConfigError, match="cannot be read"):
        Baseline.load(tmp_path / "missing.json")


# -- comments from the source map ----------------------------------------------------------------
TRICKY = """policy:  # the header
  id: "a # not a comment"
  note: 'b # nor this'  # but this
  text: |
    # a line of a block scalar
    x # y
  "odd # key": 1 # a comment after a quoted key
  list: [1, "#2", 3]  # after a flow list
# a comment of its own line
plain: a#b # and one after a plain scalar with a hash inside
"""


def test_the_source_map_records_every_comment():
    from policyengine.load.sourcemap import SourceMap  # noqa: F401
    from policyengine.load.yaml_safe import compose
    from policyengine.lint.suppressions import find_comments

    root = Path(__file__).resolve().parents[2]
    texts = [TRICKY] + [p.read_text("utf-8") for p in sorted(
        [*(root / "tests" / "golden" / "lint").glob("PE*.yaml"),
         *(root / "policies").glob("*.yaml")])]
    for text in texts:
        data, smap, _ = compose(SourceFile("t.yaml", text))
        if data is None:
            continue
        assert smap.comments == find_comments(text), text[:80]
    _, smap, _ = compose(SourceFile("t.yaml", TRICKY))
    assert [c for _, c in smap.comments] == [
        "# the header", "# but this", "# a comment after a quoted key", "# after a flow list",
        "# a comment of its own line", "# and one after a plain scalar with a hash inside"]


def test_suppressions_of_a_loaded_rulebook_do_not_scan_the_text_again(tmp_path, monkeypatch):
    from policyengine.lint import suppressions

    root = Path(__file__).resolve().parents[2]
    path = root / "tests" / "golden" / "lint" / "PE801.yaml"
    want = [(d.code, d.line) for d in lint_paths([path], as_of="2026-11-23")]
    assert any(code == "PE801" for code, _ in want)

    def no_scan(text):
        raise AssertionError("rescanned")

    monkeypatch.setattr(suppressions, "_scalar_spans", no_scan)
    assert [(d.code, d.line) for d in lint_paths([path], as_of="2026-11-23")] == want
