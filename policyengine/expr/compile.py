"""Typed AST -> one Python expression over the bindings ``f``, compiled once.

Where the checker proved the types, the generated code is plain Python with no run-time type
dispatch: ``amount >= 100000`` on a double fact becomes ``(f['amount'] >= 100000.0)``,
``region in ["EMEA", "APAC"]`` a frozenset membership, ``partner.tier == "gold"``
``(f['partner']['tier'] == 'gold')``. Only operations that may fail (int arithmetic, division,
indexing, conversions, anything ``dyn``) call the helpers of :mod:`runtime`, and ``&&``/``||``
use their error-absorbing forms only when both operands may fail.

Safety: the source is built only from the typed AST. Literals enter through ``repr``, fact names
through ``repr`` as dictionary keys (never as identifiers), comprehension variables as generated
names ``v0, v1, ...``, and helpers and constants as globals named ``_pe_e<N>_<what>``; the
rulebook's text itself is never evaluated. A tree too deep for Python's compiler falls back to
the reference interpreter (``python_source`` is then None).
"""

from __future__ import annotations

import collections
import functools
import itertools
import math
import warnings
from types import CodeType, FunctionType
from typing import Any, Callable, Mapping, Optional, cast

from ..core.errors import ExpressionEvalError, ExpressionSyntaxError, ExpressionTypeError
from . import ast, runtime
from .bindings import binding_checker
from .check import Analysis, analyze
from .environment import Environment
from .cost import STEP_BUDGET, body_weight, budgeted, charger, estimate
from .interpret import interpret as _interpret
from .types import BOOL, DOUBLE, DYN, INT, NULL, STRING, ListType, MapType, base
from .functions import GLOBAL_FUNCTIONS, RECEIVER_FUNCTIONS, compile_regex
from .values import CelError, unbound_function
from .visitor import Fold

#: Deeper trees are run by the interpreter: Python's own compiler has a nesting limit.
MAX_COMPILED_DEPTH = 60

_COUNTER = itertools.count()
_SIMPLE = (INT, DOUBLE, STRING, BOOL)


class _Code:
    """One node's generated source: its text, whether it may raise, its type. Never changed
    once built (a plain slotted class: the generator builds one per node of every expression
    a rulebook holds, and a frozen dataclass's constructor costs three times as much)."""

    __slots__ = ("src", "may_error", "type")

    def __init__(self, src: str, may_error: bool, type: Any) -> None:
        self.src = src
        self.may_error = may_error
        self.type = type


class CompiledExpression:
    """An expression compiled once; evaluate it many times."""

    def __init__(self, analysis: Analysis, function: Callable[[Any], Any],
                 python_source: Optional[str], python_globals: Mapping[str, Any]):
        self.text: str = analysis.text
        self.ast = analysis.ast
        self.type = analysis.type
        self.reads: tuple[Any, ...] = analysis.reads
        self.analysis = analysis
        self.function = function
        self.python_source = python_source
        self.python_globals = dict(python_globals)
        # built on the first ``evaluate``: a loaded policy runs ``function`` on facts it has
        # checked itself, so most compiled expressions never need one
        self._check_bindings: Callable[[Any], Any] | None = None

    def evaluate(self, bindings: Mapping[str, Any]) -> Any:
        """Check ``bindings`` against the declarations, then run the compiled form."""
        check = self._check_bindings
        if check is None:
            check = self._check_bindings = binding_checker(self.analysis.env, self.reads)
        return self.function(check(bindings))

    def interpret(self, bindings: Mapping[str, Any]) -> Any:
        """The reference interpreter: same results and errors as ``function``."""
        if estimate(self.ast, self.analysis.env.declarations).high > STEP_BUDGET:
            return budgeted(lambda b: _run_interpreter(self.ast, b))(bindings)
        return _run_interpreter(self.ast, bindings)

    def __repr__(self) -> str:
        return f"<CompiledExpression {self.text!r}>"


