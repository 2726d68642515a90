"""The language server: pygls wiring of the features in ``features.py``.

Diagnostics: on open and on every change (debounced), lint without the solver; on save, lint
with the solver's logic checks, bounded in time. Lint runs in a worker process of its own
(``worker.py``), so that completion and hover, answered here from the current text and the
latest analysis, never wait for the interpreter lock of a lint. Only the latest text of a
document is sent; an analysis made moot by a newer text is dropped (and ended, when it has
run for a while). Navigation and rename use an index of the current text, made once per
version of it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from ..core.version import __version__
from . import features
from .snapshot import Snapshot, index_only
from .worker import Job, LintWorker, WorkerError, WorkerGone, WorkerHung

log = logging.getLogger("policyengine.lsp")

DEBOUNCE = 0.25  # seconds of quiet typing before a change is linted
SAVE_BUDGET = 10.0  # seconds of solver time for the logic checks on save
SAVE_TIMEOUT = 2.0  # seconds per solver query on save
LINT_LIMIT = 120.0  # seconds a lint may take before the worker is deemed hung
HANG_MARGIN = 60.0  # seconds over the solver budget before a save's lint is deemed hung
SUPERSEDE_AFTER = 5.0  # seconds after which a superseded lint is ended, not left to finish


_RULEBOOK = re.compile(r"^policy\s*:|^#\s*yaml-language-server:.*policy(\.draft-07)?\.schema\.json",
                       re.MULTILINE)


def is_rulebook(uri: str, text: str) -> bool:
    """A YAML document the server speaks about: one with a top-level ``policy:`` (or the
    rulebook schema line), and not a policy test; other YAML files (CI workflows, ...) get no
    diagnostics and no completion."""
    if _path(uri).endswith((".test.yaml", ".test.yml")):
        return False
    return bool(_RULEBOOK.search(text))


def _path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


@dataclass
class _State:
    snapshot: Snapshot | None = None  # the latest analysis published
    task: asyncio.Task[None] | None = None  # the latest analysis scheduled
    older: set[asyncio.Task[None]] = field(default_factory=set)  # superseded, left to finish
    generation: int = 0
    sent: dict[int, tuple[float, bool]] = field(default_factory=dict)  # generation: (when, logic)
    logic: list[Any] = field(default_factory=list)  # the last save's logic findings
    indexed: Snapshot | None = None  # the index of the current text (navigation, rename)


class PolicyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("policyengine", __version__)
        self.states: dict[str, _State] = {}
        self.worker = LintWorker(on_start=self._worker_started)
        self.debounce = DEBOUNCE
        self.save_budget = SAVE_BUDGET
        self.lint_limit = LINT_LIMIT
        self.config_cache: dict[str, Any] = {}

    def _worker_started(self, pid: int) -> None:
        self.log(t.MessageType.Log, f"policyengine: lint worker started (process {pid})")

    def log(self, kind: t.MessageType, message: str) -> None:
        try:
            self.window_log_message(t.LogMessageParams(kind, message))
        except Exception:  # no client to tell (shutting down)
            log.info(message)

    # -- analysis --------------------------------------------------------------------------
    def state(self, uri: str) -> _State:
        return self.states.setdefault(uri, _State())

    def text(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def config_for(self, uri: str) -> Any:
        from ..lint.config import DEFAULT, ConfigError, load_config

        path = _path(uri)
        folder = os.path.dirname(path) if os.path.isabs(path) else os.getcwd()
        if folder not in self.config_cache:
            try:
                self.config_cache[folder] = load_config(start=folder)
            except ConfigError as exc:
                self.window_show_message(t.ShowMessageParams(
                    t.MessageType.Warning, f"policyengine: {exc}; using the defaults"))
                self.config_cache[folder] = DEFAULT
        return self.config_cache[folder]

    def schedule(self, uri: str, *, logic: bool, delay: float) -> None:
        """Analyse the document's text after ``delay`` seconds, superseding what is pending:
        an analysis not yet sent to the worker is cancelled; one in the worker is left to
        finish (its result dropped) unless it has run for ``SUPERSEDE_AFTER`` seconds, then
        it is ended; a save's analysis is left to finish for its logic findings."""
        state = self.state(uri)
        previous, generation = state.task, state.generation
        state.generation += 1
        if previous is not None and not previous.done():
            sent = state.sent.get(generation)
            if sent is None or (not sent[1] and time.monotonic() - sent[0] >= SUPERSEDE_AFTER):
                previous.cancel()
            else:
                state.older.add(previous)
                previous.add_done_callback(state.older.discard)
        state.task = asyncio.get_running_loop().create_task(
            self._analyse(uri, state.generation, logic, delay))

    async def _analyse(self, uri: str, generation: int, logic: bool, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        state = self.state(uri)
        try:
            doc = self.workspace.get_text_document(uri)
        except Exception:  # closed meanwhile
            return
        text, version = doc.source, doc.version
        if not is_rulebook(uri, text):
            state.snapshot = None
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
                uri=uri, diagnostics=[], version=version))
            return
        config = self.config_for(uri)
        budget = min(self.save_budget, config.analysis_budget or self.save_budget)
        timeout = min(SAVE_TIMEOUT, config.solver_timeout or SAVE_TIMEOUT)
        job = Job(text, _path(uri), version, logic, config, timeout, budget)

        def sent() -> None:
            state.sent[generation] = (time.monotonic(), logic)

        limit = budget + HANG_MARGIN if logic else self.lint_limit
        try:
            try:
                snapshot: Snapshot = await self.worker.run(job, limit, on_sent=sent)
            except WorkerGone:
                if generation != state.generation:
                    return  # ended on purpose: a newer text superseded it
                # the worker crashed (or was killed): once more, in a new worker
                snapshot = await self.worker.run(job, limit, on_sent=sent)
        except WorkerHung as exc:
            self.log(t.MessageType.Warning, f"policyengine: {exc}")
            return
        except WorkerError as exc:
            if generation == state.generation:  # not ended on purpose
                self.log(t.MessageType.Error, f"policyengine: internal error: {exc}")
            return
        finally:
            state.sent.pop(generation, None)
        if logic:
            state.logic = [d for d in snapshot.diagnostics if d.code.startswith("PE5")]
        if generation != state.generation:
            return  # a newer text is being analysed
        if not logic and state.logic and not any(d.is_error for d in snapshot.diagnostics
                                                 if d.code[:3] in ("PE0", "PE1", "PE2", "PE6")):
            # the solver's findings of the last save stay until the next save
            seen = {(d.code, d.line, d.message) for d in snapshot.diagnostics}
            snapshot.diagnostics = snapshot.diagnostics + [
                d for d in state.logic if (d.code, d.line, d.message) not in seen]
        state.snapshot = snapshot
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
            uri=uri, diagnostics=features.lsp_diagnostics(snapshot, uri), version=version))

    def close(self, uri: str) -> None:
        state = self.states.pop(uri, None)
        if state is not None:
            for task in (state.task, *state.older):
                if task is not None:
                    task.cancel()

    def knowledge(self, uri: str) -> Snapshot:
        """The latest analysis (an index of the current text before the first one is done)."""
        state = self.state(uri)
        if state.snapshot is None:
            return self.current(uri)
        return state.snapshot

    def current(self, uri: str) -> Snapshot:
        """An index of the current text (for navigation and rename), made once per version."""
        state = self.state(uri)
        doc = self.workspace.get_text_document(uri)
        text = doc.source
        for known in (state.indexed, state.snapshot):
            if known is not None and (known.version == doc.version or known.text is text) \
                    and _same(known.text, text):
                return known
        fresh = index_only(text, _path(uri))
        fresh.version = doc.version
        if state.snapshot is not None:
            fresh.result, fresh.diagnostics = state.snapshot.result, state.snapshot.diagnostics
        state.indexed = fresh
        return fresh


