"""Load a rulebook through the stages: read -> compose -> schema -> model -> ladder -> compile.

``load_policy``/``loads_policy`` raise PolicyError when any stage finds an error; ``inspect_*``
return what was built (or None) with every diagnostic, for lint.
"""

from __future__ import annotations

import dataclasses
import os

from .diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from .errors import PolicyError
from .load import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, RawDocument, parse_document, read_document
from .model.nodes import Policy


def _build(doc: RawDocument, path: str | None) -> tuple[Policy | None, list[Diagnostic]]:
    diags = list(doc.diagnostics)
    if doc.data is None or any(d.severity is Severity.ERROR for d in diags):
        return None, diags
    from .schema import validate

    schema_diags = validate(doc.data, doc.sourcemap)
    diags.extend(schema_diags)
    if has_errors(schema_diags):
        return None, diags
    from .model.build import build_policy

    policy, built = build_policy(doc.data, doc.sourcemap)
    diags.extend(built)
    if policy is None or has_errors(built):
        return None, diags
    from .ladder import structure_diagnostics

    structural = structure_diagnostics(policy)
    diags.extend(structural)
    if has_errors(structural):
        return None, diags
    warnings = tuple(sort_diagnostics(d for d in diags if d.severity is not Severity.ERROR))
    policy = dataclasses.replace(policy, path=path, warnings=warnings,
                                 sourcemap=doc.sourcemap)
    from .compiled import compile_policy

    object.__setattr__(policy, "_compiled", compile_policy(policy))
    return policy, diags


def inspect_file(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_depth: int = DEFAULT_MAX_DEPTH, display: str | None = None
                 ) -> tuple[Policy | None, list[Diagnostic]]:
    """Load a file without raising: (policy or None, every diagnostic)."""
    name = display if display is not None else os.fspath(path)
    doc = read_document(path, max_bytes=max_bytes, max_depth=max_depth, display=name)
    return _build(doc, name)


def inspect_text(text: str | bytes, name: str = "<string>", *,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
                 ) -> tuple[Policy | None, list[Diagnostic]]:
    doc = parse_document(text, name, max_bytes=max_bytes, max_depth=max_depth)
    return _build(doc, None if name == "<string>" else name)


def _raise_or_return(policy: Policy | None, diags: list[Diagnostic]) -> Policy:
    if policy is None or has_errors(diags):
        raise PolicyError(sort_diagnostics(d for d in diags if d.severity is Severity.ERROR)
                          + sort_diagnostics(d for d in diags
                                             if d.severity is not Severity.ERROR))
    return policy


def load_policy(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES,
                max_depth: int = DEFAULT_MAX_DEPTH) -> Policy:
    """Load and compile a rulebook file. Raises PolicyError (with ``.diagnostics``) when it has
    errors; warnings stay available as ``policy.warnings``."""
    return _raise_or_return(*inspect_file(path, max_bytes=max_bytes, max_depth=max_depth))


def loads_policy(text: str | bytes, name: str = "<string>", *,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
                 ) -> Policy:
    """Load and compile a rulebook from text; ``name`` is used in diagnostics."""
    return _raise_or_return(*inspect_text(text, name, max_bytes=max_bytes, max_depth=max_depth))
