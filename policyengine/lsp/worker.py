"""Lint in a process of its own, so that the language server's process keeps its interpreter
(and its GIL) for answering requests while a large rulebook is being linted.

One worker process, started with ``spawn`` on first use, takes one job at a time over a pipe:
the text of a document and how to lint it; it sends back the :class:`Snapshot` of that text
(diagnostics, model, index). The server sends only the latest text of a document; a job whose
text has been superseded is either left to finish (its result is dropped by the caller) or,
when it has already run for a while, ended by killing the worker, which the next job starts
again. A worker that crashes is started again for the next job; one that does not answer
within the job's time limit (a solver that does not stop) is killed, and the job fails with
:class:`WorkerHung`. :meth:`LintWorker.stop` ends the worker and reaps it (no zombie).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import itertools
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Callable

from .snapshot import Snapshot


@dataclass(frozen=True)
class Job:
    """What the worker needs to lint one text as ``policyengine lint`` would."""

    text: str
    name: str
    version: int | None
    logic: bool
    config: Any
    solver_timeout: float | None
    analysis_budget: float | None
    as_of: _dt.date | None = None


_WARM_UP = """policy: {id: warm-up, title: Warm up, version: 1.0.0, effective: 2026-01-01,
  owners: [a@example.com]}
facts: {amount: {type: double}}
ladder: {levels: [{id: one, title: One, role: r, decide_within: 5bd}]}
authority: {r: {hold: true}}
actions: {hold: {title: Hold}}
categories:
  - {id: c, title: C, class: commercial, when: amount > 1.0, thresholds: [{otherwise: one}]}
remedies: []
"""


class WorkerError(Exception):
    """The worker could not give a result for a job."""


class WorkerGone(WorkerError):
    """The worker process ended (it crashed, was killed, or was stopped) before answering."""


class WorkerHung(WorkerError):
    """The worker did not answer within the job's time limit; it was killed."""


class WorkerFailed(WorkerError):
    """The analysis raised an exception inside the worker (our own defect)."""


def run_job(job: Job) -> Snapshot:
    """The analysis of one job (what the worker process runs), in the form it travels in."""
    from .snapshot import analyse

    return portable(analyse(job.text, job.name, version=job.version, logic=job.logic,
                            as_of=job.as_of, config=job.config,
                            solver_timeout=job.solver_timeout,
                            analysis_budget=job.analysis_budget))


