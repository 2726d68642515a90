"""Read a rulebook's bytes into text: size bound, UTF-8, tabs in indentation."""

from __future__ import annotations

import os
import re
import stat

from ..core.diagnostics import Diagnostic, Severity, Span, new_span
from ..core.source import SourceFile

DEFAULT_MAX_BYTES = 1024 * 1024  # 1 MiB
_INDENT_TAB = re.compile(r"^[ ]*\t", re.MULTILINE)


def _open(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor that never blocks on open (a named pipe would wait forever for a
    writer); the caller checks what it opened before reading."""
    return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class UnreadableError(OSError):
    """A path that is not a regular file, or cannot be opened: ``reason`` says why in words."""

    def __init__(self, reason: str, *, missing: bool = False, directory: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.missing = missing
        self.directory = directory


def read_regular(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of a regular file (the caller compares the length with the
    bound). Anything else (a named pipe, a device such as ``/dev/zero``, a socket, a directory)
    is refused at once, without reading from it: raises :class:`UnreadableError`."""
    try:
        fd = _open(path)
    except FileNotFoundError:
        raise UnreadableError("no such file", missing=True) from None
    except IsADirectoryError:
        raise UnreadableError("is a directory", directory=True) from None
    except OSError as exc:
        raise UnreadableError(f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError:  # an embedded NUL character in the path
        raise UnreadableError("the path contains a NUL character", missing=True) from None
    try:
        kind = file_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise UnreadableError(f"is {kind}, not a regular file",
                                  directory=kind == "a directory")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks = []
        left = max_bytes + 1
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 20))
            except OSError as exc:
                raise UnreadableError(f"cannot read the file: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
               display: str | None = None) -> tuple[bytes | None, list[Diagnostic]]:
    """Read a regular file, refusing it when it is larger than ``max_bytes`` (without reading it
    all) or when it is not a regular file (without reading from it)."""
    name = display if display is not None else str(path)
    try:
        data = read_regular(path, max_bytes)
    except UnreadableError as exc:
        if exc.directory:
            message = "is a directory, not a rulebook file"
            hint = None
        elif exc.missing:
            message, hint = exc.reason, "check the path"
        elif exc.reason.startswith("is "):
            message = exc.reason
            hint = "a rulebook is a regular file: copy it to one first"
        else:
            message, hint = exc.reason, "check that the file exists and that you may read it"
        return None, [Diagnostic.at("PE011", Severity.ERROR, message, None, file=name,
                                    hint=hint)]
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
    line, column, end_line, end_column = source.positions(start, end)
    return new_span(source.path, line, column, end_line, end_column)
