"""One JSON Lines record per dispute: what ``policyengine evaluate --input`` writes and what the
service's batch endpoint streams.

A line of input is one dispute (a JSON object); its record is
``{"line": N, "decision": {...}}`` or ``{"line": N, "error": {"code", "problems"}}``, where
``problems`` are the library's refusal problems (``code``, ``message``, ``path``, ``detail``,
``hint``). A line that is empty or not JSON is refused with ``invalid_json``.

:func:`decide_chunk` decides a block of lines at once (the batch command's unit of work, in one
process or in a worker): the same records, byte for byte, as :func:`decide_line` and
:meth:`LineOutcome.to_bytes` line by line, with what a block can share done once per block.
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


#: what a chunk gives back: its records as one block of bytes (each ended by a newline), the
#: lines decided, the counts per category, per level and per refusal code, and the input bytes
ChunkResult = tuple[bytes, int, dict[str, int], dict[str, int], dict[str, int], int]

_BOM = b"\xef\xbb\xbf"


def decision_record(number: int, decision: Decision) -> bytes:
    """The record of line ``number``'s decision with its newline: ``{"line":N,"decision":``,
    the decision's :meth:`~Decision.to_json`, ``}``; the bytes of :func:`dumps_record` of
    the record. The two differ only where ``to_json`` wrote a lone surrogate as ``\\udXXX``
    (``backslashreplace``) while the record spells the whole line ASCII (``ensure_ascii``),
    which changes the bytes only if the line also holds other non-ASCII text or a DEL: then,
    and for a number that is not finite, the record is encoded whole."""
    try:
        body = decision.to_json()
    except ValueError:  # not finite: the record's own encoder decides
        body = None
    if body is None or ((not body.isascii() or b"\x7f" in body) and b"\\ud" in body):
        return dumps_record({"line": number, "decision": decision.to_dict()}) + b"\n"
    return b'{"line":%d,"decision":%b}\n' % (number, body)


def split_block(block: bytes) -> list[bytes]:
    """The lines of a block of JSON Lines: split on ``\n`` only (a record may hold U+2028 or
    ``\x1c`` inside a string); the newline that ends the last line does not start another."""
    lines = block.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def decide_chunk(policy: Policy, first: int, block: bytes, as_of: _dt.date | None
                 ) -> ChunkResult:
    """Decide every line of ``block`` (whole lines; ``first`` is the number of the first):
    the records of :func:`decide_line` joined with newlines, and the counts. A decision's
    record is spliced from :meth:`Decision.to_json` (no record dict built and encoded again):
    the same bytes as :func:`dumps_record` of :meth:`LineOutcome.record`, because both are the
    standard library's compact spelling; where ``to_json`` may have written a lone surrogate
    as ``\\udXXX`` (the record spells the whole line ASCII then) the record is encoded whole
    (:func:`decision_record`)."""
    from ..load.json_input import JsonInputError, loads

    compiled = policy.compiled
    out: list[bytes] = []
    append = out.append
    categories: dict[str, int] = {}
    levels: dict[str, int] = {}
    errors: dict[str, int] = {}
    lines = split_block(block)
    for number, raw in enumerate(lines, first):
        text = raw.strip()
        if number == 1 and text.startswith(_BOM):  # a spreadsheet export's BOM
            text = text[3:].lstrip()
        outcome: LineOutcome | None = None
        if not text:
            outcome = invalid_json(number, "empty line")
        else:
            try:
                dispute = loads(text)
            except JsonInputError as exc:
                outcome = invalid_json(number, f"not valid JSON at column {exc.column}: "
                                       f"{exc.message.removeprefix('not valid JSON: ')}")
        if outcome is None:
            try:
                decision = evaluate_compiled(compiled, dispute, as_of=as_of)
            except DisputeError as exc:
                outcome = LineOutcome(number, None, exc.code, exc.problems, dispute)
            except Exception as exc:  # a defect of ours: the line keeps its place
                outcome = invalid_json(number, f"internal error: {type(exc).__name__}",
                                       "internal_error")
        if outcome is not None:
            append(dumps_record(outcome.record()))
            append(b"\n")
            code = outcome.code or ""
            errors[code] = errors.get(code, 0) + 1
            continue
        append(decision_record(number, decision))
        category = decision.category.id
        categories[category] = categories.get(category, 0) + 1
        level = decision.level.id
        levels[level] = levels.get(level, 0) + 1
    return b"".join(out), len(lines), categories, levels, errors, len(block)
