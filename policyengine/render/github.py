"""Diagnostics as GitHub Actions workflow commands, which GitHub shows as annotations on the
pull request's files:

    ::error file=policies/acme.yaml,line=40,col=5,endLine=40,endColumn=15,title=PE501::message

``error`` for errors, ``warning`` for warnings, ``notice`` for infos. ``col`` and ``endColumn``
are left out when a span crosses lines (GitHub would misplace them), and every position is left
out when the diagnostic has none. Values are escaped as the workflow-command format requires:
``%``, CR and LF in the message; ``:`` and ``,`` too in properties. The hint follows the message
on a second line.
"""

from __future__ import annotations

from typing import Iterable

from ..core.diagnostics import Diagnostic, Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    props = []
    if d.file is not None:
        props.append(("file", d.file))
        if d.line is not None:
            props.append(("line", str(d.line)))
            one_line = d.end_line is None or d.end_line == d.line
            if one_line and d.column is not None:
                props.append(("col", str(d.column)))
            if d.end_line is not None:
                props.append(("endLine", str(d.end_line)))
            if one_line and d.column is not None and d.end_column is not None:
                props.append(("endColumn", str(d.end_column)))
    props.append(("title", d.code))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    message = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
    return f"::{_COMMANDS[d.severity]} {head}::{escape_data(message)}"


def render(diagnostics: Iterable[Diagnostic]) -> str:
    lines = [annotation(d) for d in diagnostics]
    return "".join(line + "\n" for line in lines)