def _same(analysed: str, text: str) -> bool:
    """Whether an analysis is of this text (the loader reads line breaks as ``\n``)."""
    return analysed == text or analysed == text.replace("\r\n", "\n").replace("\r", "\n")


server = PolicyServer()


@server.feature(t.INITIALIZE)
def _initialize(ls: PolicyServer, params: t.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        if isinstance(options.get("debounce"), (int, float)):
            ls.debounce = max(0.0, float(options["debounce"]))
        if isinstance(options.get("saveBudget"), (int, float)):
            ls.save_budget = max(0.1, float(options["saveBudget"]))
        if isinstance(options.get("lintLimit"), (int, float)):
            ls.lint_limit = max(1.0, float(options["lintLimit"]))
    ls.worker.prestart(asyncio.get_running_loop())


@server.feature(t.SHUTDOWN)
def _shutdown(ls: PolicyServer, params: None) -> None:
    for uri in list(ls.states):
        ls.close(uri)
    ls.worker.stop()


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
async def _did_open(ls: PolicyServer, params: t.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, logic=False, delay=0)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
async def _did_change(ls: PolicyServer, params: t.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, logic=False, delay=ls.debounce)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
async def _did_save(ls: PolicyServer, params: t.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, logic=True, delay=0)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: PolicyServer, params: t.DidCloseTextDocumentParams) -> None:
    ls.close(params.text_document.uri)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
        uri=params.text_document.uri, diagnostics=[]))


