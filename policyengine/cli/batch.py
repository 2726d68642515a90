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
import datetime as _dt
import os
import stat
import sys
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import click

from .common import load_or_exit

if TYPE_CHECKING:
    from ..decide.jsonlines import ChunkResult

#: bytes of input per chunk: whole lines, so a chunk holds more when one line is longer
BLOCK = 1 << 16
#: chunks in flight per worker with ``--jobs N``: enough that no worker waits for the writer,
#: few enough that memory stays constant (input and records of 3 x N chunks at most)
WINDOW = 3

_POLICY: Any = None
_AS_OF: Any = None


def _init_worker(policy_path: str, as_of: _dt.date | None) -> None:
    """A worker process's start: the policy is loaded once (inherited from the parent where
    processes fork; loaded from the same path otherwise), Ctrl-C and SIGTERM left to the
    parent, which stops the workers."""
    global _POLICY, _AS_OF
    import gc
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _POLICY is None:
        from ..compile.pipeline import load_policy

        _POLICY = load_policy(policy_path)
    _AS_OF = as_of
    gc.freeze()  # the policy's objects are never garbage: the collector stops walking them


def decide_chunk(chunk: tuple[int, bytes]) -> ChunkResult:
    """Decide a chunk (the number of its first line, its whole lines as one block of bytes):
    one task for a worker process, one round trip per chunk, its records as one block of
    bytes and its counts already summed (:func:`policyengine.decide.jsonlines.decide_chunk`)."""
    from ..decide.jsonlines import decide_chunk as decide

    first, block = chunk
    return decide(_POLICY, first, block, _AS_OF)


def decide_line(item: tuple[int, bytes]) -> tuple[bytes, str | None, str | None, str | None]:
    """(record JSON bytes, category, level, error code) for one input line (the record format
    is :mod:`policyengine.decide.jsonlines`'s, shared with the service's batch endpoint)."""
    from ..decide.jsonlines import decide_line as decide

    number, raw = item
    outcome = decide(_POLICY, number, raw, _AS_OF)
    if outcome.decision is None:
        return outcome.to_bytes(), None, None, outcome.code
    return (outcome.to_bytes(), outcome.decision.category.id, outcome.decision.level.id, None)


