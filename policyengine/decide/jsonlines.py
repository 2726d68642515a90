"""One JSON Lines record per dispute: what ``policyengine evaluate --input`` writes and what the
service's batch endpoint streams.

A line of input is one dispute (a JSON object); its record is
``{"line": N, "decision": {...}}`` or ``{"line": N, "error": {"code", "problems"}}``, where
``problems`` are the library's refusal problems (``code``, ``message``, ``path``, ``detail``,
``hint``). A line that is empty or not JSON is refused with ``invalid_json``.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any

from ..core.decision import Decision, fast_compact_json
from ..core.errors import DisputeError, Problem
from ..model.nodes import Policy
from .evaluate import evaluate_compiled


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """The outcome of one input line: a ``decision``, or the refusal's ``code`` and
    ``problems``; ``dispute`` is the parsed input when it was JSON."""

    line: int
    decision: Decision | None
    code: str | None
    problems: tuple[Problem, ...]
    dispute: Any = None

    def record(self, **extra: Any) -> dict[str, Any]:
        """The record as a dict; ``extra`` keys (the service's ``decision_id``) come after
        ``line``."""
        out: dict[str, Any] = {"line": self.line, **extra}
        if self.decision is not None:
            out["decision"] = self.decision.to_dict()
        else:
            out["error"] = {"code": self.code, "problems": [p.to_dict() for p in self.problems]}
        return out

    def to_json(self, **extra: Any) -> str:
        """The record as one line of compact JSON (no newline); text that UTF-8 cannot encode
        (a lone surrogate in a key the record echoes) is written as a JSON escape."""
        return dumps_record(self.record(**extra)).decode("utf-8")

    def to_bytes(self, **extra: Any) -> bytes:
        """:meth:`to_json` as UTF-8 bytes."""
        return dumps_record(self.record(**extra))


def _stdlib_record(rec: Any) -> bytes:
    text = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    if not text.isascii():
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(rec, ensure_ascii=True, separators=(",", ":"))
    return text.encode("ascii")


def dumps_record(rec: Any) -> bytes:
    """A record as compact JSON bytes, byte for byte what ``json.dumps(rec,
    ensure_ascii=False, separators=(",", ":"))`` encoded as UTF-8 gives (a lone surrogate:
    the ``ensure_ascii`` spelling): orjson's where they are provably the same
    (:func:`policyengine.core.decision.fast_compact_json`), the standard library's otherwise."""
    fast = fast_compact_json(rec)
    return fast if fast is not None else _stdlib_record(rec)


def invalid_json(line: int, message: str, code: str = "invalid_json") -> LineOutcome:
    return LineOutcome(line, None, code, (Problem(code, message),))


def parse_line(line: int, raw: bytes) -> tuple[Any, LineOutcome | None]:
    """The JSON value of a line, or the refusal of a line that is empty or not JSON (also:
    not UTF-8, a key twice in one object, an integer too long, nesting too deep; see
    :mod:`policyengine.load.json_input`). A byte-order mark on the first line is skipped."""
    from ..load.json_input import JsonInputError, loads

    text = raw.strip()
    if line == 1 and text.startswith(b"\xef\xbb\xbf"):  # a spreadsheet export's BOM
        text = text[3:].lstrip()
    if not text:
        return None, invalid_json(line, "empty line")
    try:
        return loads(text), None
    except JsonInputError as exc:
        return None, invalid_json(line, f"not valid JSON at column {exc.column}: "
                                  f"{exc.message.removeprefix('not valid JSON: ')}")


def decide_value(policy: Policy, line: int, dispute: Any, as_of: _dt.date | None
                 ) -> LineOutcome:
    """Decide one parsed dispute; a refusal becomes the line's error record."""
    try:
        decision = evaluate_compiled(policy.compiled, dispute, as_of=as_of)
    except DisputeError as exc:
        return LineOutcome(line, None, exc.code, exc.problems, dispute)
    except Exception as exc:  # a defect of ours: the line keeps its place, the run goes on
        return invalid_json(line, f"internal error: {type(exc).__name__}", "internal_error")
    return LineOutcome(line, decision, None, (), dispute)


def decide_line(policy: Policy, line: int, raw: bytes, as_of: _dt.date | None) -> LineOutcome:
    """Parse and decide one input line."""
    dispute, refused = parse_line(line, raw)
    if refused is not None:
        return refused
    return decide_value(policy, line, dispute, as_of)
