"""Helpers for the language server tests: an editor's view of one document."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types as t
from pytest_lsp import LanguageClient

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "policies" / "acme-channel-conflict.yaml"


class Editor:
    """One open document, as an editor holds it."""

    def __init__(self, client: LanguageClient, path: Path, text: str):
        self.client = client
        self.uri = path.as_uri()
        self.text = text
        self.version = 1
        client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(self.uri, "yaml", 1, text)))

    def replace(self, old: str, new: str, count: int = 1) -> None:
        assert old in self.text, old
        self.set(self.text.replace(old, new, count))

    def set(self, text: str) -> None:
        self.version += 1
        self.text = text
        self.client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(version=self.version, uri=self.uri),
            [t.TextDocumentContentChangeWholeDocument(text)]))

    def save(self) -> None:
        self.client.text_document_did_save(t.DidSaveTextDocumentParams(
            t.TextDocumentIdentifier(self.uri), self.text))

    async def diagnostics(self, timeout: float = 60.0, logic: bool = False
                          ) -> list[t.Diagnostic]:
        """The diagnostics published for the current version (after a save with ``logic``,
        the first publication that follows it)."""
        seen = len(self.client.published) if logic else 0  # type: ignore[attr-defined]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            published = self.client.published[seen:]  # type: ignore[attr-defined]
            for p in reversed(published):
                if p.uri == self.uri and p.version == self.version:
                    return list(p.diagnostics)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no diagnostics for version {self.version} within {timeout}s")

    def position(self, marker: str, offset: int | None = None) -> t.Position:
        """The position just after ``marker`` (or ``offset`` characters into it)."""
        at = self.text.index(marker) + (len(marker) if offset is None else offset)
        line = self.text.count("\n", 0, at)
        col = at - (self.text.rfind("\n", 0, at) + 1)
        return t.Position(line, col)

    @property
    def doc(self) -> t.TextDocumentIdentifier:
        return t.TextDocumentIdentifier(self.uri)


def apply(text: str, edits: list[Any]) -> str:
    """Apply LSP text edits (no overlaps) to ``text``."""
    lines = text.split("\n")
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)

    def off(p: t.Position) -> int:
        return min(starts[min(p.line, len(starts) - 1)] + p.character, len(text)) \
            if p.line < len(starts) else len(text)

    for e in sorted(edits, key=lambda e: off(e.range.start), reverse=True):
        text = text[:off(e.range.start)] + e.new_text + text[off(e.range.end):]
    return text
