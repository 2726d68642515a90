"""Lint: every diagnostic of loading a rulebook, then the rules over the loaded policy.

``run_lint(paths)`` returns the sorted diagnostics; ``lint_paths`` also returns the sources
(for renderers that show the offending line) and the files it looked at.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..core.calendar import AsOf, as_day
from ..core.codes import REGISTRY
from ..core.diagnostics import Diagnostic, Severity, sort_diagnostics
from ..load import DEFAULT_MAX_BYTES
from ..compile.pipeline import inspect_file, inspect_text
from ..core.source import SourceFile

from ..load.sourcemap import SourceMap

if TYPE_CHECKING:  # pragma: no cover
    from .config import LintConfig
    from ..compile.pipeline import LoadResult

_RULEBOOK_HINT = re.compile(r"^policy\s*:", re.MULTILINE)
TEST_SUFFIXES = (".test.yaml", ".test.yml")
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class LintContext:
    as_of: _dt.date
    solver_timeout: float | None = None  # seconds per solver query (PE5xx); None: default
    analysis_budget: float | None = None  # seconds of solver time per rulebook
    codes: frozenset[str] | None = None  # the codes the running rules report (None: all)
    # what the rules of one file share (the logic checks' findings); fresh in each replace()
    memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)


class LintResult(list[Diagnostic]):
    """What a lint run found: the sorted diagnostics (the result *is* that list, so it compares
    equal to a list of diagnostics), with the files read (``files``), their text (``sources``,
    for showing the offending lines) and the paths that do not exist (``missing``)."""

    def __init__(self, diagnostics: Iterable[Diagnostic], files: list[str],
                 sources: dict[str, SourceFile] | None = None,
                 missing: list[str] | None = None) -> None:
        super().__init__(diagnostics)
        self.files: list[str] = files
        self.sources: dict[str, SourceFile] = sources if sources is not None else {}
        self.missing: list[str] = missing if missing is not None else []

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self)

    @property
    def infos(self) -> int:
        return sum(d.severity is Severity.INFO for d in self)


def is_test_file(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).endswith(TEST_SUFFIXES)


def _looks_like_rulebook(path: Path) -> bool:
    try:
        from ..load.reader import UnreadableError, read_regular

        head = read_regular(path, 64 * 1024).decode("utf-8", errors="replace")
    except UnreadableError:
        return True  # let the loader report why it cannot be read
    return bool(_RULEBOOK_HINT.search(head))


def is_rulebook_file(path: str | os.PathLike[str]) -> bool:
    """A file that folder search would lint: YAML with a top-level ``policy:``, not a policy
    test (``*.test.yaml``)."""
    p = Path(path)
    return (p.is_file() and p.name.endswith((".yaml", ".yml")) and not is_test_file(p)
            and _looks_like_rulebook(p))


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[str]]:
    """Files to lint (explicit files as given; folders searched for rulebooks), and the
    paths that do not exist. In a folder, ``*.test.yaml`` policy tests, hidden folders and
    YAML files that are not rulebooks (no top-level ``policy:``) are skipped."""
    files: list[str] = []
    missing: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.endswith((".yaml", ".yml")) or name.startswith("."):
                        continue
                    full = Path(root) / name
                    if not full.is_file() or is_test_file(full) \
                            or not _looks_like_rulebook(full):  # a FIFO would block
                        continue
                    found.append(os.fspath(full))
            files.extend(found)
        elif p.exists():
            files.append(os.fspath(raw))
        else:
            missing.append(os.fspath(raw))
    unique = list(dict.fromkeys(files))  # first occurrence of each, in order
    return unique, missing


def _selected(code: str, select: Iterable[str] | None, ignore: Iterable[str] | None) -> bool:
    def match(patterns: Iterable[str]) -> bool:
        return any(code.startswith(p.strip().upper()) for p in patterns if p.strip())
    if select and not match(select):
        return False
    return not (ignore and match(ignore))


def _run_rules(policy: Any, path: str, context: LintContext, logic: bool,
               enabled: Callable[[str], bool] | None = None) -> list[Diagnostic]:
    """Run the rules that declare a code ``enabled`` reports (every rule when None; the
    solver's only with ``logic``); a rule with no code reported does not run."""
    from . import rules as _rules

    running = []
    for rule in _rules.RULES:
        codes = getattr(rule, "codes", None)
        if not logic and getattr(rule, "logic", False):
            continue
        if enabled is not None and codes is not None and not any(enabled(c) for c in codes):
            continue
        running.append(rule)
    context = replace(context, codes=None if enabled is None else frozenset(
        c for r in running for c in getattr(r, "codes", ()) if enabled(c)))
    out: list[Diagnostic] = []
    for rule in running:
        try:
            out.extend(rule(policy, context))
        except Exception as exc:  # a crashing rule must not hide the other findings
            out.append(Diagnostic.at(
                "PE901", Severity.ERROR, f"internal error in check `{rule.__name__}`: "
                f"{type(exc).__name__}", None, file=path,
                hint="please report this with the rulebook attached"))
    return out


def lint_policy_file(path: str, context: LintContext, *, max_bytes: int = DEFAULT_MAX_BYTES,
                     text: bytes | None = None, enabled: Callable[[str], bool] | None = None
                     ) -> tuple[list[Diagnostic], SourceFile | None]:
    """Lint one rulebook: the file at ``path``, or ``text`` (standard input) named ``path``.
    ``enabled(code)``: whether ``code`` is reported (the rules of no enabled code do not run;
    None: every rule runs)."""
    diags, source, _ = _lint_file(path, context, max_bytes=max_bytes, text=text,
                                  enabled=enabled)
    return diags, source


def _lint_file(path: str, context: LintContext, *, max_bytes: int, text: bytes | None,
               enabled: Callable[[str], bool] | None
               ) -> tuple[list[Diagnostic], SourceFile | None, "SourceMap | None"]:
    """:func:`lint_policy_file`, with the source map of a rulebook that loaded (its comments
    hold the inline suppressions)."""
    if text is not None:
        result = inspect_text(text, path, max_bytes=max_bytes)
    else:
        result = inspect_file(path, max_bytes=max_bytes)
    policy, diags = result.draft, result.diagnostics
    source = None
    if policy is not None and policy.sourcemap is not None:
        source = policy.sourcemap.source
        diags.extend(_run_rules(policy, path, context, True, enabled))
        return diags, source, policy.sourcemap
    if diags and diags[0].file is not None:
        source = _read_source(path, max_bytes) if text is None else _source_of(path, text)
    return diags, source, None


def lint_text(text: str | bytes, name: str, context: LintContext, *, logic: bool = True,
              config: Any = None, max_bytes: int = DEFAULT_MAX_BYTES
              ) -> tuple[list[Diagnostic], "LoadResult"]:
    """Lint a rulebook held in memory (an editor's buffer) as ``lint`` lints a file: every
    diagnostic of loading it, the rules (the solver's logic checks, PE5xx, only with
    ``logic``), then the inline suppressions and ``config``. Returns (sorted diagnostics, the
    :class:`~policyengine.compile.pipeline.LoadResult`)."""
    from ..compile.pipeline import inspect_text
    from .config import DEFAULT

    config = config if config is not None else DEFAULT
    result = inspect_text(text, name, max_bytes=max_bytes)
    diags = list(result.diagnostics)
    source: SourceFile | SourceMap | None = None
    if result.draft is not None and result.draft.sourcemap is not None:
        source = result.draft.sourcemap
        diags.extend(_run_rules(result.draft, name, context, logic, config.enabled))
    elif isinstance(text, str):
        source = SourceFile(name, text.replace("\r\n", "\n").replace("\r", "\n"))
    return sort_diagnostics(config.apply(diags, source)), result


def _read_source(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile | None:
    """The file's text for showing the offending line (undecodable bytes shown as U+FFFD):
    a regular file only, and never more than the size bound (a file over the bound was refused
    without its text)."""
    from ..load.reader import UnreadableError, read_regular

    try:
        data = read_regular(path, max_bytes)
    except UnreadableError:
        return None
    if len(data) > max_bytes:
        return None
    return _source_of(path, data)


def _source_of(path: str, data: bytes) -> SourceFile:
    text = data.decode("utf-8", errors="replace")
    return SourceFile(path, text.replace("\r\n", "\n").replace("\r", "\n"))


def lint_paths(paths: Iterable[str | os.PathLike[str]], *, select: Iterable[str] | None = None,
               ignore: Iterable[str] | None = None, as_of: AsOf | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, config: LintConfig | None = None,
               stdin: bytes | None = None, stdin_name: str = STDIN_NAME) -> LintResult:
    """``config`` (a :class:`~policyengine.lint.config.LintConfig`) sets severities, solver
    limits and its own select/ignore; inline suppressions apply in any case. A path ``-``
    stands for ``stdin`` (the bytes read from standard input), reported as ``stdin_name``."""
    from .config import DEFAULT

    config = config if config is not None else DEFAULT
    paths = [os.fspath(p) for p in paths]
    from_stdin = stdin is not None and "-" in paths
    files, missing = collect_files([p for p in paths if not (from_stdin and p == "-")])
    if from_stdin:
        files.append(stdin_name)
    context = LintContext(as_day(as_of), config.solver_timeout,
                          config.analysis_budget)
    # a path that does not exist is a finding of its own, in every output format
    diagnostics: list[Diagnostic] = [
        Diagnostic.at("PE011", Severity.ERROR, "no such file or folder", None, file=m,
                      hint="check the path") for m in missing]
    sources: dict[str, SourceFile] = {}
    def enabled(code: str) -> bool:
        return config.enabled(code) and _selected(code, select, ignore)

    for path in files:
        text = stdin if from_stdin and path == stdin_name else None
        diags, source, smap = _lint_file(path, context, max_bytes=max_bytes, text=text,
                                         enabled=enabled)
        if source is not None:
            sources[path] = source
        diags = config.apply(diags, smap or source, enabled)
        diagnostics.extend(d for d in diags if _selected(d.code, select, ignore))
    return LintResult(sort_diagnostics(diagnostics), files, sources, missing)


def run_lint(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
             select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
             as_of: AsOf | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
             config: LintConfig | None = None) -> LintResult:
    """Lint files or folders; returns the sorted diagnostics (missing paths are PE011).
    ``config``: a LintConfig (``policyengine.lint.config.load_config()`` reads the project's)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return lint_paths(paths, select=select, ignore=ignore, as_of=as_of, max_bytes=max_bytes,
                      config=config)


def known_code(code: str) -> bool:
    return code.upper() in REGISTRY
