"""The formatter's edits on a ruamel.yaml round-trip tree: key order, flow or block style,
expression text and quoting. Walks with an explicit stack (the loader bounds the depth)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

from .order import flow_preferred, ordered, section_of

_FLOW_INDICATORS = frozenset(",[]{}")


def plain_reads_back(text: str, in_flow: bool) -> bool:
    """Whether ``text`` written as a plain scalar reads back as the same string, with the
    YAML 1.1 rules the loader applies (``no``, ``1:30``, ``~`` are not strings there)."""
    import yaml

    if not text or text != text.strip() or any(not ch.isprintable() for ch in text):
        return False
    if in_flow and any(ch in _FLOW_INDICATORS for ch in text):
        return False
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        block = yaml.load(f"k: {text}\n", Loader=loader)  # noqa: S506 (a safe loader)
        flow = yaml.load(f"[{text}]\n", Loader=loader) if in_flow else [text]  # noqa: S506
    except yaml.YAMLError:
        return False
    return block == {"k": text} and flow == [text]


def _quoted(text: str) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if any(not ch.isprintable() for ch in text) or ("'" in text and '"' not in text):
        return DoubleQuotedScalarString(text)
    return SingleQuotedScalarString(text)


def _scalar_width(value: Any, in_flow: bool) -> int:
    if isinstance(value, bool):
        return 4 if value else 5
    if value is None:
        return 4
    if isinstance(value, str):
        if plain_reads_back(value, in_flow):
            return len(value)
        return len(value) + 2 + value.count("'")
    return len(str(value))


def flow_width(node: Any) -> int:
    """The length of ``node`` written in flow style on one line."""
    total = 0
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            total += 2 + 2 * max(len(item) - 1, 0)
            for k, v in item.items():
                total += len(str(k)) + 2
                stack.append(v)
        elif isinstance(item, list):
            total += 2 + 2 * max(len(item) - 1, 0)
            stack.extend(item)
        else:
            total += _scalar_width(item, True)
    return total


def _own_comments(node: Any) -> bool:
    ca = getattr(node, "ca", None)
    if ca is None:
        return False
    if ca.comment and any(c for c in ca.comment):
        return True
    if any(any(c for c in entry) for entry in ca.items.values() if entry):
        return True
    return bool(getattr(ca, "end", None))


def has_comments(node: Any) -> bool:
    """Whether ``node`` or anything inside it holds a comment (flow style would drop it)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if _own_comments(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _slot_comment(parent: Any, key: Any) -> bool:
    """Whether the entry ``parent[key]`` has a comment of its own (at the end of its line)."""
    ca = getattr(parent, "ca", None)
    entry = ca.items.get(key) if ca is not None else None
    return bool(entry and any(c for c in entry))


def restore_comments(root: Any, text: str, lost: "Counter[str]") -> None:  # noqa: C901
    """Put back the comment lines ruamel.yaml drops: those between two items of a list when
    the first is a flow mapping without an end-of-line comment (ruamel keeps no slot for
    them). They are attached after that item, where they were."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    lines = text.split("\n")
    stack: list[Any] = [root]
    while stack:
        node: Any = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
            continue
        if not isinstance(node, list):
            continue
        stack.extend(node)
        lc = getattr(node, "lc", None)
        data = getattr(lc, "data", None)
        if not data:
            continue
        for i in range(len(node) - 1):
            item = node[i]
            fa = getattr(item, "fa", None)
            if not isinstance(item, dict) or fa is None or not fa.flow_style():
                continue
            ca: Any = getattr(node, "ca")
            entry = ca.items.get(i)
            if entry and entry[0] is not None:
                continue
            if i not in data or i + 1 not in data:
                continue
            block: list[str] = []
            n = data[i + 1][0] - 1
            while n > data[i][0]:
                stripped = lines[n].strip()
                if stripped and not stripped.startswith("#"):
                    break
                block.append(lines[n])
                n -= 1
            block.reverse()
            while block and not block[0].strip():
                block.pop(0)
            block = [b for b in block if not b.strip() or lost[b.strip()] > 0]
            for b in block:
                if b.strip():
                    lost[b.strip()] -= 1
            if any(b.strip().startswith("#") for b in block):
                slot = ca.items.setdefault(i, [None, None, None, None])
                slot[0] = CommentToken("\n" + "\n".join(block) + "\n", CommentMark(0), None)


def _expressions(policy: Any) -> dict[tuple[Any, ...], str]:
    """The canonical text of every expression of a loaded policy, by YAML path."""
    out: dict[tuple[Any, ...], str] = {}

    def put(path: Any, key: str, expr: Any) -> None:
        if path is not None and expr is not None:
            out[tuple(path) + (key,)] = expr.canonical

    for c in policy.categories:
        put(c.path, "when", c.when)
        for b in c.bands:
            put(b.path, "when", b.when)
    for o in policy.overrides:
        put(o.path, "when", o.when)
    for r in policy.remedies:
        put(r.path, "when", r.when)
        put(r.path, "amount", r.amount)
    return out


def _trailing_slot(node: Any, key: Any) -> tuple[Any, Any]:
    """The (collection, key) whose comment slot holds what follows ``node[key]``: the deepest
    last entry of a block collection, else the entry itself."""
    while True:
        child = node[key]
        fa = getattr(child, "fa", None)
        if isinstance(child, (dict, list)) and child and fa is not None \
                and not fa.flow_style():
            node, key = child, (list(child.keys())[-1] if isinstance(child, dict)
                                else len(child) - 1)
            continue
        return node, key


def _slot_index(node: Any) -> int:
    return 2 if isinstance(node, dict) else 0  # ruamel: a map's comment after the value, a list's


def _cut_rest(node: Any, key: Any) -> str:
    """Remove and return the lines after ``node[key]``'s last line (blank lines and comment
    lines, which belong before whatever follows); its end-of-line comment stays."""
    owner, okey = _trailing_slot(node, key)
    entry = owner.ca.items.get(okey)
    idx = _slot_index(owner)
    if not entry or entry[idx] is None:
        return ""
    token = entry[idx]
    value = token.value
    cut = value.find("\n")
    if cut == -1 or cut == len(value) - 1:
        return ""
    token.value = value[:cut + 1]
    if token.value == "\n":
        entry[idx] = None
    rest: str = value[cut + 1:]
    return rest


def _append_rest(node: Any, key: Any, rest: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    if not rest:
        return
    owner, okey = _trailing_slot(node, key)
    idx = _slot_index(owner)
    slot = owner.ca.items.setdefault(okey, [None, None, None, None])
    if slot[idx] is None:
        slot[idx] = CommentToken("\n" + rest, CommentMark(0), None)
    elif slot[idx].value.endswith("\n"):
        slot[idx].value += rest
    else:
        slot[idx].value += "\n" + rest


def _token_text(token: Any) -> str:
    value: str = token.value
    return value if value.startswith("\n") else " " * token.column + value


def reorder(node: Any, want: list[Any], root: bool = False) -> None:
    """Put a mapping's keys in the order ``want``: the comment lines and blank lines above a
    key move with it, the end-of-line comment stays on its line, and what followed the last
    entry follows the new last entry."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    keys = list(node.keys())
    leading: dict[Any, str] = {}
    for i, k in enumerate(keys):
        text = _cut_rest(node, keys[i - 1]) if i else ""
        entry = node.ca.items.get(k)
        if entry and entry[1]:
            text += "".join(_token_text(t) for t in entry[1])
            entry[1] = None
        leading[k] = text
    after = _cut_rest(node, keys[-1])
    for k in want:
        node.move_to_end(k)
    # blank lines separate positions (they stay where they were); comment lines move with
    # the key below them
    gaps = [leading[k][:len(leading[k]) - len(leading[k].lstrip("\n"))] for k in keys]
    first = leading[want[0]].lstrip("\n")
    if first and not root:
        # nothing may stand between a list item's dash (or a key) and its first entry: the
        # comment lines that were above the new first key go below it
        leading[want[0]] = ""
        if len(want) > 1:
            leading[want[1]] = first + leading[want[1]].lstrip("\n")
        else:
            after = first + after
    for j, k in enumerate(want):
        text = gaps[j] + leading[k].lstrip("\n")
        if text:
            node.ca.items.setdefault(k, [None, None, None, None])[1] = [
                CommentToken(text, CommentMark(0), None)]
    _append_rest(node, want[-1], after)