def compile_expression(text: str, declarations: Mapping[str, Any] | None = None, *,
                       expect: str | None = None, check: bool = True) -> CompiledExpression:
    """Parse, check and compile ``text`` against ``declarations`` (the rulebook's ``facts``).

    Raises :class:`ExpressionSyntaxError` or :class:`ExpressionTypeError` (the first problem, with
    ``.issues`` holding all of them). ``check=False`` skips the static type errors (CEL's
    disable_check): mistyped operations then fail at run time instead.
    """
    try:
        env = Environment.from_declarations(declarations)
    except ValueError as err:
        raise ExpressionTypeError(str(err), text=text, code="PE605") from None
    analysis = analyze(text, env, expect, check=check)
    if not analysis.ok:
        errors = [i for i in analysis.issues if i.severity == "error"]
        first = errors[0]
        cls = ExpressionSyntaxError if first.code in ("PE601", "PE610") else ExpressionTypeError
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        exc = cls(first.message + more, text=text, span=(first.start, first.end),
                  hint=first.hint, code=first.code)
        exc.issues = tuple(analysis.issues)
        raise exc
    return compile_analysis(analysis)


def compile_analysis(analysis: Analysis) -> CompiledExpression:
    """Compile a successful :func:`analyze` result; ValueError if it has errors."""
    if not analysis.ok or analysis.ast is None:
        raise ValueError("cannot compile an expression with errors")
    root = analysis.ast
    number = next(_COUNTER)
    prefix = f"_pe_e{number}_"
    # only an expression whose worst case can exceed the step budget is instrumented; without
    # a comprehension the cost model's worst case is one step per node (expr/cost.py)
    height, nodes, loops = ast.shape(root)
    costly = (estimate(root, analysis.env.declarations).high if loops else nodes) > STEP_BUDGET
    if height <= MAX_COMPILED_DEPTH:
        gen = _Generator(_PREFIX, analysis.env)
        gen.costly = costly
        try:
            src = gen.generate(root).replace(_PREFIX, prefix)
            gen.globals = {k.replace(_PREFIX, prefix): v for k, v in gen.globals.items()}
            fn = _shared_function(prefix, gen.shape, gen.literals, gen.globals) or \
                _build_function(prefix, src, gen.globals)
            return CompiledExpression(analysis, budgeted(fn) if costly else fn, src,
                                      gen.globals)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            pass  # too big for Python's compiler: use the interpreter
    run = _interpreted(root)
    return CompiledExpression(analysis, budgeted(run) if costly else run, None, {})


#: Markers in generated source: a literal's place (``\\0<n>\\0``) and the expression's prefix.
#: Neither character can come from a rulebook: every text enters the source through ``repr``,
#: which escapes both.
_MARK, _PREFIX = "\x00", "\x01"
_SHAPE_PREFIX = "_pe_s_"  # the prefix of a shared shape's names, renamed per expression


def _filled(shape: str, literals: list[str]) -> str:
    parts = shape.split(_MARK)
    for i in range(1, len(parts), 2):
        parts[i] = literals[int(parts[i])]
    return "".join(parts)


def _stand_in(kind: type, i: int) -> Any:
    """A value of the literal's type that no other constant of a generated function equals."""
    if kind is str:
        return f"\x02pe{i}"
    if kind is int:
        return 2 ** 62 + i
    return 0.25 + i


def _key(value: Any) -> tuple[type, Any] | None:
    return (type(value), value) if type(value) in (str, int, float) else None


def _constants(code: CodeType, out: list[Any]) -> list[Any]:
    for c in code.co_consts:
        if isinstance(c, CodeType):
            _constants(c, out)
        elif type(c) is tuple:
            stack = [c]
            while stack:
                for item in stack.pop():
                    (stack.append(item) if type(item) is tuple else out.append(item))
        else:
            out.append(c)
    return out


