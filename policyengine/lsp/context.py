"""What the cursor is on, read from the text alone (a half-typed file does not parse): the YAML
path of the mapping it is in, the key whose value it is typing (or the key it is typing), and
the text before it. Indentation, ``- `` items and one line of flow style (``{...}``, ``[...]``)
are understood; that is how rulebooks are written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .index import Lines

_KEY = re.compile(r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#'"{}\[\],:][^#{}\[\],:]*?)\s*:(?:\s+|$)""")


@dataclass(frozen=True)
class Cursor:
    path: tuple[Any, ...]  # the mapping the cursor is in (list indices counted from the text)
    key: str | None  # the key whose value is being typed; None when typing a key
    prefix: str  # the value (or key) typed so far, up to the cursor
    in_list: bool = False  # inside a flow list `[a, b, |`
    in_comment: bool = False
    comment: str = ""  # the comment's text up to the cursor

    @property
    def value_path(self) -> tuple[Any, ...]:
        return self.path + ((self.key,) if self.key is not None else ())


@dataclass(frozen=True)
class _Line:
    dashes: tuple[int, ...]  # columns of the `- ` item markers
    content: int  # column where the content starts (after the markers)
    key: str | None  # `key:` at the start of the content
    empty_value: bool  # `key:` with nothing after it (a block collection follows)


def _strip_comment(text: str) -> tuple[str, str | None]:
    if "#" not in text:
        return text, None
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " \t[{,:"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i], text[i:]
    return text, None


@lru_cache(maxsize=8192)
def _parse_line(text: str) -> _Line | None:
    body, _ = _strip_comment(text)
    if not body.strip():
        return None
    col = len(body) - len(body.lstrip(" "))
    dashes = []
    rest = body[col:]
    while rest.startswith("- ") or rest == "-":
        dashes.append(col)
        step = 2 if rest.startswith("- ") else 1
        rest = rest[step:]
        col += step
        extra = len(rest) - len(rest.lstrip(" "))
        rest, col = rest[extra:], col + extra
    m = _KEY.match(rest)
    key = m.group("key").strip("'\"") if m else None
    empty = m is not None and not rest[m.end():].strip()
    return _Line(tuple(dashes), col, key, empty)




def _index_above(lines: Lines, start: int, dash: int) -> int:
    """How many items of the list whose markers stand at column ``dash`` come before line
    ``start``'s item."""
    count = 0
    n = start - 1
    indents = lines.indents
    while n >= 0:
        ind = indents[n]
        n -= 1
        if ind is None or ind > dash:
            continue  # deeper content of an item (the common case, without parsing)
        info = _parse_line(lines.rows[n + 1])
        if info is None:
            continue
        if dash in info.dashes:
            count += 1
        elif info.content <= dash and not info.dashes:
            break
        elif info.dashes and min(info.dashes) < dash:
            break
    return count


def _ancestors(lines: Lines, line_no: int, target: int, dash: int | None) -> tuple[Any, ...]:
    """The path of the mapping whose keys stand at column ``target`` on line ``line_no``
    (``dash``: the column of that line's item marker, when the mapping is a list item)."""
    path: list[Any] = []
    n = line_no
    while True:
        if dash is not None:
            path.append(_index_above(lines, n, dash))
            target = dash
            dash = None
        n -= 1
        found = False
        indents = lines.indents
        n = min(n, len(indents) - 1)
        while n >= 0:
            ind = indents[n]
            if ind is None or ind > target:
                n -= 1
                continue  # blank, a comment, or deeper than what we look for
            info = _parse_line(lines.rows[n])
            if info is None:
                n -= 1
                continue
            if info.dashes and info.content == target and target not in info.dashes:
                # `- key: ...` opening the item our mapping belongs to
                dash = info.dashes[-1]
                path.append(_index_above(lines, n, dash))
                target = dash
                dash = None
                n -= 1
                continue
            if info.content < target and info.key is not None and info.empty_value:
                path.append(info.key)
                target = info.content
                if info.dashes:
                    dash = info.dashes[-1]
                found = True
                break
            if info.content < target and not info.dashes:
                return tuple(reversed(path))  # not under a key: give up here
            n -= 1
        if not found:
            return tuple(reversed(path))
        if dash is None and target == 0:
            return tuple(reversed(path))


def _flow_frame(rest: str) -> tuple[list[tuple[str, int]], str]:
    """The unclosed ``{``/``[`` of a line's content (with their positions) and the text after
    the innermost one, quotes in mind."""
    stack: list[tuple[str, int]] = []
    quote = None
    for i, ch in enumerate(rest):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "{[":
            stack.append((ch, i))
        elif ch in "}]" and stack:
            stack.pop()
    return stack, rest[stack[-1][1] + 1:] if stack else rest


def cursor_at(text: str | Lines, line: int, character: int) -> Cursor:
    """What the cursor is on (the YAML path above it, the key, what is typed so far), from the
    text alone (it works on a half-typed file); remembered per text."""
    lines = text if isinstance(text, Lines) else Lines(text)
    cached = lines.cursors.get((line, character))
    if cached is None:
        cached = _cursor_at(lines, line, character)
        if len(lines.cursors) > 64:
            lines.cursors.clear()
        lines.cursors[(line, character)] = cached
    return cached


def _cursor_at(lines: Lines, line: int, character: int) -> Cursor:
    full = lines.line(line)
    col = lines.offset(line, character) - lines.starts[line] if line < len(lines.starts) else 0
    before = full[:col]
    body, comment = _strip_comment(before)
    if comment is not None:
        return Cursor((), None, "", in_comment=True, comment=comment)
    indent = len(body) - len(body.lstrip(" "))
    rest = body[indent:]
    dash = None
    while rest.startswith("- ") or rest == "-":
        dash = indent
        rest = rest[2:] if rest.startswith("- ") else ""
        indent = dash + 2 + (len(rest) - len(rest.lstrip(" ")))
        rest = rest.lstrip(" ")
    if not body.strip():
        # a blank line: the cursor's column says which mapping it belongs to
        parent = _ancestors(lines, line, col, None)
        return Cursor(parent, None, "")
    stack, inner = _flow_frame(rest)
    m = _KEY.match(rest)
    outer_key = m.group("key").strip("'\"") if m else None
    parent = _ancestors(lines, line, indent, dash)
    if not stack:
        if m is None:
            return Cursor(parent, None, rest.strip())
        return Cursor(parent, outer_key, rest[m.end():])
    # inside flow style on this line
    path = list(parent)
    if outer_key is not None and stack[0][1] >= (m.end() if m else 0) - 1:
        path.append(outer_key)
    for kind, pos in stack[:-1]:
        seg = re.split(r",", rest[:pos])[-1].strip().lstrip("{[").strip()
        km = _KEY.match(seg)
        if km:
            path.append(km.group("key").strip("'\""))
    segment = re.split(r",", inner)[-1].lstrip()
    if stack[-1][0] == "[":
        key = str(path.pop()) if path and isinstance(path[-1], str) else None
        return Cursor(tuple(path), key, segment, in_list=True)
    km = _KEY.match(segment)
    if km is None:
        return Cursor(tuple(path), None, segment.strip())
    return Cursor(tuple(path), km.group("key").strip("'\""), segment[km.end():])
