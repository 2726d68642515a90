"""Escaping a user's string for the context it lands in: one function per context.

Every string a rulebook, a policy test or a dispute supplies (titles, ids, case names, keys,
values) may hold anything: line breaks, control characters, backticks, ``<script>``. Each
renderer passes it through the function of its context, so that it is shown as written and can
never end the context it sits in (a Mermaid label, a Markdown code span, a table cell, an XML
attribute, a terminal line). HTML and SVG use :func:`html.escape`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and lone
# surrogates (which no encoding can write)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """One line for a terminal: control characters (escape sequences, bells, carriage
    returns, line breaks) shown as ``\\x1b``-style escapes instead of acting."""
    return _CONTROL.sub(lambda m: _visible(m.group()), str(text))


def one_line(text: str) -> str:
    """Line breaks and runs of whitespace become one space; other control characters are shown
    as escapes (Markdown and Mermaid end a construct at a line break)."""
    text = _BREAKS.sub(" ", str(text)).replace("\t", " ")
    return _CONTROL.sub(lambda m: _visible(m.group()), text)


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids (most C0 controls, lone surrogates) shown
    as escapes; ElementTree then escapes ``<``, ``&`` and quotes."""
    return _XML_BAD.sub(lambda m: _visible(m.group()), str(text))


def xml_safe(root: "ET.Element") -> None:
    """Make every text, tail and attribute value of an ElementTree XML 1.0-safe, in place."""
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        if element.tail:
            element.tail = xml_text(element.tail)
        for key, value in element.attrib.items():
            element.attrib[key] = xml_text(value)


def mermaid(text: str) -> str:
    """Text inside a quoted Mermaid label: one line, entity-coded quotes, angle brackets,
    ``#``, ``&``, square brackets and backticks (a backtick starts Mermaid's Markdown
    strings)."""
    text = one_line(text)
    return (text.replace("#", "#35;").replace("&", "#38;").replace('"', "#quot;")
            .replace("<", "#lt;").replace(">", "#gt;").replace("`", "#96;")
            .replace("[", "#91;").replace("]", "#93;"))


__all__ = ["mermaid", "one_line", "terminal", "xml_safe", "xml_text"]
