"""Lint configuration (:func:`load_config`): ``[tool.policyengine]`` in ``pyproject.toml`` or a
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

Inline suppressions are in :mod:`.suppressions`, the baseline in :mod:`.baseline`.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..core.codes import REGISTRY, lookup
from ..core.diagnostics import Diagnostic, Severity
from ..load.sourcemap import SourceMap
from ..core.source import SourceFile
from .suppressions import apply_suppressions

CONFIG_NAMES = (".policyengine.yaml", ".policyengine.yml")
_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO,
               "off": None}
_KEYS = {"select", "ignore", "severity", "solver_timeout", "analysis_budget", "baseline"}


class ConfigError(ValueError):
    """The configuration (or a baseline file) cannot be used."""


__all__ = ["ConfigError", "DEFAULT", "LintConfig", "load_config", "parse_config",
           "read_config_file"]


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
        best: Severity | None | bool = False
        best_len = -1
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

    def apply(self, diagnostics: Iterable[Diagnostic], source: SourceFile | SourceMap | None,
              enabled: Callable[[str], bool] | None = None) -> list[Diagnostic]:
        """Suppressions of ``source`` first, then severities, ``off``, select and ignore.
        ``enabled``: which codes ran (default: this configuration's); a suppression of a
        code that did not run is not reported as unused."""
        kept = apply_suppressions(list(diagnostics), source, enabled or self.enabled)
        out = []
        for d in kept:
            if not self.enabled(d.code):
                continue
            level = self.level(d.code)
            if isinstance(level, Severity) and level is not d.severity:
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


#: Largest configuration file read (bytes).
MAX_CONFIG_BYTES = 1024 * 1024


def _read_config_bytes(path: Path) -> bytes:
    """A configuration file's bytes: a regular file only, within the size bound."""
    from ..load.reader import UnreadableError, read_regular

    try:
        data = read_regular(path, MAX_CONFIG_BYTES)
    except UnreadableError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.reason}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: cannot be read: it is larger than 1 MiB")
    return data


def _read_toml(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(_read_config_bytes(path).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text ({exc.reason})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: it nests too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(_read_config_bytes(path).decode("utf-8"))
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML: it nests too deeply") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def read_config_file(path: str | os.PathLike[str]) -> LintConfig:
    p = Path(path)
    if p.suffix == ".toml":
        table = _read_toml(p).get("tool", {}).get("policyengine")
        if table is None:
            raise ConfigError(f"{p}: no [tool.policyengine] table")
        return parse_config(table, os.fspath(p))
    return parse_config(_read_yaml(p), os.fspath(p))


def load_config(explicit: str | os.PathLike[str] | None = None, *,
                start: str | os.PathLike[str] | None = None) -> LintConfig:
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
