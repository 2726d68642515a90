"""``policyengine fmt``: one layout for every rulebook, so that reviews discuss rules, not
spaces.

Built on ruamel.yaml's round-trip mode, which keeps comments where they were. The formatter
puts each section's keys in the canonical order (:mod:`.order`), writes short bands and
authority rows in flow style (and flow mappings that do not fit on a line in block style),
prints expressions through the expression printer, and quotes a string only where YAML needs
it. Indentation is two spaces, list items indented under their key.

It never changes what a rulebook means: the result is loaded again and must have the same
digest (a rulebook that does not load: the same YAML data) and the same comments. When the
full treatment would break that, a conservative one (key order and layout only) is tried; when
that fails too, the file is left as it was and :class:`FormatResult` says why.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..core.diagnostics import Diagnostic, Severity
from ..load import parse_document
from ..compile.pipeline import inspect_text
from .layout import Layout, restore_comments

__all__ = ["FormatResult", "format_text", "WIDTH"]

WIDTH = 100  # a flow mapping longer than this is written in block style
# a comment line after a flow mapping: where ruamel.yaml may drop it (see restore_comments)
_COMMENT_AFTER_FLOW = re.compile(r"\}[ \t]*\n(?:[ \t]*\n)*[ \t]*#")


@dataclass
class FormatResult:
    """``text`` is the formatted text (the input when it could not be formatted);
    ``diagnostics`` the errors that prevented formatting (YAML the loader refuses);
    ``problem`` says why a file that parses was left unchanged (a defect of ours)."""

    source: str
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return self.text != self.source

    @property
    def ok(self) -> bool:
        return not self.diagnostics and self.problem is None


def _fingerprint(text: str, name: str, result: Any = None) -> tuple[str, Any]:
    """What formatting must keep: the digest of a rulebook that loads, else its YAML data."""
    result = result if result is not None else inspect_text(text, name)
    if result.policy is not None:
        return "digest", result.policy.digest
    return "data", parse_document(text, name).data


def _comments(text: str) -> Counter[str]:
    from ..lint.suppressions import find_comments

    return Counter(c.strip() for _, c in find_comments(text))


def format_text(raw: str | bytes, name: str = "<string>", *, width: int = WIDTH
                ) -> FormatResult:
    """Format a rulebook's text (or bytes, decoded as the loader does). Never raises for bad
    input: YAML the loader refuses comes back as ``diagnostics``, the text unchanged."""
    doc = parse_document(raw, name)
    text = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
    errors = [d for d in doc.diagnostics if d.severity is Severity.ERROR]
    if doc.data is None or doc.source is None or errors:
        return FormatResult(text, text, errors or list(doc.diagnostics))
    text = doc.source.text  # line breaks normalized as the loader reads them
    loaded = inspect_text(text, name)
    want = _fingerprint(text, name, loaded)
    comments = _comments(text)
    problem = "the formatted text would not load"
    for full in ((True, False) if loaded.policy is not None else (False,)):
        try:
            out = _render(text, loaded.policy if full else None, width)
        except Exception as exc:  # ruamel refusing what our loader accepted: leave the file
            problem = f"ruamel.yaml cannot round-trip this file ({type(exc).__name__})"
            continue
        if _fingerprint(out, name) != want:
            problem = "formatting would change the rulebook's meaning"
            continue
        if _comments(out) != comments:
            problem = "formatting would lose or change a comment"
            continue
        return FormatResult(text, out)
    return FormatResult(text, text, problem=problem)


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # lines are kept long; flow mappings are split into block style instead
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    return yaml


def _render(text: str, policy: Any, width: int) -> str:
    yaml = _yaml()
    data = yaml.load(text)
    if _COMMENT_AFTER_FLOW.search(text):
        plain = io.StringIO()
        yaml.dump(data, plain)  # what ruamel.yaml alone keeps
        lost = _comments(text) - _comments(plain.getvalue())
        if lost:
            restore_comments(data, text, lost)
    Layout(policy, width).apply(data)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
