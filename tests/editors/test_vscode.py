"""The VS Code extension compiles (TypeScript against vscode-languageclient's types). Needs
npm and the extension's dependencies (`npm install` in editors/vscode); skipped without them,
so that the test command needs neither npm nor the network."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def test_the_manifest_starts_the_language_server():
    manifest = json.loads((EXT / "package.json").read_text("utf-8"))
    assert manifest["main"] == "./out/extension.js"
    assert "vscode-languageclient" in manifest["dependencies"]
    assert manifest["contributes"]["configuration"]["properties"]["policyengine.command"][
        "default"] == ["policyengine", "lsp"]
    assert '"policyengine", "lsp"' in (EXT / "src" / "extension.ts").read_text("utf-8")


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
@pytest.mark.skipif(not (EXT / "node_modules" / "vscode-languageclient").is_dir(),
                    reason="run `npm install` in editors/vscode first (needs the npm registry)")
def test_the_extension_compiles(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(["npm", "exec", "--", "tsc", "-p", "./", "--outDir", str(out)],
                          cwd=EXT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "extension.js").is_file()
    assert "vscode-languageclient/node" in (out / "extension.js").read_text("utf-8")
