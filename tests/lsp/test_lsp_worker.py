"""Lint in a worker process: the server answers while a lint runs, survives its worker's
crash, ends a worker that hangs, and leaves no process behind when it exits."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import os
import re
import signal
import sys
import time

import pytest
from lsprotocol import types as t

from policyengine.lsp.worker import (Job, LintWorker, WorkerFailed, WorkerGone, WorkerHung,
                                     run_job, serve_jobs)

from .lsp_helpers import ACME, ROOT, Editor

pytestmark = pytest.mark.asyncio

_STARTED = re.compile(r"lint worker started \(process (\d+)\)")


def _generate(n: int) -> str:
    """The benchmarks' generated rulebook of ``n`` categories."""
    spec = importlib.util.spec_from_file_location("bench_lint", ROOT / "benchmarks" /
                                                  "bench_lint.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.generate(n))


def _worker_pids(client) -> list[int]:
    return [int(m.group(1)) for m in (_STARTED.search(x.message) for x in client.log_messages)
            if m]


def _gone(pid: int) -> bool:
    """No such process (a zombie would still be listed)."""
    return not os.path.exists(f"/proc/{pid}")


async def _until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_hover_is_answered_while_a_lint_runs(client, tmp_path):
    text = _generate(150)
    ed = Editor(client, tmp_path / "big.yaml", text)
    await ed.diagnostics(timeout=120)
    events: list[str] = []
    seen = len(client.published)

    def published() -> bool:
        return any(p.version == 3 for p in client.published[seen:])

    # an edit whose lint takes a while; the server has sent it to the worker once the
    # debounce has passed, and the hover asked after that must not wait for it
    ed.replace("title: Generated", "title: Generated!")
    ed.replace("title: Generated!", "title: Generated!!")
    await asyncio.sleep(0.2)
    assert not published()  # the lint of the edit is still running
    hover = await client.text_document_hover_async(t.HoverParams(
        ed.doc, ed.position("level: regional", 9)))
    events.append("hover")
    assert hover is not None and "**level `regional`**" in hover.contents.value
    completion = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, ed.position('region == "', 11)))
    events.append("completion")
    assert completion is not None and "EMEA" in [i.label for i in completion.items]
    await _until(published, 120)
    events.append("diagnostics")
    assert events == ["hover", "completion", "diagnostics"]


async def test_a_crashed_worker_is_started_again(client, tmp_path):
    ed = Editor(client, tmp_path / "acme.yaml", ACME.read_text("utf-8"))
    await ed.diagnostics()
    [first] = _worker_pids(client)
    os.kill(first, signal.SIGKILL)
    await _until(lambda: _gone(first))  # reaped: not a zombie either
    ed.replace("level: regional}", "level: regionl}", 1)
    found = await ed.diagnostics()
    assert [d.code for d in found] == ["PE202"]
    pids = _worker_pids(client)
    assert len(pids) == 2 and pids[1] != first
    assert not [m.message for m in client.log_messages if "internal error" in m.message]


async def test_no_worker_is_left_after_exit(tmp_path):
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("test", "1")
    messages: list[str] = []

    @client.feature(t.WINDOW_LOG_MESSAGE)
    def _log(params: t.LogMessageParams) -> None:
        messages.append(params.message)

    published: list[t.PublishDiagnosticsParams] = []

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diags(params: t.PublishDiagnosticsParams) -> None:
        published.append(params)

    await client.start_io(sys.executable, "-m", "policyengine", "lsp")
    await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities()))
    client.initialized(t.InitializedParams())
    uri = (tmp_path / "acme.yaml").as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri, "yaml", 1, ACME.read_text("utf-8"))))
    await _until(lambda: bool(published))
    [pid] = [int(m.group(1)) for m in map(_STARTED.search, messages) if m]
    assert not _gone(pid)
    server = client._server
    assert server is not None
    await client.shutdown_async(None)
    client.exit(None)
    assert await asyncio.wait_for(server.wait(), 30) == 0
    await client.stop()
    await _until(lambda: _gone(pid), 10)


# -- the worker on its own: hangs, crashes and failures ---------------------------------------
async def test_a_hung_worker_is_killed_and_the_next_job_gets_a_new_one():
    worker = LintWorker(target=functools.partial(serve_jobs, handler=time.sleep))
    try:
        assert await worker.run(0.0, 30) is None
        pid = worker.pid
        assert pid is not None
        with pytest.raises(WorkerHung, match="did not answer within 0.5 s"):
            await worker.run(3600.0, 0.5)
        assert _gone(pid)
        assert await worker.run(0.0, 30) is None
        assert worker.pid != pid and worker.starts == 2
    finally:
        worker.stop()


async def test_a_worker_that_dies_in_a_job_and_one_whose_job_raises():
    worker = LintWorker(target=functools.partial(serve_jobs, handler=os._exit))
    try:
        with pytest.raises(WorkerGone, match="exit status 7"):
            await worker.run(7, 30)
    finally:
        worker.stop()
    failing = LintWorker(target=functools.partial(serve_jobs, handler=int))
    try:
        with pytest.raises(WorkerFailed, match="ValueError"):
            await failing.run("not a number", 30)
        assert await failing.run("12", 30) == 12  # the same worker goes on
        assert failing.starts == 1
    finally:
        failing.stop()


async def test_a_cancelled_job_ends_its_worker():
    worker = LintWorker(target=functools.partial(serve_jobs, handler=time.sleep))
    try:
        task = asyncio.ensure_future(worker.run(3600.0, 600))
        await _until(lambda: worker.busy_since is not None)
        pid = worker.pid
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pid is not None and _gone(pid)
        assert await worker.run(0.0, 30) is None  # no stale answer in the way
    finally:
        worker.stop()


async def test_the_analysis_travels_without_the_model():
    import pickle

    snapshot = run_job(Job(ACME.read_text("utf-8"), "acme.yaml", 4, False, None, None, None))
    back = pickle.loads(pickle.dumps(snapshot))
    assert back.result is None and back.version == 4
    assert back.lines.text == back.text
    assert back.words is not None and "**level `regional`**" in back.words[("level", "regional")]
    assert any(k[0] == "band" for k in back.words)
    assert [s.name for s in back.symbols or []][:1] == ["facts"]
