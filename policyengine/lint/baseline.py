"""The baseline: the findings of a run, recorded by a fingerprint that survives unrelated edits
(code, file relative to the baseline, element, and the message with its numbers blanked; never
line numbers). A later run reports only the findings the baseline does not account for, and says
how many recorded findings no longer occur.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..diagnostics import Diagnostic
from .config import ConfigError
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
