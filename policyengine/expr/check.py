"""The type checker: AST + environment -> typed AST, the fact paths it reads, and issues.

``analyze`` never raises for bad user text: a syntax error becomes a PE601 issue, and every type
problem an issue with its code, a one-line message, a computed hint (the nearest declared name,
field or enum value) and the span of the offending token. The walk is a :class:`~.visitor.Fold`
(iterative), so 5,000-deep input is fine. Types follow CEL's checker, with two deliberate leniencies for policy authors:
``int`` and ``double`` may be compared (``amount >= 100000``), and ``null`` may be compared with
anything. Arithmetic never mixes ``int`` and ``double``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..core.errors import ExpressionError
from ..core.suggest import did_you_mean, one_of
from . import ast
from .parser import parse_expression
from .environment import Environment
from .types import (BOOL, DOUBLE, DYN, INT, NULL, STRING, EnumType, ListType, MapType, base, cap,
                    comparable_eq, elem_of, is_numeric, join, ordered, typed_values)
from .functions import compile_regex
from .values import CelError
from .visitor import Fold


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about an expression; ``start``/``end`` are 0-based offsets, end exclusive."""

    code: str
    severity: str
    message: str
    hint: Optional[str]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """What ``analyze`` found out about one expression."""

    text: str
    ast: Any
    type: Any
    reads: tuple[Any, ...]
    issues: tuple[Any, ...]
    env: Environment

    @property
    def ok(self) -> bool:
        issues = self.issues
        return not issues or not any(i.severity == "error" for i in issues)


#: name -> allowed argument counts, for the function (global) and method (receiver) forms.
FUNCTIONS = {"size": (1,), "matches": (2,), "int": (1,), "double": (1,), "string": (1,),
             "bool": (1,), "dyn": (1,)}
METHODS = {"size": (0,), "contains": (1,), "startsWith": (1,), "endsWith": (1,), "matches": (1,)}
_CONVERSIONS = {"int": (INT, (INT, DOUBLE, STRING)), "double": (DOUBLE, (INT, DOUBLE, STRING)),
                "string": (STRING, (INT, DOUBLE, STRING, BOOL)), "bool": (BOOL, (BOOL, STRING))}
_ARITH = {"+", "-", "*", "/", "%"}
_ORDER = {"<", "<=", ">", ">="}
_TYPE_CODES = {"PE602", "PE603", "PE604", "PE605", "PE606", "PE607", "PE608", "PE609"}


def analyze(text: str, env: Environment | None = None, expect: str | None = None, *,
            check: bool = True) -> Analysis:
    """Parse and type-check ``text``; never raises for bad user text.

    ``expect``: ``"bool"`` (a ``when``: a non-bool is PE606), ``"number"`` (an ``amount``: a
    non-number is PE607) or None. ``check=False`` is CEL's "disable_check": type problems are not
    reported and become run-time errors instead.
    """
    env = env if env is not None else Environment.dynamic()
    try:
        tree = parse_expression(text)
    except ExpressionError as err:
        span = err.span or (0, len(text) if isinstance(text, str) else 0)
        issue = Issue(err.code if err.code.startswith("PE") else "PE601", "error", err.message,
                      err.hint, span[0], span[1])
        return Analysis(text, None, None, (), (issue,), env)
    checker = _Checker(text, env, check)
    typed = checker.run(tree)
    if check and expect == "bool" and not (base(typed.type) in (BOOL, DYN)):
        checker.issue("PE606", f"a condition must be `bool`, this one is `{typed.type}`", typed,
                      "compare the value, e.g. `amount > 0.0`, or test a `bool` fact")
    if check and expect == "number" and not (is_numeric(typed.type) or typed.type == DYN):
        checker.issue("PE607", f"an amount must be a number (`int` or `double`), this one is "
                      f"`{typed.type}`", typed, "compute a number, e.g. `amount * 0.1`")
    issues = tuple(sorted(checker.issues, key=lambda i: (i.start, i.end, i.code)))
    return Analysis(text, typed, typed.type, tuple(sorted(checker.reads)), issues, env)


_LITERAL_TYPES = {"int": INT, "double": DOUBLE, "string": STRING, "bool": BOOL, "null": NULL}