def portable(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` in the form that travels back to the server quickly: the model and the
    source map (large object graphs, seconds to unpickle on a 1,000-category rulebook, and
    the compiled form does not pickle at all) replaced by what the server's features read of
    them, made here once: the hover texts and the outline."""
    from . import features

    snapshot.words = features.hover_table(snapshot)
    snapshot.symbols = features.document_symbols(snapshot)
    snapshot.result = None
    return snapshot


def serve_jobs(conn: Connection, handler: Callable[[Any], Any] = run_job) -> None:
    """The worker process's loop: receive ``(job id, job)``, send back ``(job id, result,
    error)``; end when the pipe closes or ``None`` arrives."""
    # the server's standard output carries the protocol: nothing the analysis prints may
    # reach it
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if handler is run_job:  # ready before the first edit: the lint's modules imported
        try:
            run_job(Job(_WARM_UP, "warm-up.yaml", None, False, None, None, None))
        except Exception:
            pass
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job_id, job = message
        try:
            reply: tuple[int, Any, str | None] = (job_id, handler(job), None)
        except Exception as exc:  # reported to the server, which logs it
            reply = (job_id, None, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # a result that does not pickle
            conn.send((job_id, None, f"{type(exc).__name__}: {exc}"))


class LintWorker:
    """The server's side of the worker process (used from the server's event loop)."""

    def __init__(self, target: Callable[[Connection], None] = serve_jobs,
                 on_start: Callable[[int], None] | None = None) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._target = target
        self._on_start = on_start
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ids = itertools.count(1)
        self._lock: asyncio.Lock | None = None
        self._waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policyengine-wait")
        self._guard = threading.Lock()
        self.busy_since: float | None = None  # when the job in the worker was sent
        self._watched: BaseProcess | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> tuple[BaseProcess, Connection]:
        with self._guard:
            if self._proc is not None and self._proc.is_alive() and self._conn is not None:
                return self._proc, self._conn
            self._reap()
            parent, child = self._ctx.Pipe(duplex=True)
            proc = self._ctx.Process(target=self._target, args=(child,),
                                     name="policyengine-lint", daemon=True)
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
            self.starts += 1
        if self._on_start is not None and proc.pid is not None:
            if self._loop is not None:  # called on the waiter thread: tell the loop's
                self._loop.call_soon_threadsafe(self._on_start, proc.pid)
            else:
                self._on_start(proc.pid)
        return proc, parent

    def prestart(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the worker now, in the background (it imports the lint's modules before the
        first document arrives)."""
        self._loop = loop
        self._waiter.submit(self._start)

    def _reap(self) -> None:
        """End the worker process, if any, and wait for it (called with the guard held)."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
        if conn is not None:
            conn.close()

    def _exited(self, loop: asyncio.AbstractEventLoop, proc: BaseProcess) -> None:
        loop.remove_reader(proc.sentinel)
        if self._watched is proc:
            self._watched = None
        if proc is self._proc and self.busy_since is None:
            self.kill()  # a job in it learns of it by itself

    def kill(self) -> None:
        """End the job in the worker now (the worker starts again for the next job)."""
        with self._guard:
            self._reap()

    async def run(self, job: Any, timeout: float,
                  on_sent: Callable[[], None] | None = None) -> Any:
        """The worker's result for ``job``, one job at a time. Raises :class:`WorkerGone` when
        the worker ended before answering, :class:`WorkerHung` after ``timeout`` seconds
        (the worker is killed), :class:`WorkerFailed` when the analysis raised. ``on_sent``
        is called when the job has gone to the worker (after the jobs before it)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            loop = self._loop = asyncio.get_running_loop()
            proc, conn = await loop.run_in_executor(self._waiter, self._start)
            if self._watched is not proc:
                # a worker that dies between jobs is reaped at once, not left a zombie
                self._watched = proc
                loop.add_reader(proc.sentinel, self._exited, loop, proc)
            job_id = next(self._ids)
            try:
                conn.send((job_id, job))
                self.busy_since = time.monotonic()
                if on_sent is not None:
                    on_sent()
                reply = await loop.run_in_executor(
                    self._waiter, _receive, conn, proc, timeout)
            except asyncio.CancelledError:
                # the caller no longer wants this result, which would otherwise arrive as the
                # answer to the next job: end the worker with its job
                self.kill()
                raise
            except (EOFError, OSError) as exc:
                self.kill()
                raise WorkerGone(f"the lint worker ended ({_exit(proc)})") from exc
            finally:
                self.busy_since = None
            if reply is None:
                self.kill()
                raise WorkerHung(f"the lint worker did not answer within {timeout:g} s; "
                                 "it was stopped")
            got_id, result, error = reply
            if got_id != job_id:  # cannot happen: one job at a time
                self.kill()
                raise WorkerGone("the lint worker answered another job")
            if error is not None:
                raise WorkerFailed(error)
            return result

    def stop(self) -> None:
        """End the worker (asking it first) and reap it."""
        with self._guard:
            conn, proc = self._conn, self._proc
            if conn is not None and proc is not None and proc.is_alive():
                try:
                    conn.send(None)
                except (EOFError, OSError):
                    pass
                proc.join(1)
            self._reap()
        self._waiter.shutdown(wait=False, cancel_futures=True)


def _receive(conn: Connection, proc: BaseProcess, timeout: float) -> Any:
    """The reply on ``conn`` (None when none came within ``timeout``); raises EOFError when
    the process ended first."""
    ready = multiprocessing.connection.wait([conn, proc.sentinel], timeout)
    if conn in ready:
        return conn.recv()
    if ready:
        raise EOFError("the worker process ended")
    return None


def _exit(proc: BaseProcess) -> str:
    proc.join(1)
    code = proc.exitcode
    if code is None:
        return "still running"
    return f"signal {-code}" if code < 0 else f"exit status {code}"