def _chunks(fh: Any, size: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, whole lines) of a binary stream, lines ended by ``\n``
    only; each read takes what the stream has (up to ``size`` bytes: a pipe is not waited on
    until a block is full), and a line longer than a block is read on to its end."""
    read = getattr(fh, "read1", None) or fh.read
    size = size or BLOCK
    first = 1
    pending: list[bytes] = []  # the start of a line not ended yet
    while True:
        data = read(size)
        if not data:
            if pending:
                yield first, b"".join(pending)
            return
        cut = data.rfind(b"\n")
        if cut < 0:
            pending.append(data)
            continue
        if pending:
            pending.append(data[:cut + 1])
            block = b"".join(pending)
            pending = []
        else:
            block = data if cut == len(data) - 1 else data[:cut + 1]
        if cut < len(data) - 1:
            pending.append(data[cut + 1:])
        yield first, block
        first += block.count(b"\n")


class _WorkerLost(Exception):
    """A worker process stopped without giving its chunk back (killed, out of memory)."""


class _InOrder:
    """The chunks decided by the pool's workers, given back in input order as each is done.
    A reader thread reads and hands chunks to the pool while the caller writes, at most
    ``WINDOW * jobs`` in flight (the input is never read far ahead of the writer: constant
    memory), so a slow input (a pipe) does not hold back what is already decided."""

    def __init__(self, pool: Any, chunks: Iterator[tuple[int, bytes]], jobs: int):
        import queue
        import threading

        self._pool = pool
        self._chunks = chunks
        self._window = threading.BoundedSemaphore(WINDOW * jobs)
        self._handed: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._feed, name="policyengine-batch-reader",
                                        daemon=True)
        self._reader.start()

    def _feed(self) -> None:
        try:
            for chunk in self._chunks:
                self._window.acquire()
                if self._stop.is_set():
                    return
                self._handed.put(self._pool.submit(decide_chunk, chunk))
            self._handed.put(None)
        except BaseException as exc:  # reading failed (or the pool did): the caller raises it
            self._handed.put(exc)

    def __iter__(self) -> Iterator[ChunkResult]:
        from concurrent.futures.process import BrokenProcessPool

        while True:
            item = self._handed.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            try:
                result = item.result()
            except BrokenProcessPool:
                raise _WorkerLost() from None
            self._window.release()
            yield result

    def close(self) -> bool:
        """Stop the reader; whether it stopped (it may be waiting for a pipe's next bytes:
        then the input must not be closed under it, the process is about to end)."""
        self._stop.set()
        try:
            self._window.release()  # a reader waiting for room wakes up and stops
        except ValueError:
            pass
        self._reader.join(1.0)
        return not self._reader.is_alive()


def _start_pool(jobs: int, policy_path: str, as_of: _dt.date | None) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    # fork: the workers inherit the loaded policy (nothing loaded again, the same object)
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(policy_path, as_of))
    # the workers start now, from this thread alone (forking while the reader thread runs
    # could copy a lock it holds); a worker that cannot start breaks the pool here
    for ready in [pool.submit(os.getpid) for _ in range(jobs)]:
        ready.result()
    return pool


def _stop_pool(pool: Any, *, wait: bool) -> None:
    """Shut the pool down: on success after the workers finish; otherwise at once (what is
    queued is cancelled, the workers are terminated), then the pool's own thread is joined
    (left running, it could meet a closed pipe at exit and print a traceback)."""
    if wait:
        pool.shutdown(wait=True)
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())
    # shutdown(wait=False) forgets the pool's manager thread without joining it, and a second
    # shutdown cannot join it any more; left running, it closes its wake-up pipe while the
    # interpreter's exit hook (concurrent.futures' _python_exit) may still write to it
    # (CPython 3.11: "Exception ignored ... Bad file descriptor" after Ctrl-C). So it is taken
    # first and joined here, once the workers are gone.
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        if proc.is_alive():
            proc.terminate()
    for proc in workers:
        proc.join(10)
        if proc.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            proc.kill()
            proc.join(10)
    if manager is not None:
        manager.join(10)
    pool.shutdown(wait=True)


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
    defect = False
    interrupted: int | None = None
    done = False
    frozen = False
    parallel: _InOrder | None = None
    handlers = _install_handlers()
    try:
        try:
            import gc

            gc.freeze()  # the loaded policy is never garbage: the collector stops walking it
            frozen = True
            if jobs > 1:
                pool = _start_pool(jobs, policy_path, as_of)
            if show:
                bar = click.progressbar(length=size or 0, file=sys.stderr, label="deciding",
                                        show_pos=False, show_percent=True)
                bar.__enter__()
            chunks = _chunks(infile)
            if pool is None:
                decided: Iterable[ChunkResult] = (decide_chunk(chunk) for chunk in chunks)
            else:
                decided = parallel = _InOrder(pool, chunks, jobs)
            for data, n, categories, levels, errors, width in decided:
                sink.write(data)
                total += n
                counts["category"].update(categories)
                counts["level"].update(levels)
                counts["error"].update(errors)
                if bar is not None:
                    bar.update(width)
            if pool is not None:
                _stop_pool(pool, wait=True)
                pool = None
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
        except _WorkerLost:
            failure = ("a worker process stopped without finishing its lines (killed by a "
                       "signal or out of memory)")
            defect = True
        except Exception as exc:  # a defect of ours, in a worker or here: no traceback
            failure = f"internal error: {type(exc).__name__}: {exc}"
            defect = True
    finally:
        if frozen:
            gc.unfreeze()  # the caller's objects are collected as before (a test runner)
        _restore_handlers(handlers)
        if bar is not None:
            bar.__exit__(None, None, None)
        reader_stopped = parallel.close() if parallel is not None else True
        if pool is not None:
            _stop_pool(pool, wait=False)
        if infile is not sys.stdin.buffer and reader_stopped:
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
        if defect:
            click.echo("policyengine: please report this at the project's issue tracker",
                       err=True)
        return 128 + int(interrupted) if interrupted is not None else 3 if defect else 2
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