_Scope = dict[str, Any]  # comprehension variable -> its type


class _Checker(Fold[_Scope, ast.Node]):
    """Each node's typed copy from its children's typed copies (a :class:`~.visitor.Fold`)."""

    def __init__(self, text: str, env: Environment, check: bool):
        self.text = text
        self.env = env
        self.check = check
        self.issues: list[Issue] = []
        self.reads: set[str] = set()
        self.paths: dict[int, str] = {}  # id(typed node) -> dotted fact path

    # --- driver ------------------------------------------------------------------------------
    def run(self, root: ast.Node) -> ast.Node:
        result = self.fold(root, {})
        self._read(result)
        return result

    def bind(self, node: ast.Comprehension, target: ast.Node, scope: _Scope) -> _Scope:
        var_type = elem_of(target.type)
        if var_type is None:
            self.issue("PE605", f"`{node.macro}` needs a list or a map, not "
                       f"`{target.type}`", target)
            var_type = DYN
        return {**scope, node.var: var_type}

    def _reading(self, kids: tuple[ast.Node, ...], typed: ast.Node) -> ast.Node:
        """``typed``, once the fact paths its operands read are recorded (a field selection
        reads the longer path instead, recorded by the parent that uses it)."""
        for kid in kids:
            self._read(kid)
        return typed

    def _read(self, node: ast.Node) -> None:
        path = self.paths.get(id(node))
        if path is not None:
            self.reads.add(path)

    # --- helpers -------------------------------------------------------------------------------
    def issue(self, code: str, message: str, where: ast.Node | tuple[int, int],
              hint: str | None = None) -> None:
        if not self.check and code in _TYPE_CODES:
            return
        span = where if isinstance(where, tuple) else (where.span or (0, len(self.text)))
        self.issues.append(Issue(code, "error", message, hint, span[0], span[1]))

    def src(self, node: ast.Node) -> str:
        if node.span is None:
            return "..."
        shown = self.text[node.span[0]:node.span[1]]
        return shown if len(shown) <= 60 else shown[:57] + "..."

    @staticmethod
    def typed(node: ast.Node, kids: tuple[ast.Node, ...], t: Any) -> ast.Node:
        return ast.retyped(node, kids, t)

    # --- one method per node kind --------------------------------------------------------------
    def visit_literal(self, node: ast.Literal, kids: tuple[ast.Node, ...], scope: _Scope
                      ) -> ast.Node:
        return self.typed(node, (), _LITERAL_TYPES[node.kind])

    def visit_name(self, node: ast.Name, kids: tuple[ast.Node, ...], scope: _Scope) -> ast.Node:
        return self.name(node, scope)

    def visit_select(self, node: ast.Select, kids: tuple[ast.Node, ...], scope: _Scope
                     ) -> ast.Node:
        return self.select(node, kids)

    def visit_index(self, node: ast.Index, kids: tuple[ast.Node, ...], scope: _Scope) -> ast.Node:
        return self._reading(kids, self.typed(node, kids, self.index_type(node, *kids)))

    def visit_call(self, node: ast.Call, kids: tuple[ast.Node, ...], scope: _Scope) -> ast.Node:
        return self._reading(kids, self.typed(node, kids, self.call_type(node, kids)))

    def visit_unary(self, node: ast.Unary, kids: tuple[ast.Node, ...], scope: _Scope) -> ast.Node:
        return self._reading(kids, self.typed(node, kids, self.unary_type(node, kids[0])))

    def visit_binary(self, node: ast.Binary, kids: tuple[ast.Node, ...], scope: _Scope
                     ) -> ast.Node:
        return self._reading(kids, self.typed(node, kids, self.binary_type(node, *kids)))

    def visit_ternary(self, node: ast.Ternary, kids: tuple[ast.Node, ...], scope: _Scope
                      ) -> ast.Node:
        return self._reading(kids, self.typed(node, kids, self.ternary_type(*kids)))

    def visit_list_lit(self, node: ast.ListLit, kids: tuple[ast.Node, ...], scope: _Scope
                       ) -> ast.Node:
        elem: Any = kids[0].type if kids else DYN
        for k in kids[1:]:
            elem = join(elem, k.type)
        t = cap(ListType(base(elem) if type(elem) is EnumType else elem))
        return self._reading(kids, self.typed(node, kids, t))

    def visit_map_lit(self, node: ast.MapLit, kids: tuple[ast.Node, ...], scope: _Scope
                      ) -> ast.Node:
        return self._reading(kids, self.typed(node, kids, self.map_type(kids)))

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[ast.Node, ...],
                            scope: _Scope, inner: _Scope) -> ast.Node:
        t = self.comprehension_type(node, kids)
        return self._reading(kids, self.typed(node, kids, t))

    def name(self, node: ast.Name, scope: _Scope) -> ast.Node:
        if node.name in scope:
            return self.typed(node, (), scope[node.name])
        t = self.env.lookup(node.name)
        if t is None:
            candidates = [*self.env.variables, *scope]
            self.issue("PE602", f"unknown name `{node.name}`", node,
                       did_you_mean(node.name, candidates)
                       or (f"declared facts: {one_of(self.env.variables)}" if self.env.variables
                           else "declare it under `facts:`"))
            t = DYN
        typed = self.typed(node, (), t)
        if node.name not in scope:
            self.paths[id(typed)] = node.name
        return typed

    def select(self, node: ast.Select, kids: tuple[ast.Node, ...]) -> ast.Node:
        operand = kids[0]
        ot = base(operand.type)
        t = DYN
        if type(ot) is MapType and ot.fields is not None:
            ft = ot.field(node.field)
            if ft is None:
                names = [name for name, _ in ot.fields]
                self.issue("PE603", f"`{self.src(operand)}` has no field `{node.field}`", node,
                           did_you_mean(node.field, names)
                           or (f"its fields: {one_of(names)}" if names else None))
            else:
                t = ft
        elif type(ot) is MapType:
            if base(ot.key) not in (STRING, DYN):
                self.issue("PE605", f"`{self.src(operand)}` is a `{ot}`: select a key with "
                           f"`[...]`", node)
            t = ot.value
        elif ot != DYN:
            self.issue("PE605", f"type `{operand.type}` does not support field selection", node)
        typed = self.typed(node, kids, BOOL if node.test else t)
        parent = self.paths.get(id(operand))
        if parent is not None:
            self.paths[id(typed)] = f"{parent}.{node.field}"
        return typed

    def index_type(self, node: ast.Node, operand: ast.Node, key: ast.Node) -> Any:
        ot, kt = base(operand.type), base(key.type)
        if ot == DYN:
            return DYN
        if type(ot) is ListType:
            if kt not in (INT, DYN):
                self.issue("PE605", f"a list index must be an `int`, not `{key.type}`", key)
            return ot.elem
        if type(ot) is MapType:
            if not comparable_eq(ot.key, kt):
                self.issue("PE605", f"a key of `{self.src(operand)}` is a `{ot.key}`, not "
                           f"`{key.type}`", key)
            if ot.fields is not None and type(key) is ast.Literal and key.kind == "string":
                ft = ot.field(key.value)
                if ft is None:
                    names = [name for name, _ in ot.fields]
                    self.issue("PE603", f"`{self.src(operand)}` has no field `{key.value}`", key,
                               did_you_mean(key.value, names))
                    return DYN
                return ft
            return ot.value
        self.issue("PE605", f"type `{operand.type}` cannot be indexed", node)
        return DYN

    def unary_type(self, node: ast.Unary, operand: ast.Node) -> Any:
        t = base(operand.type)
        if node.op == "!":
            if t not in (BOOL, DYN):
                self.issue("PE605", f"operator `!` needs a `bool`, not `{operand.type}`", node)
            return BOOL
        if t in (INT, DOUBLE, DYN):
            return t
        self.issue("PE605", f"operator `-` needs a number, not `{operand.type}`", node)
        return DYN

    def binary_type(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        op = node.op
        lt, rt = base(left.type), base(right.type)
        if op in ("&&", "||"):
            for side in (left, right):
                if base(side.type) not in (BOOL, DYN):
                    self.issue("PE605", f"operator `{op}` needs `bool` operands, not "
                               f"`{side.type}`", side)
            return BOOL
        if op in ("==", "!="):
            if not comparable_eq(lt, rt):
                self.mismatch(node, left, right, "compare")
            else:
                self.enum_equality(left, right)
            return BOOL
        if op in _ORDER:
            if not ordered(lt, rt):
                self.mismatch(node, left, right, "compare")
            return BOOL
        if op == "in":
            return self.in_type(node, left, right)
        return self.arith_type(node, left, right)

    def in_type(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        rt = base(right.type)
        if rt == DYN:
            return BOOL
        if type(rt) is ListType:
            if not comparable_eq(left.type, rt.elem):
                self.issue("PE605", f"operator `in` cannot look for a `{left.type}` in a "
                           f"`{right.type}`", node)
            elif type(right) is ast.ListLit and type(left.type) is EnumType:
                for item in right.items:
                    self.enum_value(left, item)
            elif type(rt.elem) is EnumType and type(left) is ast.Literal:
                self.enum_value(right, left, rt.elem)
            return BOOL
        if type(rt) is MapType:
            if not comparable_eq(left.type, rt.key):
                self.issue("PE605", f"operator `in` cannot look for a `{left.type}` key in a "
                           f"`{right.type}`", node)
            return BOOL
        self.issue("PE605", f"operator `in` needs a list or a map on its right, not "
                   f"`{right.type}`", right)
        return BOOL

    def arith_type(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        op = node.op
        lt, rt = base(left.type), base(right.type)
        if lt == DYN or rt == DYN:
            known = rt if lt == DYN else lt
            allowed = (INT,) if op == "%" else (INT, DOUBLE) if op != "+" else (INT, DOUBLE, STRING)
            if known == DYN or known in allowed or (op == "+" and type(known) is ListType):
                return DYN
            self.mismatch(node, left, right, "combine")
            return DYN
        if lt == rt and (lt == INT or (lt == DOUBLE and op != "%")):
            return lt
        if op == "+" and lt == rt == STRING:
            return STRING
        if op == "+" and type(lt) is ListType and type(rt) is ListType:
            return ListType(join(lt.elem, rt.elem))
        self.mismatch(node, left, right, "combine")
        return DYN

    def mismatch(self, node: ast.Binary, left: ast.Node, right: ast.Node, verb: str) -> None:
        lt, rt = base(left.type), base(right.type)
        hint = None
        if is_numeric(lt) and is_numeric(rt):
            if node.op == "%":
                hint = "`%` applies to `int` only"
            else:
                lit = right if type(right) is ast.Literal else left if type(left) is ast.Literal else None
                if lit is not None and lit.kind == "int":
                    hint = f"write `{lit.value}.0`: CEL never mixes `int` and `double` in arithmetic"
                else:
                    hint = "CEL never mixes `int` and `double` in arithmetic: convert one side " \
                           "with `double(...)` or `int(...)`"
        else:
            for side, other in ((right, left), (left, right)):
                lit = side if isinstance(side, ast.Literal) else None
                if lit is not None and lit.kind == "string" and is_numeric(other.type):
                    try:
                        float(lit.value)
                        hint = f"`{self.src(other)}` is a number (`{other.type}`): write it " \
                               f"without quotes, `{lit.value}`"
                    except ValueError:
                        pass
        self.issue("PE605", f"operator `{node.op}` cannot {verb} `{left.type}` with "
                   f"`{right.type}`", node, hint)

    def enum_equality(self, left: ast.Node, right: ast.Node) -> None:
        if type(left.type) is EnumType and type(right) is ast.Literal:
            self.enum_value(left, right)
        elif type(right.type) is EnumType and type(left) is ast.Literal:
            self.enum_value(right, left)

    def enum_value(self, fact: ast.Node, literal: ast.Node, enum: EnumType | None = None) -> None:
        enum = enum or fact.type
        if type(literal) is not ast.Literal or type(enum) is not EnumType:
            return
        if literal.kind != ("string" if enum.base == STRING else "int"):
            return
        if (type(literal.value), literal.value) in typed_values(enum):
            return
        shown = [str(v) for v in enum.values]
        hint = did_you_mean(str(literal.value), shown) or f"its values: {one_of(shown)}"
        self.issue("PE604", f"`{literal.value}` is not a value of `{self.src(fact)}`", literal,
                   hint)

    def ternary_type(self, cond: ast.Node, then: ast.Node, orelse: ast.Node) -> Any:
        if base(cond.type) not in (BOOL, DYN):
            self.issue("PE605", f"the condition of `?:` must be `bool`, not `{cond.type}`", cond)
        a, b = base(then.type), base(orelse.type)
        if a == NULL or b == NULL:  # a value or null: only known at run time
            return a if a == b else DYN
        if not comparable_eq(a, b):
            self.issue("PE605", f"the branches of `?:` differ: `{then.type}` and "
                       f"`{orelse.type}`", orelse)
        return join(a, b)

    def map_type(self, kids: tuple[ast.Node, ...]) -> Any:
        keys, vals = kids[0::2], kids[1::2]
        kt = vt = None
        for k in keys:
            if base(k.type) not in (STRING, INT, BOOL, DYN):
                self.issue("PE605", f"a map key is a `string`, `int` or `bool`, not `{k.type}`", k)
            kt = k.type if kt is None else join(kt, k.type)
        for v in vals:
            vt = v.type if vt is None else join(vt, v.type)
        return cap(MapType(base(kt) if kt is not None else DYN, base(vt) if vt is not None else DYN))

    def call_type(self, node: ast.Call, kids: tuple[ast.Node, ...]) -> Any:
        fn = node.function
        if node.target is None:
            table, args, shown = FUNCTIONS, kids, f"function `{fn}`"
        else:
            table, args, shown = METHODS, kids[1:], f"method `{fn}`"
        if fn not in table:
            other = METHODS if table is FUNCTIONS else FUNCTIONS
            hint = did_you_mean(fn, table)
            if hint is None and fn in other:
                hint = f"write `{fn}` as a {'method: x.' + fn + '(...)' if other is METHODS else 'function: ' + fn + '(x)'}"
            self.issue("PE608", f"unknown {shown}", node, hint)
            return DYN
        if len(args) not in table[fn]:
            want = table[fn][0]
            self.issue("PE608", f"{shown} takes {want} argument{'s' if want != 1 else ''}, "
                       f"got {len(args)}", node)
            return DYN
        operands = kids  # receiver first for methods
        if fn == "dyn":
            return DYN
        if fn in _CONVERSIONS:
            result, accepted = _CONVERSIONS[fn]
            t = base(operands[0].type)
            if t != DYN and t not in accepted:
                self.issue("PE605", f"`{fn}()` cannot convert a `{operands[0].type}`", node)
            return result
        if fn == "size":
            t = base(operands[0].type)
            if t not in (STRING, DYN) and type(t) not in (ListType, MapType):
                self.issue("PE605", f"`size` applies to a string, list or map, not "
                           f"`{operands[0].type}`", node)
            return INT
        for arg in operands:
            if base(arg.type) not in (STRING, DYN):
                self.issue("PE605", f"`{fn}` applies to strings, not `{arg.type}`", arg)
        if fn == "matches":
            pattern = operands[1]
            if type(pattern) is ast.Literal and pattern.kind == "string":
                prog = compile_regex(pattern.value)
                if type(prog) is CelError:
                    self.issue("PE609", prog.message, pattern,
                               "RE2 has no backreferences or look-around; see "
                               "https://github.com/google/re2/wiki/Syntax")
        return BOOL

    def comprehension_type(self, node: ast.Comprehension, kids: tuple[ast.Node, ...]) -> Any:
        target = kids[0]
        body = kids[-1]
        var_type = elem_of(target.type) or DYN
        checks = [kids[1]] if node.filter is not None else []
        if node.macro != "map":
            checks.append(body)
        for pred in checks:
            if base(pred.type) not in (BOOL, DYN):
                self.issue("PE605", f"the condition of `{node.macro}` must be `bool`, not "
                           f"`{pred.type}`", pred)
        if node.macro == "map":
            return cap(ListType(base(body.type)))
        if node.macro == "filter":
            return ListType(var_type)
        return BOOL
