"""The language's fixed words and limits, shared by both parsers (``to_ast`` behind lark and
``fast_parser``) without importing lark: a rulebook whose expressions the fast parser reads
whole never imports it."""

from __future__ import annotations

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: Words CEL reserves: never a name (they may still follow a dot, as a field or method name).
RESERVED = frozenset(
    "as break const continue else for function if import let loop package namespace return "
    "var void while in true false null and or not".split()
)

#: the macros, by name: the numbers of arguments that make a call the macro
MACRO_ARITY = {"all": (2,), "exists": (2,), "exists_one": (2,), "filter": (2,), "map": (2, 3)}
