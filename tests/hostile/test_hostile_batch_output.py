"""Root causes 2, 9 and 10 (and 3, 4, 17 in a batch): where a batch writes, what a failed or
interrupted batch leaves, and that N lines in give N records out, in order."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_support import ACME, AS_OF, GOOD, assert_no_defect, command, hostile_lines, invoke
from policyengine.cli import output

LINE = json.dumps(GOOD).encode() + b"\n"


def batch(inp: os.PathLike | str, out: os.PathLike | str, *more: str):
    return invoke("evaluate", str(ACME), "--input", str(inp), "--output", str(out),
                  "--as-of", AS_OF, *more)


def partials(folder) -> list[str]:
    return [n for n in os.listdir(folder) if n.endswith(".partial")]


# -- 2: what the output may be -------------------------------------------------------------
def test_output_equal_to_input_is_refused_by_name_link_and_hard_link(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 3)
    os.link(inp, tmp_path / "hard.jsonl")
    os.symlink(inp, tmp_path / "soft.jsonl")
    for out in ("in.jsonl", "hard.jsonl", "soft.jsonl"):
        res = batch(inp, tmp_path / out)
        assert res.exit_code == 2
        assert "it is the input file" in res.stderr
        assert inp.read_bytes() == LINE * 3
    assert partials(tmp_path) == []


def test_output_a_folder_or_missing_folder_is_refused_before_any_work(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE)
    res = batch(inp, tmp_path)
    assert res.exit_code == 2 and "is a directory" in res.stderr
    assert "line(s)" not in res.stderr  # nothing was decided
    res = batch(inp, tmp_path / "nope" / "out.jsonl")
    assert res.exit_code == 2 and "no such folder" in res.stderr


def test_symlink_output_is_followed_and_stays_a_link(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 2)
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.jsonl"
    os.symlink(real, link)
    assert batch(inp, link).exit_code == 0
    assert os.path.islink(link)
    assert len(real.read_text().splitlines()) == 2
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640  # the file keeps its permissions
    dangling = tmp_path / "dangling.jsonl"
    os.symlink(tmp_path / "missing.jsonl", dangling)
    res = batch(inp, dangling)
    assert res.exit_code == 2 and "symbolic link to a file that does not exist" in res.stderr
    assert not (tmp_path / "missing.jsonl").exists()


def test_named_pipe_output_is_written_through_not_replaced(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 5)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    res = batch(inp, fifo)
    reader.join(60)
    assert res.exit_code == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got[0].splitlines()) == 5
    assert partials(tmp_path) == []


def test_character_device_output_is_written_through_not_replaced(tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device, in tmp_path
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 3)
    res = batch(inp, node)
    assert res.exit_code == 0, res.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode)  # still the device, not a regular file
    assert partials(tmp_path) == []


def test_new_regular_output_gets_the_usual_permissions(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE)
    out = tmp_path / "out.jsonl"
    assert batch(inp, out).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o666 & ~mask


def test_other_outputs_follow_the_same_rules(tmp_path):
    """render/graph -o, lint -o and test --junit share the sink."""
    link = tmp_path / "policy-link.yaml"
    os.symlink(ACME, link)
    res = invoke("render", str(ACME), "-o", str(link))
    assert res.exit_code == 2 and "it is the input file" in res.stderr
    res = invoke("lint", str(ACME), "-o", str(ACME))
    assert res.exit_code == 2 and "it is the input file" in res.stderr
    res = invoke("graph", str(ACME), "-o", str(tmp_path))
    assert res.exit_code == 2 and "is a directory" in res.stderr
    assert ACME.read_text("utf-8").startswith("# yaml-language-server")


# -- 9: write errors -----------------------------------------------------------------------
class _FullDisk:
    """A file whose device fills up after ``room`` bytes (ENOSPC from the OS write)."""

    def __init__(self, fh, room: int):
        self._fh, self._room = fh, room

    def write(self, data: bytes) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)


def test_full_disk_is_exit_2_with_the_reason_and_no_file(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 600)  # more than one chunk
    real_fdopen = os.fdopen
    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode),
                                                                       4096))
    out = tmp_path / "DECISIONS.jsonl"
    res = batch(inp, out)
    assert res.exit_code == 2
    assert f"cannot write {out}: no space left on device" in res.stderr
    assert not out.exists() and partials(tmp_path) == []


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_file_size_limit_of_the_os_is_exit_2(tmp_path):
    import resource

    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 600)
    out = tmp_path / "out.jsonl"

    def limit():  # the OS refuses writes past 64 KiB (EFBIG); SIGXFSZ would kill instead
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    done = command("evaluate", ACME, "--input", inp, "--output", out, "--as-of", AS_OF,
                   preexec_fn=limit)
    assert done.returncode == 2, done.stderr
    assert b"cannot write" in done.stderr and b"file too large" in done.stderr
    assert not out.exists() and partials(tmp_path) == []


def test_closed_pipe_on_stdout_is_exit_2(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(LINE * 3000)
    proc = subprocess.Popen([sys.executable, "-m", "policyengine", "evaluate", str(ACME),
                             "--input", str(inp), "--output", "-", "--as-of", AS_OF],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # the reader goes away: EPIPE for real
    err = proc.stderr.read().decode()
    assert proc.wait(120) == 2, err
    assert "cannot write standard output: broken pipe" in err
    assert "Traceback" not in err and "Exception ignored" not in err


# -- 10: signals ---------------------------------------------------------------------------
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_mid_batch_removes_the_partial_file(tmp_path, sig, code):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "policyengine", "evaluate", str(ACME),
                             "--input", str(fifo), "--output", str(out), "--as-of", AS_OF],
                            stderr=subprocess.PIPE)
    with open(fifo, "wb") as feed:
        feed.write(LINE * 600)  # two chunks decided and written; the batch then waits
        feed.flush()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for work to be under way (not a timing test)
            names = partials(tmp_path)
            if names and os.path.getsize(tmp_path / names[0]) > 0:
                break
            time.sleep(0.05)
        assert partials(tmp_path), "the batch never started writing"
        proc.send_signal(sig)
        assert proc.wait(60) == code
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert f"interrupted by {signal.Signals(sig).name}" in err
    assert "nothing was written to" in err and "line(s) had been decided" in err
    assert partials(tmp_path) == [] and not out.exists()


# -- 3, 4, 17 in a batch: N lines in, N records out ------------------------------------------
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(lines=st.lists(st.one_of(hostile_lines, st.just(LINE.strip())), min_size=1, max_size=8))
def test_every_line_gets_its_record_in_order(tmp_path, lines):
    lines = [ln.replace(b"\n", b" ") for ln in lines]
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    res = batch(inp, out)
    assert res.exit_code in (0, 1), res.stderr
    # JSON Lines are separated by "\n" only: a record may hold U+2028, U+0085 or \x1c raw inside
    # a string (valid JSON), which str.splitlines() would take for line breaks
    records = [json.loads(x) for x in out.read_text("utf-8").split("\n") if x]
    assert [r["line"] for r in records] == list(range(1, len(lines) + 1))
    for raw, rec in zip(lines, records):
        if raw == LINE.strip():
            assert "decision" in rec
        else:
            assert "decision" in rec or rec["error"]["code"] in (
                "invalid_json", "invalid_facts", "policy_not_in_force", "unclassified",
                "evaluation_error")
    assert "internal error" not in res.stderr


def test_surrogate_line_among_good_lines_keeps_all_output(tmp_path):
    inp = tmp_path / "in.jsonl"
    bad = json.dumps({**GOOD, "x\ud800": 1, "kind": "pricing\udfff"}).encode()
    inp.write_bytes(LINE + bad + b"\n" + LINE)
    out = tmp_path / "out.jsonl"
    done = command("evaluate", ACME, "--input", inp, "--output", out, "--as-of", AS_OF)
    assert_no_defect(done)
    records = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [("decision" in r) for r in records] == [True, False, True]
    assert records[1]["error"]["code"] == "invalid_facts"


def test_bom_first_line_and_duplicate_keys_in_a_batch(tmp_path):
    inp = tmp_path / "in.jsonl"
    dup = b'{"kind": "mdf", "kind": "pricing", "amount": 1.0, "region": "NA", ' \
          b'"partner": {"tier": "gold"}}'
    inp.write_bytes(b"\xef\xbb\xbf" + LINE + dup + b"\n")
    out = tmp_path / "out.jsonl"
    assert batch(inp, out).exit_code == 1
    first, second = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert "decision" in first
    problem = second["error"]["problems"][0]
    assert second["error"]["code"] == "invalid_json" and "`kind` occurs twice" in \
        problem["message"]
