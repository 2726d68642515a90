"""Load a rulebook through the stages: read -> compose -> schema -> model -> ladder -> compile.

``load_policy``/``loads_policy`` raise PolicyError when any stage finds an error; ``inspect_*``
return what was built (or None) with every diagnostic, for lint.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import functools
import gc
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..core.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from ..core.errors import PolicyError
from ..load import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, RawDocument, parse_document, read_document
from .policy import program
from ..model.nodes import Policy

if TYPE_CHECKING:  # pragma: no cover
    from ..core.decision import Decision


@dataclass
class LoadResult:
    """What loading produced: ``policy`` when the rulebook is valid (compiled, ready to
    evaluate); ``draft``, the model built despite errors (for lint's other checks), when the
    schema accepted the document; every diagnostic."""

    policy: Policy | None
    draft: Policy | None
    diagnostics: list[Diagnostic]
    document: RawDocument | None = None  # the YAML as loaded (data and source map), if any


def _build(doc: RawDocument, path: str | None) -> LoadResult:
    result = _stages(doc, path)
    result.document = doc
    return result


def _stages(doc: RawDocument, path: str | None) -> LoadResult:
    diags = list(doc.diagnostics)
    if doc.data is None or doc.sourcemap is None or has_errors(diags):
        return LoadResult(None, None, diags)
    from ..load.schema import validate

    schema_diags = validate(doc.data, doc.sourcemap)
    diags.extend(schema_diags)
    if has_errors(schema_diags):
        return LoadResult(None, None, diags)
    from ..model.build import build_policy

    draft, built = build_policy(doc.data, doc.sourcemap)
    diags.extend(built)
    if draft is None:
        return LoadResult(None, None, diags)
    from .ladder import structure_diagnostics

    diags.extend(structure_diagnostics(draft))
    warnings = tuple(sort_diagnostics(d for d in diags if d.severity is not Severity.ERROR))
    draft = dataclasses.replace(draft, path=path, warnings=warnings, sourcemap=doc.sourcemap)
    if has_errors(diags):
        return LoadResult(None, draft, diags)
    program(draft)  # compiled now, remembered by the compiled layer for as long as it lives
    return LoadResult(draft, draft, diags)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading allocates many small objects and frees almost none of them: the cyclic garbage
    collector's passes over them find nothing and cost a fifth of a large load. It is paused
    while a rulebook loads (and restored as it was, even when loading fails).

    Paused alone, the collector would catch up at its first pass after the load: every object
    the load allocated is still in the youngest generation, and that pass walks them all (a
    tenth of a large load). So they are handed to the oldest generation directly
    (``gc.freeze()`` then ``gc.unfreeze()`` moves every tracked object there without walking
    any), where the collector looks only at its rare full passes; garbage among them is still
    collected then. This is done only when nothing is frozen already: ``unfreeze`` would also
    release what the program froze on purpose (the batch command freezes its policy)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def inspect_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_depth: int = DEFAULT_MAX_DEPTH, display: str | None = None
                 ) -> LoadResult:
    """Load a file without raising."""
    name = display if display is not None else os.fspath(path)
    with _gc_paused():
        doc = read_document(path, max_bytes=max_bytes, max_depth=max_depth, display=name)
        return _build(doc, name)


def inspect_text(text: str | bytes, name: str = "<string>", *,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
                 ) -> LoadResult:
    with _gc_paused():
        doc = parse_document(text, name, max_bytes=max_bytes, max_depth=max_depth)
        return _build(doc, None if name == "<string>" else name)


def _raise_or_return(result: LoadResult) -> Policy:
    policy, diags = result.policy, result.diagnostics
    if policy is None or has_errors(diags):
        raise PolicyError(sort_diagnostics(d for d in diags if d.severity is Severity.ERROR)
                          + sort_diagnostics(d for d in diags
                                             if d.severity is not Severity.ERROR))
    return policy


def load_policy(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                max_depth: int = DEFAULT_MAX_DEPTH) -> Policy:
    """Load and compile a rulebook file. Raises PolicyError (with ``.diagnostics``) when it has
    errors; warnings stay available as ``policy.warnings``."""
    return _raise_or_return(inspect_file(path, max_bytes=max_bytes, max_depth=max_depth))


def loads_policy(text: str | bytes, name: str = "<string>", *,
                 max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
                 ) -> Policy:
    """Load and compile a rulebook from text; ``name`` is used in diagnostics."""
    return _raise_or_return(inspect_text(text, name, max_bytes=max_bytes, max_depth=max_depth))
