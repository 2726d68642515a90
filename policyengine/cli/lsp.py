"""policyengine lsp"""

from __future__ import annotations

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default "
                                            "and only transport; accepted for editors that pass it).")
def lsp_command(stdio: bool) -> None:
    """Run the language server for rulebooks over standard input and output: diagnostics as
    you type, completion, hover, go to definition, references, rename, outline, quick fixes and
    formatting. Editors start it; see docs/editor.md."""
    from ..lsp import serve

    serve()
