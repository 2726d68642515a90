"""Stage 1: bytes -> RawDocument(data, SourceMap), refusing hostile and careless YAML."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..core.diagnostics import Diagnostic, Severity
from ..core.source import SourceFile
from .reader import DEFAULT_MAX_BYTES, decode, find_tabs, read_bytes
from .sourcemap import SourceMap
from .yaml_safe import DEFAULT_MAX_DEPTH, compose

__all__ = ["RawDocument", "read_document", "parse_document", "DEFAULT_MAX_BYTES",
           "DEFAULT_MAX_DEPTH"]


@dataclass
class RawDocument:
    data: Any  # None when the file could not be composed
    sourcemap: SourceMap | None
    source: SourceFile | None
    diagnostics: list[Diagnostic]


def parse_document(raw: bytes | str, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_depth: int = DEFAULT_MAX_DEPTH) -> RawDocument:
    """Bytes or text -> RawDocument. Never raises for bad input: problems are diagnostics."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogatepass")
    source, diags = decode(raw, name, max_bytes=max_bytes)
    if source is None:
        return RawDocument(None, None, None, diags)
    tabs = find_tabs(source)
    data, smap, composed = compose(source, max_depth=max_depth)
    tab_lines = {d.line for d in tabs}
    composed = [d for d in composed if not (d.code == "PE003" and d.line in tab_lines)]
    return RawDocument(data, smap, source, tabs + composed)


def read_document(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_depth: int = DEFAULT_MAX_DEPTH, display: str | None = None) -> RawDocument:
    name = display if display is not None else os.fspath(path)
    raw, diags = read_bytes(path, max_bytes=max_bytes, display=name)
    if raw is None:
        return RawDocument(None, None, None, diags)
    return parse_document(raw, name, max_bytes=max_bytes, max_depth=max_depth)


def is_error(d: Diagnostic) -> bool:
    return d.severity is Severity.ERROR
