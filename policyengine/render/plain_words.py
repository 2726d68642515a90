"""Trigger expressions in plain words, for readers who do not read code.

``amount < 10000.0`` reads "the amount is under 10,000 USD", ``kind == "pricing"`` reads "the kind
is pricing", ``partner.exclusive`` reads "the partner is exclusive". The words come from the typed
expression AST (``policyengine.expr.ast``) and the policy's fact declarations: a fact's ``unit``
goes with the numbers compared with it, a boolean fact whose ``description`` is a sentence ("The
end customer is a named strategic account") is read as that sentence, and a fact name is turned
into words (``recurrences_90d`` -> "the number of recurrences in the last 90 days").

The output is plain text (no markup); the playbook and memo renderers escape it for their
format. An expression nested deeper than :data:`MAX_DEPTH` is shown as written, in quotes, rather
than put into words (such expressions are unreadable in any words; the walk itself is a
non-recursive :class:`~policyengine.expr.visitor.Interpreter`, so depth never breaks it). A field
of something that is not a fact (``items.all(x, x.ok)``: a comprehension variable's field) is
shown as written too.
"""

from __future__ import annotations

import re
from typing import Any, Generator, Iterable, Optional, Sequence

from ..expr import ast, print_expression
from ..expr.types import BOOL
from ..expr.visitor import Interpreter
from ..model.nodes import Expression, FactDecl

MAX_DEPTH = 40

_ACRONYMS = {"mdf", "ip", "jv", "id", "usd", "eur", "eu", "us", "uk", "na", "emea", "apac",
             "latam", "sla", "kpi", "po", "crm", "it", "vp", "rma", "sku", "oem", "isv", "msp"}
_PERIOD = re.compile(r"^(\d+)(d|w|m|y|q)$")
_PERIOD_WORDS = {"d": "day", "w": "week", "m": "month", "y": "year", "q": "quarter"}
_UNIT_SUFFIXES = {"days": ("days", "day"), "weeks": ("weeks", "week"),
                  "months": ("months", "month"), "pct": ("percent", "pct", "%"),
                  "percent": ("percent", "pct", "%"), "usd": ("usd",), "eur": ("eur",)}