@functools.lru_cache(maxsize=1024)
def _shared_code(shape: str, types: tuple[type, ...]) -> tuple[CodeType, Any] | None:
    """The code object of a generated function's shape (its literals as stand-ins, its names
    under :data:`_SHAPE_PREFIX`), compiled once for every expression of that shape, with its
    :func:`_plan`; None when Python's compiler folded a stand-in into another constant
    (``2.0 * 3.0``), since then the code depends on the literals' values."""
    stand_ins = [_stand_in(t, i) for i, t in enumerate(types)]
    body = _filled(shape, [repr(v) for v in stand_ins]).replace(_PREFIX, _SHAPE_PREFIX)
    code = _compiled(_SHAPE_PREFIX, body)
    found = collections.Counter(_key(c) for c in _constants(code, []))
    if any(found[_key(v)] != 1 for v in stand_ins):
        return None
    # the function's own code (the module's only code constant: `def <prefix>fn(f): ...`)
    function = next(c for c in code.co_consts if isinstance(c, CodeType))
    return function, _plan(function, {_key(v): i for i, v in enumerate(stand_ins)})


_KEEP, _LITERAL, _CODE, _TUPLE = 0, 1, 2, 3


def _plan(code: CodeType, stand_ins: dict[Any, int]) -> tuple[Any, ...]:
    """Where :func:`_renamed` changes ``code``, found once per shape: the constants to replace
    (``(index, _LITERAL, literal number)``, ``(index, _CODE, plan of the nested code)``,
    ``(index, _TUPLE, None)`` for a tuple to walk) and, per name, the part after the shape's
    prefix (None for a name kept as it is)."""
    actions: list[tuple[int, int, Any]] = []
    for i, c in enumerate(code.co_consts):
        if isinstance(c, CodeType):
            actions.append((i, _CODE, _plan(c, stand_ins)))
        elif type(c) is tuple:
            actions.append((i, _TUPLE, None))
        else:
            key = _key(c)
            if key is not None and key in stand_ins:
                actions.append((i, _LITERAL, stand_ins[key]))
    names = tuple(n[len(_SHAPE_PREFIX):] if n.startswith(_SHAPE_PREFIX) else None
                  for n in code.co_names)
    return tuple(actions), names


def _renamed(code: CodeType, plan: tuple[Any, ...], prefix: str, literals: list[Any],
             values: dict[Any, Any]) -> CodeType:
    """``code`` with the shape's names under ``prefix`` and its stand-ins replaced by the
    expression's ``literals`` (``values``: stand-in key -> literal, for tuples), at the places
    ``plan`` found."""
    def swap(c: Any) -> Any:
        if type(c) is tuple:
            return tuple(swap(x) for x in c)
        key = _key(c)
        return values[key] if key is not None and key in values else c

    actions, rest = plan
    consts = list(code.co_consts)
    for i, action, arg in actions:
        if action == _LITERAL:
            consts[i] = literals[arg]
        elif action == _CODE:
            consts[i] = _renamed(consts[i], arg, prefix, literals, values)
        else:
            consts[i] = swap(consts[i])
    names = tuple(n if r is None else prefix + r for n, r in zip(code.co_names, rest))
    changes: dict[str, Any] = {
        "co_consts": tuple(consts), "co_names": names,
        "co_name": code.co_name.replace(_SHAPE_PREFIX, prefix),
        "co_filename": code.co_filename.replace(_SHAPE_PREFIX, prefix)}
    if hasattr(code, "co_qualname"):  # Python 3.11 and later
        changes["co_qualname"] = code.co_qualname.replace(_SHAPE_PREFIX, prefix)
    return code.replace(**changes)


def _shared_function(prefix: str, shape: str, literals: list[Any], globals_: dict[Any, Any]
                     ) -> Callable[[Any], Any] | None:
    """The function of a generated expression from the code compiled once for its shape:
    expressions that differ only in their literals (``kind == "k1"``, ``kind == "k2"``) share
    one ``compile()``, the most expensive step of loading a large rulebook. Its code is what
    compiling its own source gives, its literals and names put back in place."""
    shared = _shared_code(shape, tuple(type(v) for v in literals))
    if shared is None:
        return None
    code, plan = shared
    values = {_key(_stand_in(type(v), i)): v for i, v in enumerate(literals)}
    return _function(prefix, _renamed(code, plan, prefix, literals, values), globals_)


