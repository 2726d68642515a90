"""The help pages served without click (``policyengine/cli/entry.py``) are click's own answer:
the stored pages are a fresh rendering of the command tree, and for every help request, width,
environment and output failure the fast entry writes the same bytes, to the same stream, with
the same exit code as the click command line. Where it cannot know that, it must decline."""

from __future__ import annotations

import errno
import fcntl
import gettext
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
from importlib import metadata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.cli import _help_pages as stored
from policyengine.cli import entry, static_help

ROOT = Path(__file__).resolve().parents[2]
CLICK_MATCHES = metadata.version("click") == stored.CLICK
#: the same argument lists through the click command line, for the subprocess comparisons
CLICK_PATH = "import sys; from policyengine.cli.main import main; main(sys.argv[1:])"
FAST_PATH = "import sys; from policyengine.cli.entry import main; main(sys.argv[1:])"


@pytest.fixture(scope="module")
def rendered() -> static_help.Pages:
    return static_help.render()


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG",
                        entry.COMPLETE_VAR)}
    env.update(settings)
    return env


def _answer(args: tuple[str, ...], columns: int) -> tuple[str, str, int] | None:
    got = entry.static_answer(args, {"COLUMNS": str(columns)})
    if got is None:
        return None
    fd, text, code = got
    return (text, "", code) if fd == 1 else ("", text, code)


def test_the_stored_pages_are_a_fresh_rendering(rendered: static_help.Pages) -> None:
    if not CLICK_MATCHES:  # another click renders its own pages: the fast path stands aside
        assert entry.click_version() != stored.CLICK
        assert all(entry.static_answer(key, {"COLUMNS": "80"}) is None for key in stored.PAGES)
        return
    stale = sorted(" ".join(("policyengine",) + key) for key in set(rendered) | set(stored.PAGES)
                   if rendered.get(key) != stored.PAGES.get(key))
    assert not stale, (f"the help pages of {stale} are stale: run "
                       "`python -m policyengine.cli.static_help --write`")
    assert static_help.PAGES_FILE.read_text(encoding="utf-8") == static_help.source(rendered)


def test_every_help_request_of_the_tree_is_stored() -> None:
    keys = set(static_help.help_requests())
    assert keys == set(stored.PAGES)
    # the forms click answers with a page: each command's --help and -h, the lone groups
    assert {("--help",), ("-h",), (), ("evaluate", "--help"), ("ledger",),
            ("ledger", "add", "-h"), ("serve", "token", "list", "--help")} <= keys
    assert ("serve",) not in keys  # a group that runs when given alone is no help request


@pytest.mark.skipif(not CLICK_MATCHES, reason="the pages are of another click version")
def test_the_fast_answer_is_clicks_at_every_width(rendered: static_help.Pages) -> None:
    low, high = stored.COLUMNS
    # every request at the edges of the stored range and beyond it (click's formatter clamps
    # the width to 50..max_content_width-2; so must the lookup)
    for key in stored.PAGES:
        for columns in (1, 30, low - 1, low, low + 1, 80, high - 1, high, high + 1, 10_000):
            assert _answer(key, columns) == static_help.run_click(key, columns), (key, columns)
    # two pages at every width in between
    for key in (("--help",), ("lint", "--help")):
        for columns in range(low, high + 1):
            assert _answer(key, columns) == static_help.run_click(key, columns), (key, columns)


TOKENS = ["--help", "-h", "--version", "evaluate", "ledger", "add", "serve", "token", "list",
          "schema", "show", "lint", "bogus", "--as-of", "--format", "json", "-", "--"]


@pytest.mark.skipif(not CLICK_MATCHES, reason="the pages are of another click version")
@settings(max_examples=80, deadline=None)
@given(args=st.lists(st.sampled_from(TOKENS), max_size=4), columns=st.integers(1, 300))
def test_any_arguments_either_clicks_answer_or_none(args: list[str], columns: int) -> None:
    got = _answer(tuple(args), columns)
    if got is not None:
        assert got == static_help.run_click(tuple(args), columns)
    else:  # declined: only what is no stored help request
        assert tuple(args) not in stored.PAGES


