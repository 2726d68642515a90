"""One analysis of a document's text: what lint says about it, the model built from it (when
the schema accepts it) and the index of its ids. The language server keeps the latest one per
document and answers completion and hover from it while the next is being built."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from ..core.diagnostics import Diagnostic
from ..load import parse_document
from ..compile.pipeline import LoadResult
from .index import Lines, SymbolIndex, build_index


@dataclass
class Snapshot:
    text: str
    version: int | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    result: LoadResult | None = None
    index: SymbolIndex = field(default_factory=SymbolIndex)
    data: Any = None  # the YAML data (None when it does not compose)
    logic: bool = False  # whether the solver's checks ran
    #: hover texts that need the model, and the outline, made once (``portable``): a
    #: snapshot that travels from the lint worker holds these instead of the model
    words: dict[tuple[Any, ...], str] | None = None
    symbols: list[Any] | None = None
    lines: Lines = field(init=False)

    def __post_init__(self) -> None:
        self.lines = Lines(self.text)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["lines"]  # made again from the text, faster than it travels
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lines = Lines(self.text)

    @property
    def draft(self) -> Any:
        """The model (built despite errors where the schema allowed), or None."""
        return self.result.draft if self.result is not None else None

    @property
    def sourcemap(self) -> Any:
        doc = self.result.document if self.result is not None else None
        return doc.sourcemap if doc is not None else None

    def facts(self) -> dict[str, Any]:
        facts = self.data.get("facts") if isinstance(self.data, dict) else None
        return facts if isinstance(facts, dict) else {}

    def fact(self, dotted: str) -> dict[str, Any] | None:
        """The declaration of ``amount`` or ``partner.tier`` as written."""
        node: Any = self.facts()
        decl = None
        for i, part in enumerate(dotted.split(".")):
            if i:
                node = decl.get("fields") if isinstance(decl, dict) else None
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                return None
            decl = node[part]
        return decl


def analyse(text: str, name: str, *, version: int | None = None, logic: bool = False,
            as_of: _dt.date | None = None, config: Any = None,
            solver_timeout: float | None = None, analysis_budget: float | None = None
            ) -> Snapshot:
    """Lint ``text`` as ``policyengine lint`` would (the solver's checks only with ``logic``)
    and index it."""
    from ..lint import LintContext, lint_text

    context = LintContext(as_of or _dt.date.today(), solver_timeout, analysis_budget)
    diagnostics, result = lint_text(text, name, context, logic=logic, config=config)
    doc = result.document
    data = doc.data if doc is not None else None
    smap = doc.sourcemap if doc is not None else None
    text = doc.source.text if doc is not None and doc.source is not None else text
    return Snapshot(text, version, diagnostics, result, build_index(data, smap), data, logic)


def index_only(text: str, name: str) -> Snapshot:
    """The ids of ``text`` without linting it (for navigation on a text newer than the last
    analysis)."""
    doc = parse_document(text, name)
    text = doc.source.text if doc.source is not None else text
    return Snapshot(text, None, [], None, build_index(doc.data, doc.sourcemap), doc.data)