def _run_interpreter(root: ast.Node, bindings: Any) -> Any:
    try:
        result = _interpret(root, bindings)
    except Exception as err:  # the interpreter returns CEL errors as values; this is a net
        raise runtime.internal(err) from None
    if type(result) is CelError:
        raise ExpressionEvalError(result.message)
    return result


def _interpreted(root: ast.Node) -> Callable[[Any], Any]:
    """The fallback ``function`` for a tree too deep for Python's compiler."""

    def run(bindings: Any) -> Any:
        return _run_interpreter(root, bindings)

    return run


def _wrapped(prefix: str, src: str) -> str:
    return (f"def {prefix}fn(f):\n"
            f"    try:\n"
            f"        return {src}\n"
            f"    except {prefix}EvalError:\n"
            f"        raise\n"
            f"    except {prefix}Exception as err:\n"
            f"        raise {prefix}internal(err) from None\n")


def _compiled(prefix: str, src: str) -> CodeType:
    with warnings.catch_warnings():  # e.g. `'' is None` from `dyn('') == null`: harmless
        warnings.simplefilter("ignore", SyntaxWarning)
        return compile(_wrapped(prefix, src), f"<policyengine expression {prefix}>", "exec")


def _namespace(prefix: str, globals_: dict[Any, Any]) -> dict[Any, Any]:
    namespace = dict(globals_)
    namespace[prefix + "EvalError"] = ExpressionEvalError
    namespace[prefix + "internal"] = runtime.internal
    namespace[prefix + "Exception"] = Exception
    namespace["__builtins__"] = {}
    return namespace


def _defined(prefix: str, program: CodeType, globals_: dict[Any, Any]) -> Callable[[Any], Any]:
    namespace = _namespace(prefix, globals_)
    exec(program, namespace)  # noqa: S102 - generated from the typed AST only, never user text
    function: Callable[[Any], Any] = namespace[prefix + "fn"]
    return function


def _function(prefix: str, code: CodeType, globals_: dict[Any, Any]) -> Callable[[Any], Any]:
    """What :func:`_defined` makes of the module ``def <prefix>fn(f): ...`` whose function
    code is ``code``, without running the module: the function of that code over the same
    namespace (which holds it under its name, as the module's ``def`` leaves it)."""
    namespace = _namespace(prefix, globals_)
    function: Callable[[Any], Any] = FunctionType(code, namespace)
    namespace[prefix + "fn"] = function
    return function


def _build_function(prefix: str, src: str, globals_: dict[Any, Any]) -> Callable[[Any], Any]:
    return _defined(prefix, _compiled(prefix, src), globals_)


_Scope = dict[str, str]  # comprehension variable -> its generated name


