"""A sentence composed once and marked up per format.

A :data:`Sentence` is a tuple of :class:`Part`: the renderer's own words (``text``), the
rulebook's words (``value``: escaped by each format), and emphasised words of our own
(``strong``). The playbook composes its sentences once (:mod:`.playbook`); Markdown and HTML
mark them up (:func:`markdown`, :func:`html`); text output takes them as they read
(:func:`plain`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as _html_escape
from typing import Iterable, Literal

from .markdown import escape as _md_escape


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    kind: Literal["text", "value", "strong"] = "text"


Sentence = tuple[Part, ...]


def value(text: str) -> Part:
    """Words from the rulebook (a title, a condition in words): escaped by each format."""
    return Part(text, "value")


def strong(text: str) -> Part:
    """Our own words, emphasised (``**bold**``, ``<b>bold</b>``)."""
    return Part(text, "strong")


def sentence(*parts: str | Part) -> Sentence:
    """A sentence of parts; a plain ``str`` is the renderer's own words."""
    return tuple(p if isinstance(p, Part) else Part(p) for p in parts)


def joined(values: Iterable[str], separator: str) -> list[Part]:
    """Rulebook words joined by our own separator: ``a, b, c``."""
    out: list[Part] = []
    for i, v in enumerate(values):
        if i:
            out.append(Part(separator))
        out.append(value(v))
    return out


def markdown(s: Sentence) -> str:
    return "".join(p.text if p.kind == "text" else _md_escape(p.text) if p.kind == "value"
                   else f"**{p.text}**" for p in s)


def html(s: Sentence) -> str:
    return "".join(p.text if p.kind == "text" else _html_escape(p.text, quote=True)
                   if p.kind == "value" else f"<b>{p.text}</b>" for p in s)


def plain(s: Sentence) -> str:
    return "".join(p.text for p in s)
