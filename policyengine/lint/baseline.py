"""The baseline: the findings of a run, recorded by the fingerprint that survives unrelated
edits (:meth:`Diagnostic.fingerprint <policyengine.core.diagnostics.Diagnostic.fingerprint>`, the
one SARIF's ``partialFingerprints`` carry too: code, file relative to the baseline, and the
element, or the message with its numbers blanked when there is none; never line numbers). A
later run reports only the findings the baseline does not account for, and says how many
recorded findings no longer occur.

Format 2 (written since the fingerprint became one): ``{"policyengine-baseline": 2,
"findings": [{"fingerprint", "code", "file", "element", "message"}, ...]}``. Format 1 (24-digit
fingerprints that always hashed the message) is still read: each entry's fingerprint is
recomputed from the code, file, element and message it records, so an old baseline keeps
hiding the findings it recorded; ``--write-baseline`` rewrites it as format 2.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..core.diagnostics import Diagnostic, Severity
from .config import ConfigError

FORMAT = 2


def fingerprint(d: Diagnostic, root: str) -> str:
    """:meth:`Diagnostic.fingerprint` with the file relative to ``root``."""
    return d.fingerprint(_relative(d.file, root))


def _migrated(entry: dict[str, Any]) -> str:
    """The fingerprint of a format-1 entry, from what it records (its own when it lacks the
    fields: such an entry matches nothing and counts as no longer occurring)."""
    code, file, message = entry.get("code"), entry.get("file"), entry.get("message")
    element = entry.get("element")
    if not (isinstance(code, str) and isinstance(file, str) and isinstance(message, str)
            and (element is None or isinstance(element, str))):
        return str(entry["fingerprint"])
    return Diagnostic(code, Severity.WARNING, message, element=element).fingerprint(file)


def _relative(path: str | None, root: str) -> str:
    if path is None:
        return ""
    try:
        return Path(os.path.relpath(os.path.abspath(path), root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


#: Largest baseline file read (bytes).
MAX_BASELINE_BYTES = 64 * 1024 * 1024


@dataclass
class Baseline:
    """Recorded findings: fingerprint -> how many times it occurred."""

    path: str
    counts: Counter[Any] = field(default_factory=Counter)

    @property
    def root(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Baseline":
        p = os.fspath(path)
        from ..load import json_input
        from ..load.reader import UnreadableError, read_regular

        try:
            raw = read_regular(p, MAX_BASELINE_BYTES)
        except UnreadableError as exc:
            raise ConfigError(f"{p}: the baseline cannot be read: {exc.reason}") from None
        if len(raw) > MAX_BASELINE_BYTES:
            raise ConfigError(f"{p}: the baseline is larger than "
                              f"{MAX_BASELINE_BYTES // (1024 * 1024)} MiB")
        try:
            data = json_input.loads(raw)
        except json_input.JsonInputError as exc:
            raise ConfigError(f"{p}:{exc.line}:{exc.column}: the baseline is not valid JSON: "
                              f"{exc.message.removeprefix('not valid JSON: ')}") from None
        findings = data.get("findings") if isinstance(data, dict) else None
        if not isinstance(findings, list) or not all(
                isinstance(f, dict) and isinstance(f.get("fingerprint"), str) for f in findings):
            raise ConfigError(f"{p}: not a policyengine baseline (write one with "
                              "--write-baseline)")
        version = data.get("policyengine-baseline", 1)
        if version == 1:
            return cls(p, Counter(_migrated(f) for f in findings))
        if version != FORMAT:
            raise ConfigError(f"{p}: baseline format {version!r} is not one this version of "
                              f"policyengine reads (1 or {FORMAT}): rewrite it with "
                              "--write-baseline")
        return cls(p, Counter(f["fingerprint"] for f in findings))

    @classmethod
    def write(cls, path: str | os.PathLike[str], diagnostics: Iterable[Diagnostic]) -> "Baseline":
        p = os.fspath(path)
        base = cls(p)
        rows = []
        for d in diagnostics:
            fp = fingerprint(d, base.root)
            base.counts[fp] += 1
            rows.append({"fingerprint": fp, "code": d.code, "file": _relative(d.file, base.root),
                         "element": d.element, "message": d.message})
        rows.sort(key=lambda r: (r["file"], r["code"], r["element"] or "", r["message"]))
        data = {"policyengine-baseline": FORMAT, "findings": rows}
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
