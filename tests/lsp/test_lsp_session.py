"""A recorded edit session replayed keystroke by keystroke: a rulebook typed from an empty
file, with typos fixed by backspace, while the editor asks for completion and hover as it
would. Every intermediate text is half-typed and mostly invalid YAML; the server must answer
every request, publish diagnostics for the last version, and not crash or hang."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as t

from .lsp_helpers import Editor

pytestmark = pytest.mark.asyncio

# the final text; `~` marks a typo (the next character is typed, then deleted)
SCRIPT = """policy:
  id: s~ession
  title: Typed live
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@example.com]
facts:
  region: {type: string, enum: [NA, EMEA]}
  amount: {type: double, min: 0}
  partner:
    type: map
    fields:
      tier: {type: string, enum: [gold, silver]}
ladder:
  levels:
    - {id: one, title: One, role: r1, decide_within: 5bd, next: two}
    - {id: two, title: Two, role: r2, decide_within: 1~0bd}
authority:
  r1: {hold: true}
  r2: {hold: true}
actions:
  hold: {title: Hold}
categories:
  - id: emea
    title: EMEA
    class: commercial
    when: region == "EMEA" && partner.tier == "gold"
    thresholds:
      - {when: amount < 1000.0, level: one}
      - {otherwise: two}
    remedies: [hold]
  - id: rest
    title: Rest
    class: operational
    when: "true"
    thresholds:
      - {otherwise: one}
remedies:
  - {id: hold, title: Hold, action: hold, sunset: 30d}
"""


def keystrokes(script: str) -> list[tuple[str, str]]:
    """(kind, character): ``type`` a character or ``back`` to delete the last one."""
    out: list[tuple[str, str]] = []
    chars = iter(script)
    for ch in chars:
        if ch == "~":
            wrong = next(chars)
            out += [("type", "x"), ("back", ""), ("type", wrong)]
        else:
            out.append(("type", ch))
    return out


async def test_typing_a_rulebook_keystroke_by_keystroke(client, tmp_path):
    ed = Editor(client, tmp_path / "live.yaml", "")
    line, col = 0, 0
    answered = 0
    for i, (kind, ch) in enumerate(keystrokes(SCRIPT)):
        if kind == "type":
            start = t.Position(line, col)
            text = ed.text + ch
            if ch == "\n":
                line, col = line + 1, 0
            else:
                col += 1
            change = t.TextDocumentContentChangePartial(t.Range(start, start), ch)
        else:
            col -= 1
            text = ed.text[:-1]
            change = t.TextDocumentContentChangePartial(
                t.Range(t.Position(line, col), t.Position(line, col + 1)), "")
        ed.version += 1
        ed.text = text
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(version=ed.version, uri=ed.uri), [change]))
        here = t.Position(line, col)
        if i % 7 == 0:
            got = await asyncio.wait_for(client.text_document_completion_async(
                t.CompletionParams(ed.doc, here)), 10)
            assert got is not None
            answered += 1
        if i % 11 == 0:
            await asyncio.wait_for(client.text_document_hover_async(
                t.HoverParams(ed.doc, here)), 10)
            answered += 1
        if ch == "\n" and i % 3 == 0:
            await ed.diagnostics(timeout=30)  # a pause: the half-typed text gets linted
    assert ed.text == SCRIPT.replace("~", "")
    assert answered > 200
    final = await ed.diagnostics(timeout=60)
    assert [d for d in final if d.severity == t.DiagnosticSeverity.Error] == []
    assert not [m.message for m in client.log_messages if "internal error" in m.message]
    assert len({p.version for p in client.published}) > 3  # half-typed texts were linted
    # and the server still does its job on the finished text
    got = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, ed.position('region == "', 11)))
    assert [i.label for i in got.items] == ["NA", "EMEA"]
    got = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, ed.position("partner.", 8)))
    assert [i.label for i in got.items] == ["tier"]
