"""``policyengine lsp``: a language server for rulebooks (pygls + lsprotocol), built on the
loader, the checker, lint, the formatter and the plain-words renderer the CLI uses.

Modules: ``index`` (where each id is defined and used), ``context`` (what the cursor is on, from
the text alone), ``snapshot`` (one analysis of a text), ``features`` (the language features as
functions), ``server`` (the protocol wiring). See docs/editor.md.
"""

from __future__ import annotations


def serve() -> None:
    from .server import serve as _serve

    _serve()