class _Generator(Fold[_Scope, _Code]):
    """Each node's Python source from its children's (a :class:`~.visitor.Fold`; the tree is at
    most 60 deep here, but comprehension scopes still need an ordered walk)."""

    def __init__(self, prefix: str, env: Environment):
        self.prefix = prefix
        self.env = env
        self.globals: dict[str, Any] = {}
        self.vars = itertools.count()
        self.consts = itertools.count()
        self.costly = False  # instrument comprehensions with the step budget (expr/cost.py)
        self.literals: list[Any] = []  # the int, double and string literals, in source order
        self.shape = ""

    # --- globals -------------------------------------------------------------------------------
    def helper(self, what: str) -> str:
        name = self.prefix + what
        if name not in self.globals:
            if what in runtime.STRICT:
                self.globals[name] = runtime.strict(runtime.STRICT[what])
            else:
                self.globals[name] = runtime.PLAIN[what]
        return name

    def const(self, value: Any) -> str:
        name = f"{self.prefix}k{next(self.consts)}"
        self.globals[name] = value
        return name

    def raising(self, err: CelError) -> str:
        return f"{self.const(runtime.raiser(err))}()"

    def literal(self, value: Any) -> str:
        if type(value) is float and (math.isinf(value) or math.isnan(value)):
            return self.const(value)
        if value is None or type(value) is bool:
            return repr(value)
        # a marker, filled in by `generate` with the literal's repr (or, for the shape shared
        # by expressions that differ only in their literals, with a stand-in: `_shared_code`)
        self.literals.append(value)
        return f"{_MARK}{len(self.literals) - 1}{_MARK}"

    # --- walk ----------------------------------------------------------------------------------
    def generate(self, root: ast.Node) -> str:
        """The Python source of ``root`` (:attr:`shape` keeps it with its literals unfilled)."""
        self.shape = self.fold(root, {}).src
        return _filled(self.shape, [repr(v) for v in self.literals])

    def bind(self, node: ast.Comprehension, target: _Code, scope: _Scope) -> _Scope:
        return {**scope, node.var: f"v{next(self.vars)}"}

    @staticmethod
    def type_of(node: ast.Node) -> Any:
        return node.type if node.type is not None else DYN

    # --- one method per node kind --------------------------------------------------------------
    def visit_literal(self, node: ast.Literal, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return _Code(self.literal(node.value), False, self.type_of(node))

    def visit_name(self, node: ast.Name, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        t = self.type_of(node)
        if node.name in scope:
            return _Code(scope[node.name], False, t)
        if node.name in self.env.variables:
            return _Code(f"f[{node.name!r}]", False, t)
        return _Code(f"{self.helper('name')}(f, {node.name!r})", True, t)

    def visit_binary(self, node: ast.Binary, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return self.binary(node, kids[0], kids[1], self.type_of(node))

    def visit_unary(self, node: ast.Unary, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return self.unary(node, kids[0], self.type_of(node))

    def visit_ternary(self, node: ast.Ternary, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        c, a, b = kids
        test = c.src if base(c.type) == BOOL else f"{self.helper('cond')}({c.src})"
        return _Code(f"({a.src} if {test} else {b.src})",
                     c.may_error or a.may_error or b.may_error or base(c.type) != BOOL,
                     self.type_of(node))

    def visit_select(self, node: ast.Select, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return self.select(node, kids[0], self.type_of(node))

    def visit_index(self, node: ast.Index, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return _Code(f"{self.helper('index')}({kids[0].src}, {kids[1].src})", True,
                     self.type_of(node))

    def visit_list_lit(self, node: ast.ListLit, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return _Code("[" + "".join(k.src + ", " for k in kids) + "]",
                     any(k.may_error for k in kids), self.type_of(node))

    def visit_map_lit(self, node: ast.MapLit, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return self.map_literal(node, kids, self.type_of(node))

    def visit_call(self, node: ast.Call, kids: tuple[_Code, ...], scope: _Scope) -> _Code:
        return self.call(node, kids, self.type_of(node))

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[_Code, ...],
                            scope: _Scope, inner: _Scope) -> _Code:
        return self.comprehension(node, kids, inner[node.var], self.type_of(node))

    # --- operators -----------------------------------------------------------------------------
    def binary(self, node: ast.Binary, a: _Code, b: _Code, t: Any) -> _Code:
        op = node.op
        err = a.may_error or b.may_error
        ta, tb = base(a.type), base(b.type)
        if op in ("&&", "||"):
            return self.logical(op, a, b, t)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            if ta in _SIMPLE and tb in _SIMPLE and (ta == tb or (ta in (INT, DOUBLE) and tb in (INT, DOUBLE))):
                left, right = self.numeric_pair(node, a, b)
                return _Code(f"({left} {op} {right})", err, t)
            if op in ("==", "!=") and (ta == NULL or tb == NULL):
                # `x == null` is `x is None` only when the null side is the literal `null`:
                # any other null-typed operand (`{"a": null}["b"]`, `[null][1]`) may fail
                other, other_node, null_node = (b, node.right, node.left) if ta == NULL else (
                    a, node.left, node.right)
                if type(null_node) is ast.Literal and type(other_node) is not ast.Literal:
                    return _Code(f"({other.src} is {'not ' if op == '!=' else ''}None)",
                                 other.may_error, t)
            names = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
            return _Code(f"{self.helper(names[op])}({a.src}, {b.src})", True, t)
        if op == "in":
            return self.membership(node, a, b, t)
        if ta == tb == INT:
            if op in ("+", "-", "*"):
                return _Code(f"{self.helper('i64')}({a.src} {op} {b.src})", True, t)
            return _Code(f"{self.helper('div' if op == '/' else 'mod')}({a.src}, {b.src})", True, t)
        if ta == tb == DOUBLE and op != "%":
            if op != "/":
                return _Code(f"({a.src} {op} {b.src})", err, t)
            divisor = node.right
            if type(divisor) is ast.Literal and divisor.kind == "double" and divisor.value != 0.0:
                return _Code(f"({a.src} / {b.src})", err, t)
            return _Code(f"{self.helper('fdiv')}({a.src}, {b.src})", err, t)
        if ta == tb == STRING and op == "+":
            return _Code(f"({a.src} + {b.src})", err, t)
        names = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod"}
        return _Code(f"{self.helper(names[op])}({a.src}, {b.src})", True, t)

    def numeric_pair(self, node: ast.Binary, a: _Code, b: _Code) -> tuple[str, str]:
        """Operands of a comparison; an int meeting a double is compared as a double."""
        ta, tb = base(a.type), base(b.type)
        if ta == tb or not (ta in (INT, DOUBLE) and tb in (INT, DOUBLE)):
            return a.src, b.src
        srcs = []
        for code, lit in ((a, node.left), (b, node.right)):
            if base(code.type) == INT:
                if type(lit) is ast.Literal:
                    srcs.append(self.literal(float(lit.value)))
                else:
                    srcs.append(f"{self.helper('float')}({code.src})")
            else:
                srcs.append(code.src)
        return srcs[0], srcs[1]

    def logical(self, op: str, a: _Code, b: _Code, t: Any) -> _Code:
        py = "and" if op == "&&" else "or"
        kind = "and" if op == "&&" else "or"
        a_bool, b_bool = base(a.type) == BOOL, base(b.type) == BOOL
        a_safe = a_bool and not a.may_error
        b_safe = b_bool and not b.may_error
        if a_safe and b_bool:
            return _Code(f"({a.src} {py} {b.src})", b.may_error, t)
        if b_safe and a_bool:
            return _Code(f"({b.src} {py} {a.src})", a.may_error, t)
        if a_safe:
            return _Code(f"({a.src} {py} {self.helper(kind + '_r')}({b.src}))", True, t)
        if b_safe:
            return _Code(f"({b.src} {py} {self.helper(kind + '_l')}({a.src}))", True, t)
        return _Code(f"{self.helper(kind)}(lambda: {a.src}, lambda: {b.src})", True, t)

    def membership(self, node: ast.Binary, a: _Code, b: _Code, t: Any) -> _Code:
        ta, tb = base(a.type), base(b.type)
        right = node.right
        if (type(right) is ast.ListLit and ta in _SIMPLE
                and all(type(i) is ast.Literal and i.type is not None and base(i.type) == ta
                        for i in right.items)):
            values = frozenset(cast(ast.Literal, i).value for i in right.items)
            return _Code(f"({a.src} in {self.const(values)})", a.may_error, t)
        if type(tb) is ListType and ta in (INT, STRING, BOOL) and base(tb.elem) == ta:
            return _Code(f"({a.src} in {b.src})", a.may_error or b.may_error, t)
        if type(tb) is MapType and ta == STRING and base(tb.key) == STRING:
            return _Code(f"({a.src} in {b.src})", a.may_error or b.may_error, t)
        return _Code(f"{self.helper('in')}({a.src}, {b.src})", True, t)

    def unary(self, node: ast.Unary, a: _Code, t: Any) -> _Code:
        ta = base(a.type)
        if node.op == "!":
            if ta == BOOL:
                return _Code(f"(not {a.src})", a.may_error, t)
            return _Code(f"{self.helper('not')}({a.src})", True, t)
        if ta == INT:
            return _Code(f"{self.helper('i64')}(-{a.src})", True, t)
        if ta == DOUBLE:
            return _Code(f"(-{a.src})", a.may_error, t)
        return _Code(f"{self.helper('neg')}({a.src})", True, t)

    def select(self, node: ast.Select, a: _Code, t: Any) -> _Code:
        ot = base(a.type)
        if type(ot) is MapType and ot.fields is not None and ot.field(node.field) is not None:
            if node.test:
                return _Code(f"({node.field!r} in {a.src})", a.may_error, t)
            return _Code(f"{a.src}[{node.field!r}]", a.may_error, t)
        what = "has" if node.test else "select"
        return _Code(f"{self.helper(what)}({a.src}, {node.field!r})", True, t)

    def map_literal(self, node: ast.MapLit, kids: tuple[_Code, ...], t: Any) -> _Code:
        keys = [k for k, _ in node.entries]
        if all(type(k) is ast.Literal and k.kind == "string" for k in keys) and \
                len({cast(ast.Literal, k).value for k in keys}) == len(keys):
            body = ", ".join(f"{kids[2 * i].src}: {kids[2 * i + 1].src}" for i in range(len(keys)))
            return _Code("{" + body + "}", any(k.may_error for k in kids), t)
        pairs = "".join(f"({kids[2 * i].src}, {kids[2 * i + 1].src}), " for i in range(len(keys)))
        return _Code(f"{self.helper('map')}(({pairs}))", True, t)

    def call(self, node: ast.Call, kids: tuple[_Code, ...], t: Any) -> _Code:
        fn, argc, receiver = node.function, len(node.args), node.target is not None
        table = RECEIVER_FUNCTIONS if receiver else GLOBAL_FUNCTIONS
        if (fn, argc) not in table:
            return _Code(self.raising(unbound_function(fn, argc, receiver)), True, t)
        types = [base(k.type) for k in kids]
        srcs = [k.src for k in kids]
        err = any(k.may_error for k in kids)
        if fn == "dyn":
            return _Code(srcs[0], err, t)
        if fn == "size" and (types[0] == STRING or type(types[0]) in (ListType, MapType)):
            return _Code(f"{self.helper('len')}({srcs[0]})", err, t)
        if fn in ("contains", "startsWith", "endsWith") and types == [STRING, STRING]:
            if fn == "contains":
                return _Code(f"({srcs[1]} in {srcs[0]})", err, t)
            method = "startswith" if fn == "startsWith" else "endswith"
            return _Code(f"{srcs[0]}.{method}({srcs[1]})", err, t)
        if fn == "matches" and types[0] == STRING:
            pattern = node.args[-1]
            if type(pattern) is ast.Literal and pattern.kind == "string":
                prog = compile_regex(pattern.value)
                if type(prog) is not CelError:
                    return _Code(f"({self.const(prog)}.search({srcs[0]}) is not None)", err, t)
        if fn == "double" and types[0] == INT:
            return _Code(f"{self.helper('float')}({srcs[0]})", err, t)
        return _Code(f"{self.helper(fn)}({', '.join(srcs)})", True, t)

    def comprehension(self, node: ast.Comprehension, kids: tuple[_Code, ...], var: str,
                      t: Any) -> _Code:
        target = kids[0].src
        if self.costly:  # charge the step budget before the loop runs
            target = f"{self.const(charger(body_weight(node)))}({target})"
        body = f"lambda {var}: {kids[-1].src}"
        if node.macro == "map":
            if node.filter is not None:
                pred = f"lambda {var}: {kids[1].src}"
                return _Code(f"{self.helper('map_')}({target}, {body}, {pred})", True, t)
            return _Code(f"{self.helper('map_')}({target}, {body})", True, t)
        return _Code(f"{self.helper(node.macro)}({target}, {body})", True, t)


__all__ = ["CompiledExpression", "compile_analysis", "compile_expression"]
