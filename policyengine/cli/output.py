"""Where a command writes its output: decided before any work, never somewhere the user did not
name, and never left half-written looking complete.

* a regular file, or a new one: written to a hidden ``.NAME.*.partial`` file beside it and
  renamed over it when every record is written (an interrupted or failed run leaves the old
  file untouched); the new file keeps the old one's permission bits;
* a symbolic link: followed to the regular file it names, which is replaced as above (the
  link itself stays a link); a link to nothing, or a chain that loops, is refused;
* a character device (a terminal, ``/dev/null``) or a named pipe: written straight through,
  never replaced (a temp-and-rename would replace the device node itself);
* a directory, a block device or a socket: refused before any work;
* the input file itself (by name, by link, or by hard link: the same inode): refused.

Write errors (a full disk, a closed pipe) become :class:`OutputError` with the file's name and
the system's reason in words; the caller exits 2.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from typing import BinaryIO


class OutputError(Exception):
    """The output cannot be opened or written: ``message`` says which and why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def reason(exc: OSError) -> str:
    """An OSError's reason in words: ``no space left on device``, ``broken pipe``."""
    text = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    return text[:1].lower() + text[1:] if text else "unknown error"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Sink:
    """An opened output: ``write`` bytes, then ``commit`` (or ``abort`` on any failure)."""

    def __init__(self, name: str, fh: BinaryIO, *, tmp: str | None = None,
                 target: str | None = None, mode: int | None = None, closes: bool = True):
        self.name = name
        self._fh = fh
        self._tmp = tmp
        self._target = target
        self._mode = mode
        self._closes = closes
        self.records = 0

    @property
    def replaces(self) -> bool:
        """Whether the output appears only at ``commit`` (a temp file renamed into place)."""
        return self._tmp is not None

    def write(self, data: bytes) -> None:
        try:
            self._fh.write(data)
        except OSError as exc:
            raise OutputError(f"cannot write {self.name}: {reason(exc)}") from None

    def commit(self) -> None:
        try:
            self._fh.flush()
            if self._tmp is not None:
                os.fsync(self._fh.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write {self.name}: {reason(exc)}") from None
        if self._tmp is not None:
            try:
                self._fh.close()
                if self._mode is not None:
                    os.chmod(self._tmp, self._mode)
                assert self._target is not None
                os.replace(self._tmp, self._target)
            except OSError as exc:
                raise OutputError(f"cannot write {self.name}: {reason(exc)}") from None
            self._tmp = None
        elif self._closes:
            try:
                self._fh.close()
            except OSError as exc:
                raise OutputError(f"cannot write {self.name}: {reason(exc)}") from None

    def abort(self) -> None:
        """Close without committing: a temp file is removed, the old output left untouched."""
        try:
            if self._closes or self._tmp is not None:
                self._fh.close()
        except OSError:
            pass
        finally:
            if self._tmp is not None:
                try:
                    os.unlink(self._tmp)
                except OSError:
                    pass
                self._tmp = None


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def open_sink(path: str, *, inputs: tuple[str, ...] = ()) -> Sink:
    """Open ``path`` (``-``: standard output) for writing as described above; raises
    :class:`OutputError` for everything that must be refused before any work."""
    if path == "-":
        return Sink("standard output", sys.stdout.buffer, closes=False)
    if "\0" in path:
        raise OutputError(f"cannot write {path!r}: the name contains a NUL character")
    try:
        lst: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        lst = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {reason(exc)}") from None
    target = path
    st = lst
    if lst is not None and stat.S_ISLNK(lst.st_mode):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise OutputError(f"cannot write {path}: it is a symbolic link to a file that does "
                              "not exist; name the file itself") from None
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {reason(exc)}") from None
        target = os.path.realpath(path)
    for name in inputs:
        if name == "-" or st is None:
            continue
        try:
            if _same_file(os.stat(name), st):
                raise OutputError(f"cannot write {path}: it is the input file {name}; "
                                  "write the output to another file")
        except OSError:
            continue
    if st is not None:
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise OutputError(f"cannot write {path}: it is a directory; name a file")
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            try:
                fh = open(path, "wb")  # noqa: SIM115 - closed by commit/abort
            except OSError as exc:
                raise OutputError(f"cannot write {path}: {reason(exc)}") from None
            return Sink(path, fh)
        if not stat.S_ISREG(mode):
            what = "a block device" if stat.S_ISBLK(mode) else "a socket" if \
                stat.S_ISSOCK(mode) else "not a regular file"
            raise OutputError(f"cannot write {path}: it is {what}; name a regular file")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {path}: no such folder {folder}")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                   suffix=".partial")
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise OutputError(f"cannot write {path}: {reason(exc)} (in {folder})") from None
        raise OutputError(f"cannot write {path}: {reason(exc)}") from None
    keep = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    return Sink(path, os.fdopen(fd, "wb"), tmp=tmp, target=target, mode=keep)


def write_text(path: str, text: str, *, inputs: tuple[str, ...] = ()) -> None:
    """Write a whole report to ``path`` with the rules above (atomic for a regular file)."""
    sink = open_sink(path, inputs=inputs)
    try:
        sink.write(text.encode("utf-8", errors="backslashreplace"))
        sink.commit()
    except BaseException:
        sink.abort()
        raise


__all__ = ["OutputError", "Sink", "open_sink", "reason", "write_text"]
