"""Response times of ``policyengine lsp`` on a generated rulebook of 1,000 categories (the
generator of bench_lint.py, about 9,000 lines), measured as an editor sees them: a real server
over stdio, driven by pygls's client.

    python benchmarks/bench_lsp.py [--categories 1000] [--repeats 30]

Prints, for each request, the median and the 95th percentile of the round trip, once with the
analysis of the text done and once while the analysis of a fresh edit is still running (the
lint worker process linting the rulebook), and how long the first diagnostics took. Each
repeat asks at another place of the file (the server remembers the last answers per place),
and the load average of the machine when the run ended.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsprotocol import types as t  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from bench_lint import generate  # noqa: E402


def _position(text: str, marker: str, fraction: float, extra: int) -> t.Position:
    """After the occurrence of ``marker`` that is ``fraction`` of the way into the text."""
    at = -1
    for _ in range(max(1, int(text.count(marker) * fraction))):
        at = text.index(marker, at + 1)
    at += extra
    line = text.count("\n", 0, at)
    return t.Position(line, at - (text.rfind("\n", 0, at) + 1))


async def _run(n: int, repeats: int) -> None:
    text = generate(n)
    # half-typed enum comparisons and field selections over the last half of the file, one
    # pair for each repeat
    marker = "when: 'kind == "
    whens = [i for i in range(len(text)) if text.startswith(marker, i)]
    whens = [w for w in whens if w > len(text) // 2]
    step = max(2, len(whens) // repeats)
    for j in reversed(range(0, min(len(whens) - 1, step * repeats), step)):
        for k, typed in ((whens[j + 1], " && partner."), (whens[j], ' && region == "E')):
            eol = text.index("\n", k) - 1  # before the closing quote
            text = text[:eol] + typed + text[eol:]
    folder = Path(tempfile.mkdtemp())
    path = folder / f"generated-{n}.yaml"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()

    client = LanguageClient("bench", "1")
    published: list[tuple[int | None, float]] = []

    @client.feature(t.WINDOW_LOG_MESSAGE)
    def _log(params: t.LogMessageParams) -> None:
        pass

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diags(params: t.PublishDiagnosticsParams) -> None:
        published.append((params.version, time.perf_counter()))

    await client.start_io(sys.executable, "-m", "policyengine", "lsp")
    await client.initialize_async(t.InitializeParams(
        capabilities=t.ClientCapabilities(), initialization_options={"debounce": 0.25}))
    client.initialized(t.InitializedParams())
    opened = time.perf_counter()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        t.TextDocumentItem(uri, "yaml", 1, text)))
    while not published:
        await asyncio.sleep(0.05)
    first = published[0][1] - opened
    doc = t.TextDocumentIdentifier(uri)

    def requests(r: int) -> dict[str, tuple[str, t.Position]]:
        """The requests of repeat ``r``: at places spread over the last half of the file."""
        f = 0.5 + 0.5 * (r + 1) / (repeats + 1)
        return {
            'completion `region == "E`': ("completion", _position(
                text, 'region == "E', (r + 1) / repeats, 12)),
            "completion `partner.`": ("completion", _position(
                text, "&& partner.", (r + 1) / repeats, 11)),
            "completion `level: `": ("completion", _position(text, "level: regional", f, 7)),
            "hover on a band": ("hover", _position(text, "{when: amount <", f, 3)),
            "hover on a fact": ("hover", _position(text, "amount <", f, 2)),
            "hover on a level id": ("hover", _position(text, "level: regional", f, 9)),
        }

    async def measure() -> dict[str, list[float]]:
        times: dict[str, list[float]] = {name: [] for name in requests(0)}
        for r in range(repeats):
            for name, (kind, pos) in requests(r).items():
                a = time.perf_counter()
                if kind == "completion":
                    got = await client.text_document_completion_async(
                        t.CompletionParams(doc, pos))
                    assert got is not None and got.items, name
                else:
                    got = await client.text_document_hover_async(t.HoverParams(doc, pos))
                    assert got is not None, name
                times[name].append(time.perf_counter() - a)
        return times

    idle = await measure()
    # an edit: the server starts linting the new text in its worker; ask again meanwhile
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(version=2, uri=uri),
        [t.TextDocumentContentChangeWholeDocument(text.replace("title: Generated",
                                                               "title: Generated!", 1))]))
    await asyncio.sleep(0.4)
    busy = await measure()
    busy_done = any(v == 2 for v, _ in published)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    def ms(xs: list[float]) -> str:
        xs = sorted(xs)
        p95 = xs[min(len(xs) - 1, int(len(xs) * 0.95))]
        return f"{statistics.median(xs) * 1000:8.1f} {p95 * 1000:8.1f}"

    lines = text.count("\n")
    print(f"rulebook: {n} categories, {lines} lines, {len(text)} characters; "
          f"{repeats} requests of each kind")
    print(f"first diagnostics after open: {first:.1f} s")
    print(f"{'request':32} {'idle: median':>13} {'p95 ms':>8}   {'linting: median':>15} "
          f"{'p95 ms':>8}")
    for name in requests(0):
        print(f"{name:32} {ms(idle[name]):>22}   {ms(busy[name]):>24}")
    print("load average (1, 5, 15 min) at the end: "
          + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if busy_done:
        print("(the analysis of the edit finished during the second round: some of its "
              "requests ran without a concurrent analysis)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--categories", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    asyncio.run(_run(args.categories, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