@server.feature(t.TEXT_DOCUMENT_COMPLETION,
                t.CompletionOptions(trigger_characters=[".", '"', " ", "[", ","]))
def _completion(ls: PolicyServer, params: t.CompletionParams) -> t.CompletionList:
    uri = params.text_document.uri
    if not is_rulebook(uri, ls.text(uri)):
        return t.CompletionList(is_incomplete=False, items=[])
    items = features.completion(ls.knowledge(uri), ls.text(uri), params.position.line,
                                params.position.character)
    return t.CompletionList(is_incomplete=False, items=items)


@server.feature(t.TEXT_DOCUMENT_HOVER)
def _hover(ls: PolicyServer, params: t.HoverParams) -> t.Hover | None:
    uri = params.text_document.uri
    return features.hover(ls.knowledge(uri), ls.text(uri), params.position.line,
                          params.position.character)


def _offset(snapshot: Snapshot, position: t.Position) -> int:
    return snapshot.lines.offset(position.line, position.character)


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: PolicyServer, params: t.DefinitionParams) -> t.Location | None:
    snapshot = ls.current(params.text_document.uri)
    return features.definition(snapshot, params.text_document.uri,
                               _offset(snapshot, params.position))


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def _references(ls: PolicyServer, params: t.ReferenceParams) -> list[t.Location]:
    snapshot = ls.current(params.text_document.uri)
    return features.references(snapshot, params.text_document.uri,
                               _offset(snapshot, params.position),
                               params.context.include_declaration)


@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
def _prepare_rename(ls: PolicyServer, params: t.PrepareRenameParams) -> t.Range | None:
    snapshot = ls.current(params.text_document.uri)
    return features.prepare_rename(snapshot, _offset(snapshot, params.position))


@server.feature(t.TEXT_DOCUMENT_RENAME)
def _rename(ls: PolicyServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    from pygls.exceptions import JsonRpcInvalidParams

    snapshot = ls.current(params.text_document.uri)
    try:
        return features.rename(snapshot, params.text_document.uri,
                               _offset(snapshot, params.position), params.new_name)
    except features.RenameError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _symbols(ls: PolicyServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    return features.document_symbols(ls.current(params.text_document.uri))


@server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
def _code_action(ls: PolicyServer, params: t.CodeActionParams) -> list[t.CodeAction]:
    uri = params.text_document.uri
    diagnostics = list(params.context.diagnostics)
    snapshot = ls.states.get(uri, _State()).snapshot
    if not diagnostics and snapshot is not None and _same(snapshot.text, ls.text(uri)):
        # a client that sends none (Neovim 0.7): the published ones on the range's lines
        first, last = params.range.start.line, params.range.end.line
        diagnostics = [d for d in features.lsp_diagnostics(snapshot, uri)
                       if d.range.start.line <= last and d.range.end.line >= first]
    return features.code_actions(ls.text(uri), uri, diagnostics)


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def _formatting(ls: PolicyServer, params: t.DocumentFormattingParams) -> list[t.TextEdit]:
    from ..fmt import format_text

    uri = params.text_document.uri
    text = ls.text(uri)
    result = format_text(text, _path(uri))
    if not result.ok or result.text == text:
        return []
    lines = text.count("\n") + 1
    return [t.TextEdit(t.Range(t.Position(0, 0), t.Position(lines, 0)), result.text)]


def serve() -> None:
    """Run the language server over standard input and output."""
    try:
        server.start_io()
    finally:
        server.worker.stop()  # an exit without a shutdown, or the client gone
        if sys.stdout is not None and sys.stdout.closed:
            # the protocol's stream, closed on `exit`: nothing is left to say on it, and the
            # command line's last flush must not fail on it
            sys.stdout = io.StringIO()
