"""The helpers that compiled expressions call, for the operations that may fail or need CEL's
dispatch at run time.

In compiled code an error is an :class:`ExpressionEvalError` exception, not a value: it travels
by itself through plain Python operators, and only the absorbing forms (``&&``, ``||``, ``all``,
``exists``) catch it. Each helper here wraps the matching function of :mod:`values` so that both
forms produce the very same results and messages.
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn

from ..core.errors import ExpressionEvalError
from . import functions as fn
from . import values as v
from .values import CelError


def fail(err: CelError) -> NoReturn:
    raise ExpressionEvalError(err.message)


def strict(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` from :mod:`values`, raising instead of returning a CelError."""

    def call(*args: Any) -> Any:
        result = fn(*args)
        if result.__class__ is CelError:
            raise ExpressionEvalError(result.message)
        return result

    call.__name__ = getattr(fn, "__name__", "call")
    return call


def raiser(err: CelError) -> Callable[[], Any]:
    """A function raising ``err`` (an unknown function, a name with no value, ...)."""

    def raise_it() -> Any:
        raise ExpressionEvalError(err.message)

    return raise_it


def i64(value: int) -> int:
    if -9223372036854775808 <= value <= 9223372036854775807:
        return value
    raise ExpressionEvalError("integer overflow")


def name(bindings: Any, key: str) -> Any:
    try:
        return bindings[key]
    except (KeyError, TypeError):
        raise ExpressionEvalError(v.unbound_name(key).message) from None


def _capture(thunk: Callable[[], Any]) -> Any:
    try:
        return thunk()
    except ExpressionEvalError as err:
        return CelError(err.message)


def _settle(result: Any) -> Any:
    if result.__class__ is CelError:
        raise ExpressionEvalError(result.message)
    return result


def and_(left: Callable[[], Any], right: Callable[[], Any]) -> Any:
    a = _capture(left)
    if a is False:
        return False
    return _settle(v.logical_and(a, _capture(right)))


def or_(left: Callable[[], Any], right: Callable[[], Any]) -> Any:
    a = _capture(left)
    if a is True:
        return True
    return _settle(v.logical_or(a, _capture(right)))


def and_right(value: Any) -> Any:
    """The right operand of ``&&`` when the left one was true: a bool, or no overload."""
    return value if value.__class__ is bool else fail(v.no_overload("&&", True, value))


def and_left(value: Any) -> Any:
    """The left operand of ``&&`` when the right one was true."""
    return value if value.__class__ is bool else fail(v.no_overload("&&", value, True))


def or_right(value: Any) -> Any:
    return value if value.__class__ is bool else fail(v.no_overload("||", False, value))


def or_left(value: Any) -> Any:
    return value if value.__class__ is bool else fail(v.no_overload("||", value, False))


def cond(value: Any) -> Any:
    return _settle(v.condition(value))


def all_(items: Any, body: Callable[[Any], Any]) -> bool:
    return _quantifier("all", items, body, False)


def exists(items: Any, body: Callable[[Any], Any]) -> bool:
    return _quantifier("exists", items, body, True)


def _quantifier(macro: str, items: Any, body: Callable[[Any], Any], stop: bool) -> bool:
    items = _settle(v.iteration_items(items))
    error = None
    for item in items:
        r = _capture(lambda: body(item))
        if r is stop:
            return bool(stop)
        if r is not (not stop) and error is None:
            error = r if r.__class__ is CelError else v.no_overload(macro, r)
    if error is not None:
        raise ExpressionEvalError(error.message)
    return not stop


def exists_one(items: Any, body: Callable[[Any], Any]) -> bool:
    count = 0
    for item in _settle(v.iteration_items(items)):
        r = body(item)
        if r is True:
            count += 1
        elif r is not False:
            fail(v.no_overload("exists_one", r))
    return count == 1


def filter_(items: Any, predicate: Callable[[Any], Any]) -> list[Any]:
    out = []
    for item in _settle(v.iteration_items(items)):
        keep = predicate(item)
        if keep is True:
            out.append(item)
        elif keep is not False:
            fail(v.no_overload("filter", keep))
    return out


def map_(items: Any, transform: Callable[[Any], Any],
         predicate: Callable[[Any], Any] | None = None) -> list[Any]:
    out = []
    for item in _settle(v.iteration_items(items)):
        if predicate is not None:
            keep = predicate(item)
            if keep is False:
                continue
            if keep is not True:
                fail(v.no_overload("map", keep))
        out.append(transform(item))
    return out


def internal(err: BaseException) -> ExpressionEvalError:
    """What a compiled expression raises for a Python-level failure: bindings that do not match
    the declarations (the checked ``evaluate`` prevents it), or values nested too deeply."""
    if isinstance(err, KeyError):
        return ExpressionEvalError(f"no value for `{err.args[0] if err.args else '?'}`")
    if isinstance(err, UnicodeError):
        return ExpressionEvalError(fn.NOT_UNICODE)
    if isinstance(err, RecursionError):
        return ExpressionEvalError("a value nests too deeply")
    if isinstance(err, MemoryError):
        return ExpressionEvalError("out of memory while evaluating the expression")
    return ExpressionEvalError("the bindings do not match the declarations")


#: The strict helpers of compiled code, by the suffix of their global name.
STRICT: dict[str, Callable[..., Any]] = {
    "add": v.add, "sub": v.sub, "mul": v.mul, "div": v.div, "mod": v.mod, "neg": v.neg,
    "eq": v.equals, "ne": v.not_equals, "lt": v.less, "le": v.less_equal, "gt": v.greater,
    "ge": v.greater_equal, "in": v.contained_in, "not": v.logical_not, "index": v.index,
    "select": v.select, "has": v.has_field, "size": fn.size, "contains": fn.contains,
    "startsWith": fn.starts_with, "endsWith": fn.ends_with, "matches": fn.matches, "int": fn.to_int,
    "double": fn.to_double, "string": fn.to_string, "bool": fn.to_bool, "map": v.make_map,
}
PLAIN: dict[str, Callable[..., Any]] = {
    "i64": i64, "name": name, "and": and_, "or": or_, "and_r": and_right, "and_l": and_left,
    "or_r": or_right, "or_l": or_left, "cond": cond, "all": all_, "exists": exists,
    "exists_one": exists_one, "filter": filter_, "map_": map_, "fdiv": v.fdiv, "float": float,
    "len": len, "eqv": v.cel_eq,
}
