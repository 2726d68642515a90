"""Lint configuration, inline suppressions and the baseline.

**Configuration** (:func:`load_config`): ``[tool.policyengine]`` in ``pyproject.toml`` or a
``.policyengine.yaml``, found by walking up from the working directory (in each folder
``.policyengine.yaml`` first, then a ``pyproject.toml`` that has the table), or named with
``--config``. Keys (``-`` and ``_`` are interchangeable)::

    select = ["PE"]                 # codes, prefixes or names to report (default: all)
    ignore = ["PE703"]              # ... to leave out
    solver-timeout = 2.0            # seconds per solver query (logic checks, PE5xx)
    analysis-budget = 60.0          # seconds of solver time per rulebook
    baseline = "lint-baseline.json" # a baseline file, relative to the configuration file
    [tool.policyengine.severity]    # per code, prefix or name: error | warning | info | off
    PE504 = "off"
    unused-remedy = "error"

A problem in the configuration raises :class:`ConfigError` (the CLI exits 2).

**Suppressions** (:func:`find_suppressions`): a YAML comment ``# policyengine: ignore[PE504]``
(several codes or names comma-separated) silences those codes on its line. A suppression that
silences nothing is reported (PE801 unused-suppression), and so is one naming an unknown code or
no code (PE802 invalid-suppression). Comments are found with PyYAML's scanner, so a ``#`` inside
a quoted or block scalar is text, not a comment.

**Baseline** (:class:`Baseline`): the findings of a run, recorded by a fingerprint that survives
unrelated edits (code, file, element and the message with its numbers blanked, never line
numbers); a later run reports only the findings the baseline does not account for.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..codes import REGISTRY, lookup
from ..diagnostics import Diagnostic, Severity, Span
from ..source import SourceFile

CONFIG_NAMES = (".policyengine.yaml", ".policyengine.yml")
_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO,
               "off": None}
_KEYS = {"select", "ignore", "severity", "solver_timeout", "analysis_budget", "baseline"}


class ConfigError(ValueError):
    """The configuration (or a baseline file) cannot be used."""


# -- configuration -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LintConfig:
    severity: Mapping[str, str] = field(default_factory=dict)  # code | prefix -> level | off
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    solver_timeout: float | None = None
    analysis_budget: float | None = None
    baseline: str | None = None
    path: str | None = None  # the file it came from

    def __post_init__(self) -> None:
        """Names and lower-case codes become codes: ``category-overlap`` -> ``PE504``."""
        where = self.path or "configuration"
        object.__setattr__(self, "select", tuple(_code_pattern(x, f"{where}: `select`")
                                                 for x in self.select))
        object.__setattr__(self, "ignore", tuple(_code_pattern(x, f"{where}: `ignore`")
                                                 for x in self.ignore))
        levels = {}
        for code, level in self.severity.items():
            if level not in _SEVERITIES:
                raise ConfigError(f"{where}: `severity`: `{code}` must be error, warning, "
                                  f"info or off, not {level!r}")
            levels[_code_pattern(code, f"{where}: `severity`")] = level
        object.__setattr__(self, "severity", levels)

    def with_options(self, *, select: Iterable[str] | None = None,
                     ignore: Iterable[str] | None = None) -> "LintConfig":
        """Command-line ``--select`` replaces the configured list; ``--ignore`` adds to it."""
        out = self
        if select:
            out = replace(out, select=tuple(_code_pattern(s, "--select") for s in select))
        if ignore:
            out = replace(out, ignore=out.ignore + tuple(_code_pattern(s, "--ignore")
                                                          for s in ignore))
        return out

    def level(self, code: str) -> Severity | None | bool:
        """The configured severity of ``code`` (None: off), or False when not configured."""
        best, best_len = False, -1
        for pattern, value in self.severity.items():
            if code.startswith(pattern) and len(pattern) > best_len:
                best, best_len = _SEVERITIES[value], len(pattern)
        return best

    def enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        if any(code.startswith(p) for p in self.ignore):
            return False
        return self.level(code) is not None

    def apply(self, diagnostics: Iterable[Diagnostic], source: SourceFile | None
              ) -> list[Diagnostic]:
        """Suppressions of ``source`` first, then severities, ``off``, select and ignore."""
        kept = apply_suppressions(list(diagnostics), source, self.enabled)
        out = []
        for d in kept:
            if not self.enabled(d.code):
                continue
            level = self.level(d.code)
            if level is not False and level is not d.severity:
                d = d.with_severity(level)
            out.append(d)
        return out


DEFAULT = LintConfig()


def _code_pattern(raw: Any, where: str) -> str:
    """A code, a prefix (``PE5``) or a kebab-case name, as the code or prefix it stands for."""
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"{where}: expected a code, a prefix or a rule name, found {raw!r}")
    text = raw.strip()
    found = lookup(text)
    if found is not None:
        return found.code
    upper = text.upper()
    if re.fullmatch(r"PE\d{0,3}", upper) and any(c.startswith(upper) for c in REGISTRY):
        return upper
    raise ConfigError(f"{where}: unknown code, prefix or rule name `{text}`")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}: expected a number of seconds above 0, found {value!r}")
    return float(value)


def parse_config(data: Any, origin: str) -> LintConfig:
    """A configuration from the ``[tool.policyengine]`` table (or the YAML mapping)."""
    if data is None:
        return LintConfig(path=origin)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{origin}: the configuration is a mapping of settings")
    values: dict[str, Any] = {}
    for key, value in data.items():
        norm = str(key).replace("-", "_")
        if norm not in _KEYS:
            raise ConfigError(f"{origin}: unknown setting `{key}` (known: "
                              + ", ".join(sorted(k.replace("_", "-") for k in _KEYS)) + ")")
        values[norm] = value
    out: dict[str, Any] = {"path": origin}
    for key in ("select", "ignore"):
        if key in values:
            items = values[key]
            if isinstance(items, str):
                items = [x for x in items.split(",") if x.strip()]
            if not isinstance(items, (list, tuple)):
                raise ConfigError(f"{origin}: `{key}` is a list of codes")
            out[key] = tuple(_code_pattern(x, f"{origin}: `{key}`") for x in items)
    if "severity" in values:
        table = values["severity"]
        if not isinstance(table, Mapping):
            raise ConfigError(f"{origin}: `severity` maps codes to error, warning, info or off")
        levels = {}
        for code, level in table.items():
            if level is False:  # YAML 1.1 reads an unquoted `off` as false
                level = "off"
            if not isinstance(level, str) or level.lower() not in _SEVERITIES:
                raise ConfigError(f"{origin}: `severity`: `{code}` must be error, warning, info "
                                  f"or off, not {level!r}")
            levels[_code_pattern(str(code), f"{origin}: `severity`")] = level.lower()
        out["severity"] = levels
    for key in ("solver_timeout", "analysis_budget"):
        if key in values:
            out[key] = _number(values[key], f"{origin}: `{key.replace('_', '-')}`")
    if "baseline" in values:
        if not isinstance(values["baseline"], str) or not values["baseline"].strip():
            raise ConfigError(f"{origin}: `baseline` is the path of a baseline file")
        out["baseline"] = os.path.join(os.path.dirname(os.path.abspath(origin)),
                                       values["baseline"])
    return LintConfig(**out)


def _read_toml(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def read_config_file(path: str | os.PathLike) -> LintConfig:
    p = Path(path)
    if p.suffix == ".toml":
        table = _read_toml(p).get("tool", {}).get("policyengine")
        if table is None:
            raise ConfigError(f"{p}: no [tool.policyengine] table")
        return parse_config(table, os.fspath(p))
    return parse_config(_read_yaml(p), os.fspath(p))


def load_config(explicit: str | os.PathLike | None = None, *,
                start: str | os.PathLike | None = None) -> LintConfig:
    """The configuration named by ``explicit``, else the nearest one above ``start`` (the
    working directory), else the defaults."""
    if explicit is not None:
        if not Path(explicit).is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        return read_config_file(explicit)
    here = Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return read_config_file(folder / name)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("policyengine")
            if table is not None:
                return parse_config(table, os.fspath(pyproject))
    return DEFAULT


# -- suppressions ----------------------------------------------------------------------------------
_SUPPRESS = re.compile(r"policyengine\s*:\s*ignore\b(\[[^\]\n]*\]?)?")


@dataclass(frozen=True)
class Suppression:
    span: Span
    names: tuple[str, ...]  # as written
    codes: tuple[str, ...]  # resolved codes (unknown names left out)
    unknown: tuple[str, ...]


def find_suppressions(source: SourceFile) -> list[Suppression]:
    text = source.text
    matches = list(_SUPPRESS.finditer(text))
    if not matches:
        return []
    scalars = _scalar_spans(text)
    out = []
    for m in matches:
        hash_at = _comment_start(text, m.start(), scalars)
        if hash_at is None:
            continue
        line, col = source.position(hash_at)
        _, end_col = source.position(m.end())
        inside = (m.group(1) or "").strip("[]")
        names = tuple(x.strip() for x in inside.split(",") if x.strip())
        codes, unknown = [], []
        for name in names:
            found = lookup(name)
            (codes.append(found.code) if found is not None else unknown.append(name))
        out.append(Suppression(Span(source.path, line, col, line, end_col), names,
                               tuple(codes), tuple(unknown)))
    return out


def _scalar_spans(text: str) -> list[tuple[int, int]] | None:
    """Start/end offsets of every scalar token, or None when the text does not scan."""
    import yaml

    spans = []
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return None
    return spans


def _comment_start(text: str, at: int, scalars) -> int | None:
    """The offset of the ``#`` opening the comment that contains ``at``, or None when ``at``
    is not in a comment."""
    line_start = text.rfind("\n", 0, at) + 1
    if scalars is not None:
        starts = [s for s, _ in scalars]
        k = bisect.bisect_right(starts, at) - 1
        if k >= 0 and scalars[k][0] <= at < scalars[k][1]:
            return None
        pos = text.find("#", line_start, at)
        while pos != -1:
            k = bisect.bisect_right(starts, pos) - 1
            in_scalar = k >= 0 and scalars[k][0] <= pos < scalars[k][1]
            if not in_scalar and (pos == line_start or text[pos - 1] in " \t"):
                return pos
            pos = text.find("#", pos + 1, at)
        return None
    quote = None  # the text does not scan: read the line with quotes in mind
    for pos in range(line_start, at):
        ch = text[pos]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (pos == line_start or text[pos - 1] in " \t"):
            return pos
    return None


def apply_suppressions(diagnostics: list[Diagnostic], source: SourceFile | None,
                       enabled=lambda code: True) -> list[Diagnostic]:
    """Drop the diagnostics an inline suppression silences; add PE801/PE802 for the
    suppressions that silence nothing or name what does not exist."""
    if source is None:
        return diagnostics
    found = find_suppressions(source)
    if not found:
        return diagnostics
    by_line: dict[int, list[Suppression]] = {}
    for s in found:
        by_line.setdefault(s.span.line, []).append(s)
    used: set[tuple[int, str]] = set()
    kept = []
    for d in diagnostics:
        hit = None
        if d.file == source.path and d.line is not None:
            for s in by_line.get(d.line, ()):
                if d.code in s.codes:
                    hit = s
                    break
        if hit is None:
            kept.append(d)
        else:
            used.add((id(hit), d.code))
    for s in found:
        shown = f"# policyengine: ignore[{', '.join(s.names)}]"
        if not s.names:
            kept.append(Diagnostic.at(
                "PE802", Severity.WARNING, "this suppression names no code", s.span,
                hint="name the codes to silence: `# policyengine: ignore[PE504]`",
                element=f"suppression:{s.span.line}"))
        for name in s.unknown:
            kept.append(Diagnostic.at(
                "PE802", Severity.WARNING, f"`{name}` in `{shown}` is not a code or rule name",
                s.span, hint=_near(name), element=f"suppression:{name}"))
        for code in s.codes:
            if (id(s), code) not in used and enabled(code):
                kept.append(Diagnostic.at(
                    "PE801", Severity.WARNING, f"`{shown}` does not silence any `{code}` on "
                    "this line", s.span, hint=f"remove `{code}` from the suppression (or the "
                    "comment), or move it to the line the finding points at",
                    element=f"suppression:{code}"))
    return kept


def _near(name: str) -> str:
    from ..suggest import did_you_mean

    names = [*REGISTRY, *(c.name for c in REGISTRY.values())]
    return did_you_mean(name, names) or "codes look like `PE504`; `policyengine explain` " \
                                         "lists them"


# -- baseline --------------------------------------------------------------------------------------
_NUMBERS = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def fingerprint(d: Diagnostic, root: str) -> str:
    """Code, file (relative to ``root``), element and the message with numbers blanked."""
    where = _relative(d.file, root)
    blob = "\0".join((d.code, where, d.element or "", _NUMBERS.sub("#", d.message)))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def _relative(path: str | None, root: str) -> str:
    if path is None:
        return ""
    try:
        return Path(os.path.relpath(os.path.abspath(path), root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


@dataclass
class Baseline:
    """Recorded findings: fingerprint -> how many times it occurred."""

    path: str
    counts: Counter = field(default_factory=Counter)

    @property
    def root(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Baseline":
        p = os.fspath(path)
        try:
            data = json.loads(Path(p).read_text("utf-8"))
        except OSError as exc:
            raise ConfigError(f"{p}: the baseline cannot be read: {exc.strerror or exc}") \
                from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: the baseline is not valid JSON: {exc}") from None
        findings = data.get("findings") if isinstance(data, dict) else None
        if not isinstance(findings, list) or not all(
                isinstance(f, dict) and isinstance(f.get("fingerprint"), str) for f in findings):
            raise ConfigError(f"{p}: not a policyengine baseline (write one with "
                              "--write-baseline)")
        return cls(p, Counter(f["fingerprint"] for f in findings))

    @classmethod
    def write(cls, path: str | os.PathLike, diagnostics: Iterable[Diagnostic]) -> "Baseline":
        p = os.fspath(path)
        base = cls(p)
        rows = []
        for d in diagnostics:
            fp = fingerprint(d, base.root)
            base.counts[fp] += 1
            rows.append({"fingerprint": fp, "code": d.code, "file": _relative(d.file, base.root),
                         "element": d.element, "message": d.message})
        rows.sort(key=lambda r: (r["file"], r["code"], r["element"] or "", r["message"]))
        data = {"policyengine-baseline": 1, "findings": rows}
        try:
            Path(p).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
        except OSError as exc:
            raise ConfigError(f"{p}: cannot write the baseline: {exc.strerror or exc}") from None
        return base

    def filter(self, diagnostics: Iterable[Diagnostic]) -> tuple[list[Diagnostic], int, int]:
        """(the findings the baseline does not account for, how many it did, how many of
        its entries no longer occur)."""
        left = Counter(self.counts)
        new, matched = [], 0
        for d in diagnostics:
            fp = fingerprint(d, self.root)
            if left[fp] > 0:
                left[fp] -= 1
                matched += 1
            else:
                new.append(d)
        return new, matched, sum(left.values())
