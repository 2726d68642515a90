"""The language server over stdio: every feature against a real ``policyengine lsp``."""

from __future__ import annotations

import pytest
from lsprotocol import types as t

from .lsp_helpers import ACME, Editor, apply

pytestmark = pytest.mark.asyncio


def labels(result) -> list[str]:
    items = result.items if isinstance(result, t.CompletionList) else result
    return [i.label for i in items]


async def test_diagnostics_on_open_and_change_and_a_quick_fix(client, tmp_path):
    text = ACME.read_text("utf-8").replace("level: regional}", "level: regionl}", 1)
    ed = Editor(client, tmp_path / "acme.yaml", text)
    diags = await ed.diagnostics()
    typo = [d for d in diags if d.code == "PE202"]
    assert len(typo) == 1 and "regionl" in typo[0].message
    assert typo[0].code_description.href.endswith("/rules/PE202-unknown-level/")
    assert ed.text.splitlines()[typo[0].range.start.line][
        typo[0].range.start.character:typo[0].range.end.character] == "regionl"
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        ed.doc, typo[0].range, t.CodeActionContext([typo[0]])))
    fix = next(a for a in actions if a.title == "Replace with `regional`")
    # a client that sends no diagnostics in the context (Neovim 0.7) gets the same fixes
    bare = await client.text_document_code_action_async(t.CodeActionParams(
        ed.doc, t.Range(typo[0].range.start, typo[0].range.start), t.CodeActionContext([])))
    assert "Replace with `regional`" in [a.title for a in bare]
    ignore = next(a for a in actions if a.title == "Ignore PE202 on this line")
    ignored = apply(ed.text, ignore.edit.changes[ed.uri])
    assert "level: regionl}  # policyengine: ignore[PE202]" in ignored
    ed.set(apply(ed.text, fix.edit.changes[ed.uri]))
    assert ed.text == ACME.read_text("utf-8")
    assert [d for d in await ed.diagnostics() if d.severity == t.DiagnosticSeverity.Error] == []


async def test_logic_checks_run_on_save(client, tmp_path):
    text = ACME.read_text("utf-8").replace("- {otherwise: executive}",
                                           "- {when: amount > 250000.0, level: executive}")
    ed = Editor(client, tmp_path / "gap.yaml", text)
    assert not [d for d in await ed.diagnostics() if str(d.code).startswith("PE5")]
    ed.save()
    found = await ed.diagnostics(logic=True)
    gap = [d for d in found if d.code == "PE501"]
    assert gap and "250000" in gap[0].message
    # the solver's findings stay while typing, until the next save
    ed.replace("title: Account manager", "title: Account managers")
    assert [d.code for d in await ed.diagnostics() if d.code == "PE501"] == ["PE501"]


async def test_completion(client, tmp_path):
    text = ACME.read_text("utf-8")
    ed = Editor(client, tmp_path / "acme.yaml", text)
    await ed.diagnostics()
    ed.replace('when: kind == "pricing"', 'when: kind == "pricing" && region == "E')
    got = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, ed.position('region == "E')))
    assert labels(got) == ["NA", "EMEA", "APAC", "LATAM"]
    emea = next(i for i in got.items if i.label == "EMEA")
    assert emea.text_edit.range.start.character == ed.position('region == "E').character - 1
    ed.replace('region == "E', "partner.")
    got = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, ed.position("&& partner.")))
    assert labels(got) == ["tier", "exclusive"]
    ed.replace("&& partner.", "&& rec")
    got = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, ed.position("&& rec")))
    assert {"recurrences_90d", "amount", "size", "has", "true"} <= set(labels(got))
    for marker, want in [("level: regional}", ["frontline", "regional", "executive",
                                               "mediation"]),
                         ("role: regional_director", ["account_manager", "regional_director",
                                                      "executive_sponsor", "neutral_mediator"]),
                         ("action: price_adjustment", None),
                         ("remedies: [price-realignment,", None)]:
        got = await client.text_document_completion_async(t.CompletionParams(
            ed.doc, ed.position(marker, len(marker.split(": ")[0]) + 2)))
        if want is not None:
            assert labels(got) == want, marker
        elif marker.startswith("action"):
            assert "price_adjustment" in labels(got) and "hold_unilateral" in labels(got)
        else:
            assert labels(got) == ["price-realignment", "territory-adjustment",
                                   "lead-reassignment", "hold"]
    # keys of a level that it does not have yet
    ed.replace("      decide_within: 30d", "      decide_within: 30d\n      ")
    pos = ed.position("decide_within: 30d\n      ")
    got = await client.text_document_completion_async(t.CompletionParams(ed.doc, pos))
    assert "next" in labels(got) and "respond_within" in labels(got)
    assert "decide_within" not in labels(got)


async def test_hover(client, tmp_path):
    ed = Editor(client, tmp_path / "acme.yaml", ACME.read_text("utf-8"))
    await ed.diagnostics()

    async def hover(marker: str, offset: int | None = None) -> str:
        h = await client.text_document_hover_async(t.HoverParams(
            ed.doc, ed.position(marker, offset)))
        assert h is not None, marker
        return h.contents.value

    band = await hover("{when: amount < 250000.0", 8)
    assert "band 2 of category `pricing`" in band
    assert "250,000" in band and "Regional director" in band
    fact = await hover("amount < 250000.0", 2)
    assert "**fact `amount`**: double" in fact and "USD" in fact and "at least 0" in fact
    level = await hover("next: regional", 8)
    assert "**level `regional`**" in level and "regional_director" in level
    assert "decide within 10bd" in level and "price_adjustment` up to 25,000" in level
    ed.replace("mdf_reallocation: 5000,", "mdf_reallocation: 5000,  # policyengine: "
               "ignore[PE402]\n                    ", 1)
    ed.set(ed.text)
    code = await hover("ignore[PE402", 8)
    assert "PE402 authority-shrinks" in code