_SENTENCE = re.compile(r"^The .+? (is|are|has|have) .+$")
_ORDER_WORDS = {"<": "is under", "<=": "is at most", ">": "is over", ">=": "is at least",
                "==": "is", "!=": "is not"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_ARITH_WORDS = {"+": "plus", "-": "minus", "*": "times", "/": "divided by", "%": "modulo"}


def words(name: str) -> str:
    """A name in words: ``mdf_claim`` -> "MDF claim", ``breaches_12m`` -> "breaches in the last
    12 months"."""
    out = []
    for token in re.split(r"[_\-\s]+", name.strip("_- ")):
        if not token:
            continue
        m = _PERIOD.match(token.lower())
        if m:
            n = int(m.group(1))
            unit = _PERIOD_WORDS[m.group(2)]
            out.append(f"in the last {n} {unit}{'' if n == 1 else 's'}")
        elif token.lower() in _ACRONYMS:
            out.append(token.upper())
        else:
            out.append(token)
    return " ".join(out) or name


def value_words(value: str) -> str:
    """An enum value in words: ``lead_routing`` -> "lead routing", ``mdf_claim`` -> "MDF
    claim"; ``NA`` stays "NA"."""
    tokens = [t for t in value.split("_") if t]
    if not tokens:
        return value
    return " ".join(t.upper() if t.lower() in _ACRONYMS else t for t in tokens)


def number(value: Any, unit: str | None = None) -> str:
    """10000.0 -> "10,000"; with a unit: "10,000 USD", "10%", "90 days"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    text = f"{value:,}"
    if not unit:
        return text
    u = unit.strip()
    if u.lower() in ("percent", "pct", "%"):
        return f"{text}%"
    if value == 1 and u.endswith("s") and u.lower() not in ("usd", "us"):
        u = u[:-1]
    return f"{text} {u}"


class Vocabulary:
    """What the words need to know about a policy's facts."""

    def __init__(self, facts: Iterable[FactDecl] = ()):
        self.facts = {f.name: f for f in facts}

    def decl(self, path: Sequence[str]) -> FactDecl | None:
        if not path:
            return None
        node = self.facts.get(path[0])
        for name in path[1:]:
            if node is None:
                return None
            node = node.field_named(name)
        return node


def _fact_path(node: Any, scope: frozenset[Any]) -> list[str] | None:
    """``partner.tier`` -> ["partner", "tier"] when the node reads a declared fact path."""
    names = []
    while type(node) is ast.Select and not node.test:
        names.append(node.field)
        node = node.operand
    if type(node) is ast.Name and node.name not in scope:
        names.append(node.name)
        return names[::-1]
    return None


#: what a node is walked for: (as a condition?, comprehension variables in scope, then
#: ``negated`` for a condition or the unit of the surrounding numbers for a noun phrase)
_Ctx = tuple[bool, frozenset[Any], Any]
_Noun = tuple[str, Optional[str]]  # (phrase, unit)
_Gen = Generator[tuple[ast.Node, _Ctx], Any, Any]


def _noun(node: ast.Node, scope: frozenset[Any], unit: str | None = None
          ) -> tuple[ast.Node, _Ctx]:
    """The request for ``node`` as a noun phrase: its value is (phrase, unit)."""
    return node, (False, scope, unit)


def _cond(node: ast.Node, scope: frozenset[Any], negated: bool = False
          ) -> tuple[ast.Node, _Ctx]:
    """The request for ``node`` as a clause: its value is the text."""
    return node, (True, scope, negated)


def _is_true(text: str, negated: bool) -> str:
    return f"{text} is {'false' if negated else 'true'}"


class _Words(Interpreter[_Ctx, Any]):
    """Each node kind as a clause (a condition) or a noun phrase (a value), top-down (a
    :class:`~policyengine.expr.visitor.Interpreter`: a method yields the parts it puts into
    words, with how: ``_cond(part, ...)`` or ``_noun(part, ...)``)."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    def cond(self, node: ast.Node) -> str:
        return str(self.run(node, (True, frozenset(), False)))

    def noun(self, node: ast.Node, unit: str | None = None) -> str:
        return str(self.run(node, (False, frozenset(), unit))[0])

    # -- nouns -------------------------------------------------------------------------------
    def subject(self, path: list[str]) -> _Noun:
        """(noun phrase, unit) for a fact path."""
        decl = self.vocab.decl(path)
        unit = decl.unit if decl is not None else None
        tokens = path[-1].split("_")
        if unit and len(tokens) > 1:
            accepted = _UNIT_SUFFIXES.get(tokens[-1].lower(), ())
            if unit.lower() in accepted:
                tokens = tokens[:-1]
        label = words("_".join(tokens))
        if len(path) > 1:
            label = " ".join(words(p) for p in path[:-1]) + " " + label
        first = label.split(" ")[0]
        if decl is not None and decl.type == "int" and first.endswith("s") and len(path) == 1:
            if unit and unit.lower() == first.lower():
                unit = None
            return f"the number of {label}", unit
        if decl is not None and decl.type == "list":
            return f"the {label}", unit
        return f"the {label}", unit

    def noun_otherwise(self, node: ast.Node, scope: frozenset[Any]) -> _Gen:
        """A value no rule of its kind puts into words: a condition as "whether ...", else the
        expression as written."""
        if node.type == BOOL:
            return f"whether {(yield _cond(node, scope))}", None
        return _quoted(node), None

    def literal(self, node: ast.Literal, unit: str | None, enum: bool = False) -> str:
        if node.kind in ("int", "double"):
            return number(node.value, unit)
        if node.kind == "string":
            return value_words(node.value) if enum else f"\u201c{node.value}\u201d"
        if node.kind == "bool":
            return "yes" if node.value else "no"
        if node.kind == "null":
            return "nothing"
        return str(node.value)

    def arithmetic(self, node: ast.Binary, scope: frozenset[Any], unit: str | None) -> _Gen:
        left, right, op = node.left, node.right, node.op
        if op == "*":
            for k, other in ((right, left), (left, right)):
                if type(k) is ast.Literal and k.kind in ("int", "double") and 0 < k.value < 1:
                    phrase, u = yield _noun(other, scope, unit)
                    pct = f"{round(k.value * 100, 6):g}"
                    return ("half of " + phrase if pct == "50" else f"{pct}% of {phrase}"), u
        additive = op in ("+", "-")  # a unit carries across + and -, not * / %
        a, ua = yield _noun(left, scope, unit if additive or type(left) is not ast.Literal
                            else None)
        b, ub = yield _noun(right, scope, (ua or unit) if additive else None)
        return f"{a} {_ARITH_WORDS[op]} {b}", ua or ub

    def call_noun(self, node: ast.Call, scope: frozenset[Any]) -> _Gen:
        args = list(node.args) if node.target is None else [node.target, *node.args]
        fn = node.function
        if fn == "size" and len(args) == 1:
            path = _fact_path(args[0], scope)
            decl = self.vocab.decl(path) if path else None
            target = (yield _noun(args[0], scope))[0]
            if decl is not None and decl.type == "string":
                return f"the length of {target}", None
            return f"the number of {target[4:] if target.startswith('the ') else target}", None
        if fn in ("int", "double", "string", "dyn") and len(args) == 1:
            return (yield _noun(args[0], scope))
        return _quoted(node), None

    # -- one method per node kind: (as a condition, as a value) -------------------------------
    def visit_literal(self, node: ast.Literal, ctx: _Ctx) -> Any:
        as_cond, _, x = ctx
        if not as_cond:
            return self.literal(node, x), x
        if node.kind == "bool":
            return "always" if node.value != x else "never"
        return _is_true(self.literal(node, None), x)

    def visit_name(self, node: ast.Name, ctx: _Ctx) -> Any:
        as_cond, scope, x = ctx
        if node.name not in scope:
            return self.flag([node.name], x) if as_cond else self.subject([node.name])
        return _is_true("the item", x) if as_cond else ("the item", None)  # its variable

    def visit_select(self, node: ast.Select, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        path = _fact_path(node, scope)
        if path is not None:
            return self.flag(path, x) if as_cond else self.subject(path)
        if node.test and as_cond:
            operand = _fact_path(node.operand, scope)
            target = self.subject(operand + [node.field])[0] if operand \
                else f"{words(node.field)}"
            return f"{target} is {'not ' if x else ''}given"
        if node.test:
            return f"whether {(yield _noun(node.operand, scope))[0]} has {words(node.field)}", None
        # a field of something that is not a fact (a comprehension variable's): as written
        return _is_true(_quoted(node), x) if as_cond else (_quoted(node), None)

    def visit_index(self, node: ast.Index, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        target = (yield _noun(node.operand, scope))[0]
        if type(node.index) is ast.Literal and node.index.kind == "int":
            text = f"item {node.index.value + 1} of {target}"
        else:
            text = f"the {(yield _noun(node.index, scope))[0]} entry of {target}"
        return _is_true(text, x) if as_cond else (text, None)

    def visit_call(self, node: ast.Call, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        if as_cond:
            text = yield from self.call_cond(node, scope, x)
            if text is not None:
                return text
            return _is_true((yield from self.call_noun(node, scope))[0], x)
        return (yield from self.call_noun(node, scope))

    def visit_unary(self, node: ast.Unary, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        if node.op == "!":
            if as_cond:
                return (yield _cond(node.operand, scope, not x))
            return (yield from self.noun_otherwise(node, scope))
        negated_text, u = yield _noun(node.operand, scope, None if as_cond else x)
        return _is_true(f"minus {negated_text}", x) if as_cond else (f"minus {negated_text}", u)

    def visit_binary(self, node: ast.Binary, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        op = node.op
        if as_cond:
            if op in ("&&", "||"):
                return (yield from self.logical(node, scope, x))
            if op in _ORDER_WORDS:
                return (yield from self.comparison(node, scope, x))
            if op == "in":
                return (yield from self.membership(node, scope, x))
            return _is_true((yield _noun(node, scope))[0], x)
        if op in _ARITH_WORDS:
            return (yield from self.arithmetic(node, scope, x))
        return (yield from self.noun_otherwise(node, scope))

    def visit_ternary(self, node: ast.Ternary, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        if as_cond:
            text = (f"if {(yield _cond(node.cond, scope))} then "
                    f"{(yield _cond(node.then, scope))}, "
                    f"otherwise {(yield _cond(node.orelse, scope))}")
            return f"it is not the case that ({text})" if x else f"({text})"
        then, u1 = yield _noun(node.then, scope, x)
        orelse, u2 = yield _noun(node.orelse, scope, x)
        return f"({then} if {(yield _cond(node.cond, scope))}, otherwise {orelse})", u1 or u2

    def visit_list_lit(self, node: ast.ListLit, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        unit = None if as_cond else x
        items = []
        for item in node.items:
            items.append((yield _noun(item, scope, unit))[0])
        text = "no items" if not items else self.join(items, "and")
        return _is_true(text, x) if as_cond else (text, unit)

    def visit_map_lit(self, node: ast.MapLit, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        text, unit = yield from self.noun_otherwise(node, scope)
        return _is_true(text, x) if as_cond else (text, unit)

    def visit_comprehension(self, node: ast.Comprehension, ctx: _Ctx) -> _Gen:
        as_cond, scope, x = ctx
        inner = scope | {node.var}
        if as_cond and node.macro in ("all", "exists", "exists_one"):
            target = (yield _noun(node.target, scope))[0]
            body = yield _cond(node.body, inner)
            lead = {"all": "every item of", "exists": "at least one item of",
                    "exists_one": "exactly one item of"}[node.macro]
            text = f"{lead} {target} is such that {body}"
            return f"it is not the case that {text}" if x else text
        if node.macro not in ("filter", "map"):  # a value that is a condition
            return (yield from self.noun_otherwise(node, scope))
        target = (yield _noun(node.target, scope))[0]
        if node.macro == "filter":
            text = f"the items of {target} for which {(yield _cond(node.body, inner))}"
        else:
            body = (yield _noun(node.body, inner))[0]
            if node.filter is not None:
                text = (f"for the items of {target} for which "
                        f"{(yield _cond(node.filter, inner))}, {body}")
            else:
                text = f"{target}, each turned into {body}"
        return _is_true(text, x) if as_cond else (text, None)

    # -- statements --------------------------------------------------------------------------
    def flag(self, path: list[str], negated: bool) -> str:
        decl = self.vocab.decl(path)
        description = (decl.description or "").strip().rstrip(".") if decl is not None else ""
        m = _SENTENCE.match(description)
        if m and "\n" not in description:
            sentence = description[0].lower() + description[1:]
            if negated:
                verb = m.group(1)
                repl = {"has": "does not have", "have": "do not have"}.get(verb, f"{verb} not")
                sentence = sentence.replace(f" {verb} ", f" {repl} ", 1)
            return sentence
        no = " not" if negated else ""
        if len(path) > 1:
            return f"the {' '.join(words(p) for p in path[:-1])} is{no} {words(path[-1])}"
        name = path[0]
        if name.endswith("_flag") and len(name) > 5:
            return f"the {words(name[:-5])} flag is{no} raised"
        return f"{words(name)} {'does not apply' if negated else 'applies'}"

    def logical(self, node: ast.Binary, scope: frozenset[Any], negated: bool) -> _Gen:
        op = node.op
        parts = []
        stack: list[ast.Node] = [node]
        while stack:  # flatten a chain of the same operator, left to right
            current = stack.pop()
            if type(current) is ast.Binary and current.op == op:
                stack.extend((current.right, current.left))
            else:
                parts.append(current)
        if negated and op == "||":  # not (a or b) = neither a nor b: every part negated
            op, inner_neg = "&&", True
        elif negated:  # not (a and b)
            texts = []
            for p in parts:
                texts.append((yield from self.part(p, scope, "&&", False)))
            return "not all of these hold: " + self.join(texts, "and")
        else:
            inner_neg = False
        same = self.same_subject(parts, scope, "==" if op == "||" else "!=", inner_neg)
        if same is not None:
            subject, values = same
            if op == "||" and not inner_neg:
                return f"{subject} is {self.join(values, 'or')}"
            if len(values) == 2:
                return f"{subject} is neither {values[0]} nor {values[1]}"
            return f"{subject} is none of {self.join(values, 'and')}"
        texts = []
        for p in parts:
            texts.append((yield from self.part(p, scope, op, inner_neg)))
        return self.join(texts, "and" if op == "&&" else "or")

    def same_subject(self, parts: list[Any], scope: frozenset[Any], op: str, negated: bool
                     ) -> tuple[str, list[str]] | None:
        """``region == "NA" || region == "EMEA"`` -> ("the region", ["NA", "EMEA"]); also
        the negated form and ``region != "NA" && region != "EMEA"``."""
        want = {"==": "!=", "!=": "=="}[op] if negated else op
        paths, values = set(), []
        for p in parts:
            if type(p) is not ast.Binary or p.op != want:
                return None
            left, right = (p.left, p.right) if type(p.right) is ast.Literal else (p.right, p.left)
            path = _fact_path(left, scope)
            if path is None or type(right) is not ast.Literal or right.kind in ("bool", "null"):
                return None
            paths.add(tuple(path))
            values.append(right)
        if len(paths) != 1 or len(parts) < 2:
            return None
        path = list(paths.pop())
        subject, unit = self.subject(path)
        decl = self.vocab.decl(path)
        enum = decl is not None and decl.enum is not None
        return subject, [self.literal(v, unit, enum=enum) for v in values]

    def part(self, node: Any, scope: frozenset[Any], op: str, negated: bool) -> _Gen:
        text = yield _cond(node, scope, negated)
        other = "||" if op == "&&" else "&&"
        if type(node) is ast.Binary and node.op == other and not negated:
            return f"({text})"
        if type(node) is ast.Binary and node.op == op and negated:
            return f"({text})"
        return text

    def comparison(self, node: ast.Binary, scope: frozenset[Any], negated: bool) -> _Gen:
        left, right, op = node.left, node.right, node.op
        if type(left) is ast.Literal and type(right) is not ast.Literal:
            left, right, op = right, left, _FLIP[op]
        if negated:
            op = _NEGATE[op]
        path = _fact_path(left, scope)
        if type(right) is ast.Literal and right.kind == "bool" and op in ("==", "!=") and path:
            return self.flag(path, (op == "!=") == bool(right.value))
        if type(right) is ast.Literal and right.kind == "null" and op in ("==", "!="):
            subject = (yield _noun(left, scope))[0]
            return f"{subject} is {'not given' if op == '==' else 'given'}"
        subject, unit = yield _noun(left, scope)
        decl = self.vocab.decl(path) if path else None
        enum = decl is not None and decl.enum is not None
        if type(right) is ast.Literal:
            value = self.literal(right, unit, enum=enum)
        else:
            value = (yield _noun(right, scope, unit))[0]
        return f"{subject} {_ORDER_WORDS[op]} {value}"

    def membership(self, node: ast.Binary, scope: frozenset[Any], negated: bool) -> _Gen:
        subject, unit = yield _noun(node.left, scope)
        path = _fact_path(node.left, scope)
        decl = self.vocab.decl(path) if path else None
        enum = decl is not None and decl.enum is not None
        if type(node.right) is ast.ListLit:
            items = []
            for x in node.right.items:
                items.append(self.literal(x, unit, enum=enum) if type(x) is ast.Literal
                             else (yield _noun(x, scope, unit))[0])
            if not items:
                return "always" if negated else "never"
            if len(items) == 1:
                return f"{subject} is {'not ' if negated else ''}{items[0]}"
            if negated:
                return f"{subject} is none of {self.join(items, 'and')}"
            return f"{subject} is {self.join(items, 'or')}"
        container = (yield _noun(node.right, scope))[0]
        return f"{subject} is {'not ' if negated else ''}among {container}"

    def call_cond(self, node: ast.Call, scope: frozenset[Any], negated: bool) -> _Gen:
        verbs = {"contains": ("contains", "does not contain"),
                 "startsWith": ("starts with", "does not start with"),
                 "endsWith": ("ends with", "does not end with"),
                 "matches": ("matches the pattern", "does not match the pattern")}
        args = list(node.args) if node.target is None else [node.target, *node.args]
        if node.function in verbs and len(args) == 2:
            subject = (yield _noun(args[0], scope))[0]
            value = (yield _noun(args[1], scope))[0]
            return f"{subject} {verbs[node.function][1 if negated else 0]} {value}"
        return None

    @staticmethod
    def join(items: list[str], word: str) -> str:
        """"a and b", "a, b and c"; "a, and b" when a part holds the word itself."""
        if len(items) == 1:
            return items[0]
        comma = "," if any(f" {word} " in x for x in items) else ""
        return ", ".join(items[:-1]) + f"{comma} {word} " + items[-1]


def _quoted(node: Any) -> str:
    return f"\u201c{print_expression(node)}\u201d"


def _tree(expr: Expression | Any) -> Any:
    if isinstance(expr, Expression):
        analysis = expr.analysis
        if analysis is None or getattr(analysis, "ast", None) is None:
            from ..expr import parse_expression

            return parse_expression(expr.text)
        return analysis.ast
    return expr


def condition_words(expr: Expression | Any, vocab: Vocabulary) -> str:
    """A ``when`` condition as a clause: "the amount is under 10,000 USD"."""
    tree = _tree(expr)
    if ast.depth(tree) > MAX_DEPTH:
        return f"the condition {_quoted(tree)} holds"
    return _Words(vocab).cond(tree)


def value_words_of(expr: Expression | Any, vocab: Vocabulary, unit: str | None = None) -> str:
    """An ``amount`` as a noun phrase: "10% of the amount"."""
    tree = _tree(expr)
    if ast.depth(tree) > MAX_DEPTH:
        return _quoted(tree)
    return _Words(vocab).noun(tree, unit)


def value_with_unit(value: Any, vocab: Vocabulary, path: str) -> str:
    """A fact's value as given in a dispute, with the fact's unit: "120,000 USD"."""
    decl = vocab.decl(path.split("."))
    unit = decl.unit if decl is not None else None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return number(value, unit)
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return value_words(value) if decl is not None and decl.enum is not None else value
    if isinstance(value, (list, tuple)):
        return ", ".join(value_with_unit(v, vocab, path) for v in value) or "none"
    return str(value)
