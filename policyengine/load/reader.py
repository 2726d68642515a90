"""Read a rulebook's bytes into text: size bound, UTF-8, tabs in indentation."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..diagnostics import Diagnostic, Severity, Span
from ..source import SourceFile

DEFAULT_MAX_BYTES = 1024 * 1024  # 1 MiB
_INDENT_TAB = re.compile(r"^[ ]*\t", re.MULTILINE)


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
               display: str | None = None) -> tuple[bytes | None, list[Diagnostic]]:
    """Read a file, refusing it when it is larger than ``max_bytes`` (without reading it all)."""
    name = display if display is not None else str(path)
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except IsADirectoryError:
        return None, [Diagnostic.at("PE011", Severity.ERROR, "is a directory, not a rulebook file",
                                    None, file=name)]
    except FileNotFoundError:
        return None, [Diagnostic.at("PE011", Severity.ERROR, "no such file", None, file=name,
                                    hint="check the path")]
    except OSError as exc:
        return None, [Diagnostic.at("PE011", Severity.ERROR,
                                    f"cannot read the file: {exc.strerror or exc}", None, file=name,
                                    hint="check that the file exists and that you may read it")]
    if len(data) > max_bytes:
        return None, [_too_large(name, max_bytes)]
    return data, []


def _too_large(name: str, max_bytes: int) -> Diagnostic:
    size = f"{max_bytes} bytes"
    if max_bytes % (1024 * 1024) == 0:
        size += f" ({max_bytes // (1024 * 1024)} MiB)"
    elif max_bytes % 1024 == 0:
        size += f" ({max_bytes // 1024} KiB)"
    return Diagnostic.at(
        "PE001", Severity.ERROR, f"the file is larger than the bound of {size}", None,
        file=name, hint="split the rulebook, or raise the bound with `--max-bytes` if it is genuine")


def decode(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES
           ) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Decode UTF-8 (a BOM is allowed) into a SourceFile, or explain where the bytes go wrong."""
    if len(data) > max_bytes:
        return None, [_too_large(name, max_bytes)]
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[bom:]
    try:
        text = _lines(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        good = _lines(data[: exc.start].decode("utf-8", errors="replace"))
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        bad = data[exc.start: exc.start + 1].hex()
        return None, [Diagnostic(
            "PE002", Severity.ERROR,
            f"byte 0x{bad} at offset {exc.start + bom} is not valid UTF-8", name, line, column,
            line, column + 1, hint="the file was saved in another encoding (such as Latin-1 or "
                                   "Windows-1252): save it as UTF-8")]
    if "\x00" in text:
        line, column = SourceFile(name, text).position(text.index("\x00"))
        return None, [Diagnostic("PE002", Severity.ERROR, "the file contains a NUL character: "
                                 "it looks binary, not YAML text", name, line, column, line,
                                 column + 1, hint="a rulebook is a UTF-8 text file")]
    return SourceFile(name, text), []


def _lines(text: str) -> str:
    """CRLF and a lone CR (old Mac files; YAML reads it as a line break too) become LF, so that
    lines and columns agree with what YAML and editors show."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def find_tabs(source: SourceFile) -> list[Diagnostic]:
    """A tab in a line's indentation (YAML forbids it; PyYAML's message is cryptic)."""
    out = []
    for m in _INDENT_TAB.finditer(source.text):
        offset = m.end() - 1
        line, column = source.position(offset)
        out.append(Diagnostic(
            "PE004", Severity.ERROR, "a tab character is used for indentation",
            source.path, line, column, line, column + 1,
            hint="indent with spaces only (YAML does not allow tabs in indentation)"))
    return out


def span_of(source: SourceFile, start: int, end: int) -> Span:
    """A Span over character offsets ``[start, end)`` of ``source``."""
    line, column = source.position(start)
    end_line, end_column = source.position(max(end, start + 1))
    return Span(source.path, line, column, end_line, end_column)
