"""Print a real session with ``policyengine lsp``: the JSON-RPC messages, as sent and received
over stdio (the document's text elided), for docs/editor.md.

    python scripts/lsp_transcript.py > transcript.txt

The session opens the ACME rulebook with a typo (`level: regionl`), waits for the
diagnostics, asks for completion after `region == "E`, hover on a band, the definition of a
level id and the quick fixes of the typo, then shuts the server down.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Session:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "policyengine", "lsp"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=ROOT)
        self.next_id = 0

    def send(self, method: str, params: Any, notify: bool = False, shown: Any = None) -> int:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if not notify:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        print("--> " + json.dumps({**msg, "params": shown} if shown is not None else msg))
        return self.next_id

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        length = 0
        while True:
            line = self.proc.stdout.readline().decode().strip()
            if not line:
                break
            if line.lower().startswith("content-length:"):
                length = int(line.split(":")[1])
        msg: dict[str, Any] = json.loads(self.proc.stdout.read(length))
        return msg

    def until(self, pred: Any) -> dict[str, Any]:
        while True:
            msg = self.receive()
            if pred(msg):
                print("<-- " + json.dumps(msg))
                return msg


def main() -> int:
    text = (ROOT / "policies" / "acme-channel-conflict.yaml").read_text("utf-8").replace(
        "level: regional}", "level: regionl}", 1)
    text = text.replace('when: kind == "pricing"', 'when: kind == "pricing" && region == "E', 1)
    uri = (ROOT / "policies" / "acme-draft.yaml").as_uri()
    lines = text.split("\n")

    def pos(marker: str, extra: int) -> dict[str, int]:
        n = next(i for i, ln in enumerate(lines) if marker in ln)
        return {"line": n, "character": lines[n].index(marker) + extra}

    s = Session()
    i = s.send("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    s.until(lambda m: m.get("id") == i)
    s.send("initialized", {}, notify=True)
    s.send("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": text}}, notify=True,
        shown={"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                "text": "<the ACME rulebook, with `level: regionl` and a "
                                        "half-typed `region == \"E`>"}})
    diags = s.until(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    doc = {"uri": uri}
    i = s.send("textDocument/completion", {"textDocument": doc,
                                           "position": pos('region == "E', 12)})
    s.until(lambda m: m.get("id") == i)
    i = s.send("textDocument/hover", {"textDocument": doc,
                                      "position": pos("{when: amount < 10000.0", 8)})
    s.until(lambda m: m.get("id") == i)
    i = s.send("textDocument/definition", {"textDocument": doc,
                                           "position": pos("next: regional", 8)})
    s.until(lambda m: m.get("id") == i)
    typo = next(d for d in diags["params"]["diagnostics"] if d["code"] == "PE202")
    i = s.send("textDocument/codeAction", {"textDocument": doc, "range": typo["range"],
                                           "context": {"diagnostics": [typo]}})
    s.until(lambda m: m.get("id") == i)
    i = s.send("shutdown", None)
    s.until(lambda m: m.get("id") == i)
    s.send("exit", None, notify=True)
    s.proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
