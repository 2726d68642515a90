"""Shared pieces of the hostile-input tests: hypothesis strategies for hostile text, numbers and
structure, and helpers that run the real command in a subprocess (real stdout, real signals,
real pipes) or through click's runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import strategies as st

from policyengine.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "policies" / "acme-channel-conflict.yaml"
PRICING = ROOT / "examples" / "acme-channel-conflict--pricing-emea.json"
GOOD: dict[str, Any] = json.loads(PRICING.read_text("utf-8"))
AS_OF = "2026-11-22"

# -- strategies ----------------------------------------------------------------------------
#: Text with what breaks naive code: lone surrogates, C0/C1 controls, line and paragraph
#: separators, NUL, the byte-order mark, backticks, Markdown and HTML, right-to-left marks.
hostile_chars = st.one_of(
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    st.sampled_from(["\u2028", "\u2029", "\ufeff", "\u202e", "`", "|", "<", ">", "&", "#",
                     "\n", "\r", "\\", '"', "'", "[", "]", "(", ")", "*", "_", "\x1b"]),
    st.characters(),
)
hostile_text = st.one_of(
    st.text(hostile_chars, max_size=30),
    st.sampled_from(["```", "\n```\n[x](javascript:alert(1))\n", "<script>alert(1)</script>",
                     "``<b>x</b>``", "\x1b[31mred\x1b[0m", "a\rb", "\ud800", "\udfff\ud800"]),
)
#: Numbers at and beyond every limit: int64, Python's 4,300-digit conversion limit, floats
#: that overflow, NaN and infinities.
hostile_numbers = st.one_of(
    st.integers(),
    st.sampled_from([2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 400, 10 ** 4000, -(10 ** 4000)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 5e-324]),
)
hostile_scalars = st.one_of(st.none(), st.booleans(), hostile_numbers, hostile_text)
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)


def hostile_dispute() -> st.SearchStrategy[dict[str, Any]]:
    """The good dispute with hostile keys added or hostile values put in its facts."""
    keys = st.sampled_from(["kind", "amount", "region", "partner", "recurrences_90d",
                            "compliance_flag", "as_of", "escalation", "remedies_in_force"])
    return st.builds(
        lambda changes, extra: {**GOOD, **changes, **extra},
        st.dictionaries(keys, hostile_values, max_size=3),
        st.dictionaries(hostile_text, hostile_values, max_size=2),
    )


#: JSON Lines text that is hostile as text: duplicate keys, huge numbers, a BOM, deep nesting,
#: escapes of lone surrogates, bytes that are not UTF-8.
hostile_lines = st.one_of(
    st.sampled_from([
        b'{"kind": "mdf", "kind": "pricing"}',
        b'{"amount": ' + b"9" * 5000 + b"}",
        b'{"amount": 1e999}',
        b"[" * 50000,
        b'{"x\\ud800": 1}',
        b'{"kind": "\\udfff"}',
        b"\xff\xfe{}",
        b"",
        b"   ",
        b"null",
        b"[]",
        b'"text"',
        b"{" + b'"a":{' * 2000 + b"}" * 2001,
    ]),
    hostile_dispute().map(lambda d: _json_line(d)),
)


def _json_line(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=True, allow_nan=True).encode("ascii")
    except ValueError:  # an integer Python will not spell: write such a line by hand
        return b'{"amount": ' + b"9" * 5000 + b"}"


# -- running the command -------------------------------------------------------------------
def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def invoke(*args: str, input: bytes | str | None = None) -> Any:
    """The command through click's runner; never a Python exception other than SystemExit."""
    result = runner().invoke(cli, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


def command(*args: str | os.PathLike, input: bytes | None = None, cwd: str | os.PathLike | None
            = None, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """``python -m policyengine ARGS`` in a subprocess (real streams). ``timeout`` is a safety
    net against a hang (the bug class), not a speed assertion."""
    return subprocess.run([sys.executable, "-m", "policyengine", *map(os.fspath, args)],
                          input=input, capture_output=True, cwd=cwd, timeout=timeout, **kwargs)


def assert_no_defect(done: subprocess.CompletedProcess[bytes]) -> None:
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1, 2), (done.returncode, err)
    assert "Traceback" not in err and "internal error" not in err, err
