"""Batch evaluation: JSON Lines in, one record per line out, in order, in constant memory.

Output records: ``{"line": N, "decision": {...}}`` or ``{"line": N, "error": {"code", "problems"}}``.
The output is opened before any work (``cli/output.py`` decides how: a regular file is
written to a hidden ``.NAME.*.partial`` file beside it and renamed into place only when every
line is done; a device or pipe is written straight through), so an interrupted or failed run
never leaves a file that looks complete. SIGTERM and SIGINT remove the partial file and report
how many lines had been decided (exit 128 + the signal's number); ``kill -9`` cannot be caught
and leaves the hidden ``.partial`` file. A line whose decision meets a defect of ours is an
``internal_error`` record in its place, and the run exits 3. With ``--jobs N`` lines are decided by N worker processes, chunk by chunk.
"""

from __future__ import annotations

import collections
import itertools
import os
import stat
import sys
import threading
import datetime as _dt
from typing import Any, Iterable, Iterator

import click

from .common import load_or_exit

CHUNK = 256  # lines per task (bounded memory: at most 4 * jobs chunks in flight)

_POLICY: Any = None
_AS_OF: Any = None


def _init_worker(policy_path: str, as_of: _dt.date | None) -> None:
    global _POLICY, _AS_OF
    import signal

    # the parent handles Ctrl-C and SIGTERM (and terminates the workers)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _POLICY is None:
        from ..compile.pipeline import load_policy

        _POLICY = load_policy(policy_path)
    _AS_OF = as_of


def decide_line(item: tuple[int, bytes]) -> tuple[bytes, str | None, str | None, str | None]:
    """(record JSON bytes, category, level, error code) for one input line (the record format
    is :mod:`policyengine.decide.jsonlines`'s, shared with the service's batch endpoint)."""
    from ..decide.jsonlines import decide_line as decide

    number, raw = item
    outcome = decide(_POLICY, number, raw, _AS_OF)
    if outcome.decision is None:
        return outcome.to_bytes(), None, None, outcome.code
    return (outcome.to_bytes(), outcome.decision.category.id, outcome.decision.level.id, None)


#: what a chunk gives back: its records as one block of bytes (each line ended by a newline),
#: the lines decided, per category, per level, per refusal code, and the input bytes read
ChunkResult = tuple[bytes, int, dict[str, int], dict[str, int], dict[str, int], int]


def decide_chunk(chunk: tuple[int, list[bytes]]) -> ChunkResult:
    """Decide a chunk of lines (the line number of the first, the raw lines): one task for a
    worker process, one round trip per chunk, and everything a chunk can share done once
    per chunk (one block of output bytes, the counts already summed)."""
    first, lines = chunk
    out = []
    categories: dict[str, int] = {}
    levels: dict[str, int] = {}
    errors: dict[str, int] = {}
    width = 0
    for number, raw in enumerate(lines, first):
        record, category, level, error = decide_line((number, raw))
        out.append(record)
        width += len(raw)
        if error is None:
            assert category is not None and level is not None  # a decision has both
            categories[category] = categories.get(category, 0) + 1
            levels[level] = levels.get(level, 0) + 1
        else:
            errors[error] = errors.get(error, 0) + 1
    out.append(b"")
    return b"\n".join(out), len(lines), categories, levels, errors, width


def _windowed(chunks: Iterator[Any], window: threading.BoundedSemaphore) -> Iterator[Any]:
    for chunk in chunks:
        window.acquire()
        yield chunk


