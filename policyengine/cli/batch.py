"""Batch evaluation: JSON Lines in, one record per line out, in order, in constant memory.

Output records: ``{"line": N, "decision": {...}}`` or ``{"line": N, "error": {"code", "problems"}}``.
The output is written to a hidden ``.NAME.partial-*`` file beside the target and renamed into
place only when every line is done, so an interrupted run never leaves a file that looks
complete. With ``--jobs N`` lines are decided by N worker processes, chunk by chunk.
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
import threading
from typing import Any, Iterator

import click

from .common import load_or_exit

CHUNK = 256  # lines per task (bounded memory: at most 4 * jobs chunks in flight)

_POLICY: Any = None
_AS_OF: Any = None


def _init_worker(policy_path: str, as_of) -> None:
    global _POLICY, _AS_OF
    if _POLICY is None:
        from ..pipeline import load_policy

        _POLICY = load_policy(policy_path)
    _AS_OF = as_of


def decide_line(item: tuple[int, bytes]) -> tuple[str, str | None, str | None, str | None]:
    """(record JSON, category, level, error code) for one input line (the record format is
    :mod:`policyengine.jsonlines`'s, shared with the service's batch endpoint)."""
    from ..jsonlines import decide_line as decide

    number, raw = item
    outcome = decide(_POLICY, number, raw, _AS_OF)
    if outcome.decision is None:
        return outcome.to_json(), None, None, outcome.code
    return (outcome.to_json(), outcome.decision.category.id, outcome.decision.level.id, None)


def decide_chunk(chunk: list[tuple[int, bytes]]) -> list[tuple]:
    """``decide_line`` for each line of a chunk, with each line's width in bytes (one task for
    a worker process: one round trip per chunk, not per line)."""
    return [(*decide_line(item), len(item[1])) for item in chunk]


def _windowed(chunks: Iterator[list], window: threading.BoundedSemaphore) -> Iterator[list]:
    for chunk in chunks:
        window.acquire()
        yield chunk


def _lines(fh) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(fh, 1):
        yield number, raw


def _chunks(it: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in it:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_batch(ctx, policy_path: str, input_path: str, output_path: str, *, as_of, jobs: int,
              progress: bool | None) -> int:
    global _POLICY, _AS_OF
    _POLICY = load_or_exit(ctx, policy_path)
    _AS_OF = as_of
    try:
        infile = sys.stdin.buffer if input_path == "-" else open(input_path, "rb")
    except OSError as exc:
        click.echo(f"policyengine: error: cannot read {input_path}: {exc.strerror}", err=True)
        return 2
    size = None
    if input_path != "-":
        try:
            size = os.fstat(infile.fileno()).st_size
        except OSError:
            size = None
    if output_path == "-":
        out, tmp_name = sys.stdout, None
    else:
        target = os.path.abspath(output_path)
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            click.echo(f"policyengine: error: no such folder for the output: {folder}", err=True)
            return 2
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                        suffix=".partial")
        out = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    show = progress if progress is not None else (sys.stderr.isatty() and size is not None)
    counts = {"category": collections.Counter(), "level": collections.Counter(),
              "error": collections.Counter()}
    total = 0
    pool = None
    bar = None
    try:
        if jobs > 1:
            import multiprocessing

            pool = multiprocessing.get_context().Pool(
                jobs, initializer=_init_worker, initargs=(os.path.abspath(policy_path), as_of))
        if show:
            bar = click.progressbar(length=size or 0, file=sys.stderr, label="deciding",
                                    show_pos=False, show_percent=True)
            bar.__enter__()
        chunks = _chunks(_lines(infile), CHUNK)
        if pool is None:
            decided = (decide_chunk(chunk) for chunk in chunks)
        else:
            # at most 4 chunks per worker in flight: the pool's feeder must not read the whole
            # input ahead of the writer (constant memory), and workers must never wait for it
            window = threading.BoundedSemaphore(4 * jobs)
            decided = pool.imap(decide_chunk, _windowed(chunks, window))
        for results in decided:
            if pool is not None:
                window.release()
            for record, category, level, error, width in results:
                out.write(record)
                out.write("\n")
                total += 1
                if error is None:
                    counts["category"][category] += 1
                    counts["level"][level] += 1
                else:
                    counts["error"][error] += 1
                if bar is not None:
                    bar.update(width)
        out.flush()
        if tmp_name is not None:
            os.fsync(out.fileno())
            out.close()
            os.replace(tmp_name, target)
            tmp_name = None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        if pool is not None:
            pool.terminate()
            pool.join()
        if infile is not sys.stdin.buffer:
            infile.close()
        if tmp_name is not None:  # interrupted or failed: never leave a partial file behind
            try:
                out.close()
            finally:
                os.unlink(tmp_name)
    refused = sum(counts["error"].values())
    lines = [f"{total} line(s): {total - refused} decided, {refused} refused"]
    for key in ("category", "level", "error"):
        if counts[key]:
            parts = ", ".join(f"{k} {v}" for k, v in sorted(counts[key].items()))
            lines.append(f"  by {key}: {parts}")
    click.echo("\n".join(lines), err=True)
    return 1 if refused else 0
