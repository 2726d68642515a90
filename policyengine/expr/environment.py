"""The names an expression may read, with their types: the rulebook's declared facts, or any
name at all (``dyn``) when there are no declarations."""

from __future__ import annotations

from typing import Any, Mapping

from .types import DYN, DeclarationError, from_declaration


class Environment:
    """The names an expression may read, with their types.

    ``Environment.from_declarations(facts)`` types the rulebook's facts; ``Environment.dynamic()``
    lets every free name through as ``dyn`` (checked at run time instead).
    """

    def __init__(self, variables: Mapping[str, Any] | None = None, *, dynamic: bool = False
                 ) -> None:
        self.variables: dict[str, Any] = dict(variables or {})
        self.is_dynamic = dynamic  # not `dynamic`: that is the classmethod
        self.declarations: Mapping[str, Any] | None = None

    @classmethod
    def from_declarations(cls, facts: Mapping[str, Any] | None) -> "Environment":
        if facts is None:
            return cls.dynamic()
        if not isinstance(facts, Mapping):
            raise DeclarationError("the declarations are a mapping of fact names to declarations")
        env = cls({str(name): from_declaration(decl, str(name)) for name, decl in facts.items()})
        env.declarations = facts
        return env

    @classmethod
    def dynamic(cls) -> "Environment":
        return cls({}, dynamic=True)

    def lookup(self, name: str) -> Any:
        t = self.variables.get(name)
        if t is None and self.is_dynamic:
            return DYN
        return t