class Layout:
    """Apply the formatter's rules to a round-trip tree. ``policy`` (the loaded rulebook, or
    None for the conservative pass) enables expression printing and quoting of YAML 1.1
    surprises."""

    def __init__(self, policy: Any, width: int):
        self.full = policy is not None
        self.width = width
        self.expressions = _expressions(policy) if policy is not None else {}

    def apply(self, root: Any) -> None:
        # (node, path, column of its keys or dashes, inside a flow collection)
        stack: list[tuple[Any, tuple[Any, ...], int, bool]] = [(root, (), 0, False)]
        while stack:
            node, path, col, in_flow = stack.pop()
            if isinstance(node, dict):
                self._order(node, path)
                for key, child, child_path in self._children(node, path):
                    self._visit(node, key, child, child_path, col + len(str(key)) + 2, col + 2,
                                in_flow, stack)
            elif isinstance(node, list):
                for i, child in enumerate(node):
                    self._visit(node, i, child, path + (i,), col + 2, col + 2, in_flow, stack)

    @staticmethod
    def _children(node: dict[Any, Any], path: tuple[Any, ...]
                  ) -> Iterator[tuple[Any, Any, tuple[Any, ...]]]:
        for key in list(node.keys()):
            yield key, node[key], path + (key,)

    def _visit(self, parent: Any, key: Any, child: Any, path: tuple[Any, ...], inline_at: int,
               block_at: int, in_flow: bool, stack: list[Any]) -> None:
        if isinstance(child, (dict, list)):
            flow = in_flow or self._flow(child, path, inline_at, _slot_comment(parent, key),
                                         _own_comments(parent))
            stack.append((child, path, block_at, flow))
        elif isinstance(child, str):
            new = self._scalar(child, path, in_flow)
            if new is not child:  # ruamel's __setitem__ would keep the old quoting style
                (dict.__setitem__ if isinstance(parent, dict) else list.__setitem__)(
                    parent, key, new)

    def _order(self, node: Any, path: tuple[Any, ...]) -> None:
        keys = list(node.keys())
        want = ordered([k for k in keys if isinstance(k, str)], section_of(path))
        want += [k for k in keys if not isinstance(k, str)]
        if want != keys:
            reorder(node, want, root=not path)

    def _flow(self, node: Any, path: tuple[Any, ...], at: int, commented: bool,
              among_comments: bool) -> bool:
        fa = getattr(node, "fa", None)
        if fa is None:
            return False
        written_flow = bool(fa.flow_style())
        if isinstance(node, list) or not node or commented or has_comments(node):
            return written_flow  # lists, empty maps and commented maps stay as written
        flow = (written_flow or flow_preferred(path)) and at + flow_width(node) <= self.width
        if written_flow and not flow and among_comments:
            return True  # ruamel.yaml cannot always open a block among commented siblings
        if flow:
            fa.set_flow_style()
        else:
            fa.set_block_style()
        return flow

    def _scalar(self, value: str, path: tuple[Any, ...], in_flow: bool) -> Any:
        from ruamel.yaml.scalarstring import (
            DoubleQuotedScalarString,
            FoldedScalarString,
            LiteralScalarString,
            SingleQuotedScalarString,
        )

        text = str(value)
        canonical = self.expressions.get(path)
        if canonical is not None and canonical != text:
            text = canonical
        elif isinstance(value, (LiteralScalarString, FoldedScalarString)):
            return value  # a block scalar stays one
        if plain_reads_back(text, in_flow):
            return text
        if isinstance(value, DoubleQuotedScalarString) and text.isprintable():
            return DoubleQuotedScalarString(text)  # needed quotes keep the style written
        if isinstance(value, SingleQuotedScalarString) and text.isprintable():
            return SingleQuotedScalarString(text)
        if self.full or canonical is not None:
            return _quoted(text)
        return value  # a plain scalar the conservative pass leaves as written
