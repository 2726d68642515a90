// The policyengine rulebook extension: starts `policyengine lsp` for YAML rulebooks and lets
// vscode-languageclient do the rest (diagnostics, completion, hover, definition, references,
// rename, outline, quick fixes, formatting). A file is a rulebook when it has a top-level
// `policy:` key; the server answers nothing for other YAML files.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("policyengine");
  const [command, ...args] = config.get<string[]>("command", ["policyengine", "lsp"]);
  const serverOptions: ServerOptions = {
    command,
    args,
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml", pattern: "**/*.{yaml,yml}" },
    ],
    initializationOptions: {
      debounce: config.get<number>("debounce", 0.25),
      saveBudget: config.get<number>("saveBudget", 10),
    },
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{pyproject.toml,.policyengine.yaml}"),
    },
  };
  client = new LanguageClient("policyengine", "policyengine rulebooks", serverOptions,
                              clientOptions);
  context.subscriptions.push({ dispose: () => void client?.stop() });
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client !== undefined) {
    await client.stop();
    client = undefined;
  }
}
