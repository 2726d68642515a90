"""The batch's reader, its worker processes and its memory: chunks of whole lines whatever the
stream hands over, --jobs N giving the bytes of one process, a worker that dies or a signal
ending the run cleanly (no traceback, no partial file), and memory that does not grow with
the input (measured, not timed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.cli import batch
from policyengine.cli.main import cli
from policyengine.decide import jsonlines

ROOT = Path(__file__).resolve().parents[2]
ACME = str(ROOT / "policies" / "acme-channel-conflict.yaml")
EXAMPLES = sorted((ROOT / "examples").glob("acme-channel-conflict--*.json"))
LINES = [json.dumps(json.loads(p.read_text("utf-8"))).encode() for p in EXAMPLES]


class _Trickle:
    """A stream that hands over its bytes in the sizes given (a pipe, a slow writer)."""

    def __init__(self, data: bytes, sizes: list[int]):
        self.data, self.sizes, self.at = data, sizes, 0

    def read1(self, n: int) -> bytes:
        size = min(n, self.sizes[self.at % len(self.sizes)] if self.sizes else n)
        piece = self.data[self.at:self.at + size]
        self.at += len(piece)
        return piece


@settings(max_examples=200, deadline=None)
@given(data=st.lists(st.sampled_from([b"a", b"\n", b"bc", b"\r", b"\xe2\x80\xa8", b"{}"]),
                     max_size=40).map(b"".join),
       sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5), block=st.integers(1, 9))
def test_chunks_are_whole_lines_numbered_from_one(data, sizes, block):
    chunks = list(batch._chunks(_Trickle(data, sizes), block))
    assert b"".join(c for _, c in chunks) == data
    want = jsonlines.split_block(data) if data else []
    got = [line for _, c in chunks for line in jsonlines.split_block(c)]
    assert got == want
    number = 1
    for i, (first, chunk) in enumerate(chunks):
        assert chunk and first == number
        assert chunk.endswith(b"\n") or i == len(chunks) - 1
        number += len(jsonlines.split_block(chunk))


def _write(path: Path, count: int) -> Path:
    path.write_bytes(b"".join(LINES[i % len(LINES)] + b"\n" for i in range(count)))
    return path


def _run(*args: str):
    return CliRunner().invoke(cli, ["evaluate", ACME, *args, "--as-of", "2026-11-22"])


def test_jobs_give_the_bytes_of_one_process_over_many_small_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "BLOCK", 2048)  # many chunks, so the window fills and drains
    src = _write(tmp_path / "in.jsonl", 400)
    outs = []
    for jobs in ("1", "2", "3"):
        out = tmp_path / f"out{jobs}.jsonl"
        res = _run("--input", str(src), "--output", str(out), "--jobs", jobs)
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    assert len(outs[0].split(b"\n")) == 401


def test_a_worker_that_dies_is_a_clear_error_and_no_output(tmp_path, monkeypatch):
    parent = os.getpid()
    real = jsonlines.decide_chunk

    def dies(policy, first, block, as_of):  # the worker is killed, as by the OOM killer
        if os.getpid() != parent and first > 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(policy, first, block, as_of)

    monkeypatch.setattr(jsonlines, "decide_chunk", dies)  # forked workers inherit it
    monkeypatch.setattr(batch, "BLOCK", 4096)
    src = _write(tmp_path / "in.jsonl", 200)
    out = tmp_path / "out.jsonl"
    res = _run("--input", str(src), "--output", str(out), "--jobs", "2")
    assert res.exit_code == 3
    assert "a worker process stopped without finishing its lines" in res.output
    assert "nothing was written to" in res.output
    assert "Traceback" not in res.output
    assert sorted(os.listdir(tmp_path)) == ["in.jsonl"]


def test_an_error_in_a_worker_is_an_internal_error_without_traceback(tmp_path, monkeypatch):
    def fails(policy, first, block, as_of):
        raise MemoryError("no room")

    monkeypatch.setattr(jsonlines, "decide_chunk", fails)
    src = _write(tmp_path / "in.jsonl", 20)
    out = tmp_path / "out.jsonl"
    for jobs in ("1", "2"):
        res = _run("--input", str(src), "--output", str(out), "--jobs", jobs)
        assert res.exit_code == 3, res.output
        assert "internal error: MemoryError: no room" in res.output
        assert "Traceback" not in res.output
        assert sorted(os.listdir(tmp_path)) == ["in.jsonl"]


@pytest.mark.parametrize("how", ["SIGTERM to the batch", "Ctrl-C to the process group"])
def test_a_signal_stops_the_workers_and_removes_the_partial_file(tmp_path, how):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "policyengine", "evaluate", ACME, "--input",
                             str(fifo), "--output", str(out), "--as-of", "2026-11-22",
                             "--jobs", "2"], stderr=subprocess.PIPE, start_new_session=True)
    with open(fifo, "wb") as feed:
        feed.write(b"".join(line + b"\n" for line in LINES) * 100)  # decided, written; it waits
        feed.flush()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for work to be under way (not a timing test)
            names = [n for n in os.listdir(tmp_path) if n.endswith(".partial")]
            if names and os.path.getsize(tmp_path / names[0]) > 0:
                break
            time.sleep(0.05)
        assert names and os.path.getsize(tmp_path / names[0]) > 0, "nothing was written"
        if how.startswith("SIGTERM"):
            proc.send_signal(signal.SIGTERM)
            code, name = 143, "SIGTERM"
        else:  # a terminal sends SIGINT to every process of the foreground group
            os.killpg(proc.pid, signal.SIGINT)
            code, name = 130, "SIGINT"
        assert proc.wait(60) == code
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert f"interrupted by {name}" in err and "nothing was written to" in err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["in.fifo"]
    try:  # no worker outlives the batch: the session holds no process any more
        os.killpg(proc.pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_memory_does_not_grow_with_the_input(tmp_path, monkeypatch, jobs):
    """The parent holds at most a window of chunks, whatever the input's length: the peak of
    traced memory with 16 times the input stays within what one small run needs. (Memory is
    measured, not time; chunks made small so that the window is a small part of the input.)"""
    monkeypatch.setattr(batch, "BLOCK", 2048)
    small = _write(tmp_path / "small.jsonl", 60)
    large = _write(tmp_path / "large.jsonl", 960)
    out = tmp_path / "out.jsonl"
    peaks = []
    for src in (small, small, large):  # the first run fills what any run fills once
        tracemalloc.start()
        try:
            res = _run("--input", str(src), "--output", str(out), "--jobs", jobs)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert res.exit_code == 0, res.output
        peaks.append(peak)
    output = out.stat().st_size  # about 2 MB of records: holding them would show
    assert output > 1_500_000
    assert peaks[2] - peaks[1] < output / 8, peaks