def _chunks(fh: Iterable[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the first line, up to ``size`` raw lines) of a binary stream, lines split
    on ``\n`` only."""
    it = iter(fh)
    first = 1
    while True:
        lines = list(itertools.islice(it, size))
        if not lines:
            return
        yield first, lines
        first += len(lines)


class _Interrupted(BaseException):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    raise _Interrupted(signum)


def _install_handlers() -> dict[int, Any]:
    """SIGTERM and SIGINT interrupt the batch cleanly (the partial output is removed); only
    possible in the main thread."""
    import signal

    old: dict[int, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            old[sig] = signal.signal(sig, _on_signal)
        except (ValueError, OSError):  # not the main thread
            pass
    return old


def _restore_handlers(old: dict[int, Any]) -> None:
    import signal

    for sig, handler in old.items():
        try:
            signal.signal(sig, handler)
        except (ValueError, OSError):
            pass


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def run_batch(ctx: click.Context, policy_path: str, input_path: str, output_path: str, *,
              as_of: _dt.date | None, jobs: int,
              progress: bool | None) -> int:
    global _POLICY, _AS_OF
    from .output import OutputError, open_sink

    if input_path != "-":
        try:
            infile = open(input_path, "rb")
        except OSError as exc:
            click.echo(f"policyengine: error: cannot read {input_path}: {exc.strerror}", err=True)
            return 2
    else:
        infile = sys.stdin.buffer  # type: ignore[assignment]  # a BinaryIO, read alike
    try:
        sink = open_sink(output_path, inputs=(input_path, policy_path))
    except OutputError as exc:
        click.echo(f"policyengine: error: {exc.message}", err=True)
        if infile is not sys.stdin.buffer:
            infile.close()
        return 2
    atomic = sink.replaces  # the output appears only when the batch is complete
    try:
        _POLICY = load_or_exit(ctx, policy_path)
    except BaseException:
        sink.abort()
        if infile is not sys.stdin.buffer:
            infile.close()
        raise
    _AS_OF = as_of
    size = None
    if input_path != "-":
        try:
            st = os.fstat(infile.fileno())
            size = st.st_size if stat.S_ISREG(st.st_mode) else None
        except OSError:
            size = None
    show = progress if progress is not None else (sys.stderr.isatty() and size is not None)
    counts: dict[str, collections.Counter[str]] = {
              "category": collections.Counter(), "level": collections.Counter(),
              "error": collections.Counter()}
    total = 0
    pool = None
    bar = None
    failure: str | None = None
    interrupted: int | None = None
    done = False
    handlers = _install_handlers()
    try:
        try:
            if jobs > 1:
                import multiprocessing

                pool = multiprocessing.get_context().Pool(
                    jobs, initializer=_init_worker,
                    initargs=(os.path.abspath(policy_path), as_of))
            if show:
                bar = click.progressbar(length=size or 0, file=sys.stderr, label="deciding",
                                        show_pos=False, show_percent=True)
                bar.__enter__()
            chunks = _chunks(infile, CHUNK)
            if pool is None:
                decided: Iterator[ChunkResult] = (decide_chunk(chunk) for chunk in chunks)
            else:
                # at most 4 chunks per worker in flight: the pool's feeder must not read the
                # whole input ahead of the writer (constant memory), and workers must never
                # wait for it
                window = threading.BoundedSemaphore(4 * jobs)
                decided = pool.imap(decide_chunk, _windowed(chunks, window))
            for data, n, categories, levels, errors, width in decided:
                if pool is not None:
                    window.release()
                sink.write(data)
                total += n
                counts["category"].update(categories)
                counts["level"].update(levels)
                counts["error"].update(errors)
                if bar is not None:
                    bar.update(width)
            sink.commit()
            done = True
        except OutputError as exc:
            failure = exc.message
        except OSError as exc:  # reading the input failed half-way
            from .output import reason

            failure = f"cannot read {input_path}: {reason(exc)}"
        except (_Interrupted, KeyboardInterrupt) as exc:
            import signal

            interrupted = exc.signum if isinstance(exc, _Interrupted) else signal.SIGINT
    finally:
        _restore_handlers(handlers)
        if bar is not None:
            bar.__exit__(None, None, None)
        if pool is not None:
            pool.terminate()
            pool.join()
        if infile is not sys.stdin.buffer:
            infile.close()
        if not done:
            sink.abort()  # never leave a partial file behind
    if failure is not None or interrupted is not None:
        where = (f"nothing was written to {sink.name}" if atomic else
                 f"{sink.name} holds the first records only")
        what = (f"interrupted by {_signal_name(interrupted)}" if interrupted is not None
                else f"error: {failure}")
        click.echo(f"policyengine: {what}; {total} line(s) had been decided: {where}",
                   err=True)
        return 128 + int(interrupted) if interrupted is not None else 2
    refused = sum(counts["error"].values())
    lines = [f"{total} line(s): {total - refused} decided, {refused} refused"]
    for key in ("category", "level", "error"):
        if counts[key]:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(counts[key].items()))
            lines.append(f"  by {key}: {parts}")
    click.echo("\n".join(lines), err=True)
    if counts["error"].get("internal_error"):
        click.echo("policyengine: some lines met an internal error (code `internal_error`): "
                   "please report this at the project's issue tracker, with those lines",
                   err=True)
        return 3
    return 1 if refused else 0