@pytest.mark.skipif(not CLICK_MATCHES, reason="the pages are of another click version")
@pytest.mark.parametrize("value", ["", "0", "-3", "abc", " 90 ", "+90", "1_00", "90.0", "77"])
def test_columns_values_read_as_shutil_reads_them(value: str) -> None:
    """COLUMNS that is no positive integer: the terminal of sys.__stdout__, else 80."""
    key = ("evaluate", "--help")
    got = entry.static_answer(key, {"COLUMNS": value})
    assert got is not None
    fd, text, code = got
    assert (text, "", code) == static_help.run_click(key, environ={"COLUMNS": value})


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.text(max_size=6), st.integers(-5, 500).map(str)))
def test_terminal_columns_is_shutils(value: str) -> None:
    if "\0" in value:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", value)
        patch.setenv("LINES", "24")
        got = entry.terminal_columns(os.environ)
        assert got is None or got == shutil.get_terminal_size().columns


def _pty(columns: int) -> tuple[int, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, columns, 0, 0))
    return master, slave


@pytest.mark.parametrize("columns", [0, 60, 90, 140])
def test_terminal_columns_of_a_terminal(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    master, slave = _pty(columns)
    try:
        with open(slave, "w", closefd=False) as tty:
            monkeypatch.setattr(sys, "__stdout__", tty)
            got = entry.terminal_columns(os.environ)
            expected = shutil.get_terminal_size().columns
    finally:
        os.close(master)
        os.close(slave)
    assert got == (expected if columns else None)  # 0 columns: Python versions differ


LANGS = ["C", "POSIX", "C.UTF-8", "en_US.UTF-8", "en", "de", "de_DE", "de_DE.UTF-8", "german",
         "fr_FR.UTF-8@euro", "", ".", "..", "x/y", "sr@latin", "pt_BR"]
CATALOGUES = ["de", "de_DE", "de_DE.ISO8859-1", "en_US.UTF-8", "en", "fr_FR", "pt_BR"]


@settings(max_examples=150, deadline=None)
@given(env=st.dictionaries(st.sampled_from(["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]),
                           st.lists(st.one_of(st.sampled_from(LANGS), st.text(max_size=4)),
                                    min_size=1, max_size=3).map(":".join)),
       present=st.sets(st.sampled_from(CATALOGUES)), other=st.sets(st.sampled_from(CATALOGUES)),
       localedir_exists=st.booleans())
def test_untranslated_is_gettexts_answer(env: dict[str, str], present: set[str],
                                         other: set[str], localedir_exists: bool) -> None:
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as tmp:
        for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
            patch.delenv(name, raising=False)
        for name, value in env.items():
            if "\0" not in value:
                patch.setenv(name, value)
        localedir = os.path.join(tmp, "locale")
        if localedir_exists:
            for lang in present | other:
                os.makedirs(os.path.join(localedir, lang, "LC_MESSAGES"))
            for lang in present:  # click's domain; other domains beside it do not count
                Path(localedir, lang, "LC_MESSAGES", "messages.mo").write_bytes(b"")
            for lang in other:
                Path(localedir, lang, "LC_MESSAGES", "other.mo").write_bytes(b"")
        assert entry.untranslated(os.environ, localedir) == (
            gettext.find("messages", localedir) is None)


def test_click_version_is_the_installed_one() -> None:
    assert entry.click_version() == metadata.version("click")


def test_completion_and_unknown_arguments_go_to_click() -> None:
    assert entry.static_answer(["--help"], {entry.COMPLETE_VAR: "bash_complete"}) is None
    assert entry.static_answer(["evaluate", "--help", "x"], {}) is None
    assert entry.static_answer(["--version"], {}) is None


# -- the real processes -----------------------------------------------------------------------
def _run(code: str, args: list[str], env: dict[str, str], **kw: object
         ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, timeout=120,
                          **kw)


@pytest.mark.parametrize("args", [["--help"], [], ["evaluate", "-h"], ["ledger", "add", "--help"],
                                  ["serve", "token"], ["schema", "--help"], ["serve", "--help"]])
@pytest.mark.parametrize("settings_", [{}, {"COLUMNS": "120"}, {"COLUMNS": "61"},
                                       {"LANG": "C.UTF-8"}, {"LANGUAGE": "de:fr", "LANG": "de"},
                                       {"POLICYENGINE_TOKENS": "tokens.txt", "NO_COLOR": "1"}])
def test_the_processes_write_the_same_bytes(args: list[str], settings_: dict[str, str]) -> None:
    env = _env(**settings_)
    fast = _run(FAST_PATH, args, env, capture_output=True)
    slow = _run(CLICK_PATH, args, env, capture_output=True)
    assert (fast.stdout, fast.stderr, fast.returncode) == (
        slow.stdout, slow.stderr, slow.returncode)
    assert fast.stdout or fast.stderr


@pytest.mark.parametrize("columns", [0, 72, 100])
def test_on_a_terminal_the_same_bytes(columns: int) -> None:
    outputs = []
    for code in (FAST_PATH, CLICK_PATH):
        master, slave = _pty(columns)
        try:
            done = _run(code, ["lint", "--help"], _env(), stdout=slave, stderr=subprocess.PIPE)
            os.close(slave)
            chunks = []
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the terminal's other side is closed
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(master)
        outputs.append((b"".join(chunks), done.stderr, done.returncode))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].startswith(b"Usage: policyengine lint")


@pytest.mark.parametrize("args, stream", [(["--help"], "stdout"), ([], "stderr")])
def test_a_closed_pipe_ends_the_same(args: list[str], stream: str) -> None:
    results = []
    for code in (FAST_PATH, CLICK_PATH):
        read, write = os.pipe()
        os.close(read)  # the reader has left
        other = "stderr" if stream == "stdout" else "stdout"
        try:
            done = _run(code, args, _env(), **{stream: write, other: subprocess.PIPE})
        finally:
            os.close(write)
        results.append((getattr(done, other), done.returncode))
    assert results[0] == results[1]
    if stream == "stdout":
        assert results[0] == (b"policyengine: error: cannot write standard output: broken pipe\n",
                              2)
    else:
        assert results[0][1] == 2  # nothing can be said on a broken standard error


def test_a_closed_descriptor_ends_the_same() -> None:
    """Standard output closed when Python starts (``>&-``): sys.stdout is None; click writes
    nothing, and neither path may end in a traceback."""
    results = []
    for code in (FAST_PATH, CLICK_PATH):
        done = _run(code, ["--help"], _env(), stderr=subprocess.PIPE,
                    preexec_fn=lambda: os.close(1))
        results.append((done.stderr, done.returncode))
    assert results[0] == results[1] == (b"", 0)


class _Full(io.RawIOBase):
    """A stream whose writes fail (as a full disk's do) until its descriptor is asked for: the
    command line then points the descriptor elsewhere (``main._silence_stdout``), so here the
    writes after that succeed."""

    def __init__(self, number: int, fd: int) -> None:
        self.number = number
        self.fd = fd
        self.failing = True

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        self.failing = False
        return self.fd

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.failing:
            raise OSError(self.number, os.strerror(self.number))
        return len(data)


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EBADF])
def test_a_failed_write_ends_the_same(number: int, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    from policyengine.cli.main import main as click_main

    results = []
    for run in (entry.main, click_main):
        written = io.BytesIO()
        err = io.TextIOWrapper(written, encoding="utf-8")
        full = _Full(number, os.open(tmp_path / f"out-{len(results)}", os.O_WRONLY | os.O_CREAT))
        out = io.TextIOWrapper(io.BufferedWriter(full), encoding="utf-8")
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            with pytest.raises(SystemExit) as exit_:
                run(["--help"])
            err.flush()
        full.failing = False  # what is left is flushed when the stream is collected
        os.close(full.fd)
        results.append((written.getvalue(), exit_.value.code))
    assert results[0] == results[1]
    if number == errno.EBADF:  # no write error: our own defect, reported as such
        assert results[0][1] == 3 and b"internal error" in results[0][0]
    else:
        reason = os.strerror(number)
        assert results[0] == (("policyengine: error: cannot write standard output: "
                               f"{reason[:1].lower() + reason[1:]}\n").encode(), 2)