async def test_definition_references_rename_and_symbols(client, tmp_path):
    ed = Editor(client, tmp_path / "acme.yaml", ACME.read_text("utf-8"))
    await ed.diagnostics()
    loc = await client.text_document_definition_async(t.DefinitionParams(
        ed.doc, ed.position("level: regional}", 9)))
    assert loc.range.start == ed.position("- id: regional", 6)
    refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=ed.doc, position=ed.position("- id: regional", 8),
        context=t.ReferenceContext(True)))
    assert len(refs) == ed.text.count("regional\n") + ed.text.count("regional}") \
        + ed.text.count("regional,")
    fact_refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=ed.doc, position=ed.position("  amount:", 3),
        context=t.ReferenceContext(False)))
    assert len(fact_refs) >= 6  # every `amount` in an expression
    edit = await client.text_document_rename_async(t.RenameParams(
        ed.doc, ed.position("- id: regional", 8), "regional-director"))
    renamed = apply(ed.text, edit.changes[ed.uri])
    assert "regional-director" in renamed and "level: regional}" not in renamed
    assert "role: regional_director" in renamed  # a role is not the level
    ed.set(renamed)
    assert [d for d in await ed.diagnostics() if d.severity == t.DiagnosticSeverity.Error] == []
    with pytest.raises(Exception):
        await client.text_document_rename_async(t.RenameParams(
            ed.doc, ed.position("- id: regional-director", 8), "no spaces allowed"))
    symbols = await client.text_document_document_symbol_async(
        t.DocumentSymbolParams(ed.doc))
    by_name = {s.name: [c.name for c in s.children] for s in symbols}
    assert by_name["categories"] == ["pricing", "exclusivity", "operational"]
    assert by_name["ladder levels"] == ["frontline", "regional-director", "executive",
                                        "mediation"]
    assert by_name["remedies"] == ["price-realignment", "territory-adjustment",
                                   "lead-reassignment", "hold"]
    assert "partner" in by_name["facts"]


async def test_quick_fixes_for_quoting_and_a_missing_authority_row(client, tmp_path):
    text = ACME.read_text("utf-8").replace(
        "  - {id: compliance, when: compliance_flag,",
        "  - {id: compliance, when: !compliance_flag,")
    ed = Editor(client, tmp_path / "acme.yaml", text)
    diags = await ed.diagnostics()
    pe003 = [d for d in diags if d.code == "PE003"]
    assert pe003, [d.code for d in diags]
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        ed.doc, pe003[0].range, t.CodeActionContext(pe003)))
    quote = next(a for a in actions if a.title.startswith("Quote it"))
    ed.set(apply(ed.text, quote.edit.changes[ed.uri]))
    assert "when: '!compliance_flag'" in ed.text
    assert not [d for d in await ed.diagnostics() if d.code == "PE003"]
    ed.set(ed.text.replace("  neutral_mediator:  {hold_unilateral: true}\n", ""))
    diags = await ed.diagnostics()
    missing = [d for d in diags if d.code == "PE401"]
    assert missing
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        ed.doc, missing[0].range, t.CodeActionContext(missing)))
    row = next(a for a in actions if a.title == "Add an authority row for `neutral_mediator`")
    ed.set(apply(ed.text, row.edit.changes[ed.uri]))
    assert "  neutral_mediator: {}\n" in ed.text
    assert not [d for d in await ed.diagnostics() if d.code == "PE401"]


async def test_formatting(client, tmp_path):
    text = ACME.read_text("utf-8").replace("    title: Pricing parity conflict\n    id: pricing",
                                           "    id: pricing\n    title: Pricing parity conflict")
    ed = Editor(client, tmp_path / "acme.yaml", text.replace(
        "  - id: pricing\n    title: Pricing parity conflict",
        "  - title: Pricing parity conflict\n    id: pricing"))
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        ed.doc, t.FormattingOptions(2, True)))
    formatted = apply(ed.text, edits)
    assert "  - id: pricing\n    title: Pricing parity conflict" in formatted


async def test_other_yaml_files_are_left_alone(client, tmp_path):
    ed = Editor(client, tmp_path / "workflow.yaml", "on: push\njobs:\n  lint: {runs-on: x}\n")
    assert await ed.diagnostics() == []
    got = await client.text_document_completion_async(t.CompletionParams(
        ed.doc, t.Position(1, 0)))
    assert list(got.items) == []
    ed.set("policy:\n  id: x\n")  # it becomes a rulebook
    assert any(d.code == "PE102" or d.severity == t.DiagnosticSeverity.Error
               for d in await ed.diagnostics())


async def test_rename_refuses_an_invalid_or_taken_name(client, tmp_path):
    from pygls.exceptions import JsonRpcException

    ed = Editor(client, tmp_path / "acme.yaml", ACME.read_text("utf-8"))
    await ed.diagnostics()

    async def refused(marker: str, offset: int, new_name: str) -> str:
        with pytest.raises(JsonRpcException) as info:
            await client.text_document_rename_async(t.RenameParams(
                ed.doc, ed.position(marker, offset), new_name))
        return str(info.value)

    taken = await refused("- id: regional", 8, "executive")
    assert "a level `executive` already exists (line" in taken and "choose another" in taken
    assert "is not an id" in await refused("- id: regional", 8, "9lives")
    assert "reserved word" in await refused("  amount:", 3, "in")
    assert "a fact `region` already exists" in await refused("  amount:", 3, "region")
    # a role may share its name with a level: not a collision
    edit = await client.text_document_rename_async(t.RenameParams(
        ed.doc, ed.position("role: regional_director", 8), "regional"))
    assert edit is not None and edit.changes[ed.uri]
