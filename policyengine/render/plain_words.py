"""Trigger expressions in plain words, for readers who do not read code.

``amount < 10000.0`` reads "the amount is under 10,000 USD", ``kind == "pricing"`` reads "the kind
is pricing", ``partner.exclusive`` reads "the partner is exclusive". The words come from the typed
expression AST (``policyengine.expr.ast``) and the policy's fact declarations: a fact's ``unit``
goes with the numbers compared with it, a boolean fact whose ``description`` is a sentence ("The
end customer is a named strategic account") is read as that sentence, and a fact name is turned
into words (``recurrences_90d`` -> "the number of recurrences in the last 90 days").

The output is plain text (no markup); the playbook and memo renderers escape it for their
format. An expression nested deeper than :data:`MAX_DEPTH` is shown as written, in quotes, rather
than put into words (the walk below recurses, and such expressions are unreadable in any words).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from ..expr import ast, print_expression
from ..expr.types import BOOL
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


class _Words:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    # -- nouns -------------------------------------------------------------------------------
    def subject(self, path: list[str]) -> tuple[str, str | None]:
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

    def noun(self, node: Any, scope: frozenset[Any], unit: str | None = None
             ) -> tuple[str, str | None]:
        """(phrase, unit) for a value."""
        if isinstance(node, ast.Literal):
            return self.literal(node, unit), unit
        path = _fact_path(node, scope)
        if path is not None:
            return self.subject(path)
        if isinstance(node, ast.Name):  # a comprehension variable
            return "the item", None
        if isinstance(node, ast.Select) and node.test:
            return f"whether {self.noun(node.operand, scope)[0]} has {words(node.field)}", None
        if isinstance(node, ast.Binary) and node.op in _ARITH_WORDS:
            return self.arithmetic(node, scope, unit)
        if isinstance(node, ast.Unary) and node.op == "-":
            negated_text, u = self.noun(node.operand, scope, unit)
            return f"minus {negated_text}", u
        if isinstance(node, ast.Ternary):
            then, u1 = self.noun(node.then, scope, unit)
            orelse, u2 = self.noun(node.orelse, scope, unit)
            return f"({then} if {self.cond(node.cond, scope)}, otherwise {orelse})", u1 or u2
        if isinstance(node, ast.Call):
            return self.call_noun(node, scope)
        if isinstance(node, ast.ListLit):
            items = [self.noun(x, scope, unit)[0] for x in node.items]
            return ("no items" if not items else self.join(items, "and")), unit
        if isinstance(node, ast.Index):
            target = self.noun(node.operand, scope)[0]
            if type(node.index) is ast.Literal and node.index.kind == "int":
                return f"item {node.index.value + 1} of {target}", None
            return f"the {self.noun(node.index, scope)[0]} entry of {target}", None
        if isinstance(node, ast.Comprehension) and node.macro in ("filter", "map"):
            inner = scope | {node.var}
            target = self.noun(node.target, scope)[0]
            if node.macro == "filter":
                return f"the items of {target} for which {self.cond(node.body, inner)}", None
            body = self.noun(node.body, inner)[0]
            if node.filter is not None:
                return (f"for the items of {target} for which {self.cond(node.filter, inner)}, "
                        f"{body}"), None
            return f"{target}, each turned into {body}", None
        if node.type == BOOL:
            return f"whether {self.cond(node, scope)}", None
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

    def arithmetic(self, node: ast.Binary, scope: frozenset[Any], unit: str | None
                   ) -> tuple[str, str | None]:
        left, right, op = node.left, node.right, node.op
        if op == "*":
            for k, other in ((right, left), (left, right)):
                if type(k) is ast.Literal and k.kind in ("int", "double") and 0 < k.value < 1:
                    phrase, u = self.noun(other, scope, unit)
                    pct = f"{round(k.value * 100, 6):g}"
                    return ("half of " + phrase if pct == "50" else f"{pct}% of {phrase}"), u
        additive = op in ("+", "-")  # a unit carries across + and -, not * / %
        a, ua = self.noun(left, scope, unit if additive or type(left) is not ast.Literal
                          else None)
        b, ub = self.noun(right, scope, (ua or unit) if additive else None)
        return f"{a} {_ARITH_WORDS[op]} {b}", ua or ub

    def call_noun(self, node: ast.Call, scope: frozenset[Any]) -> tuple[str, str | None]:
        args = list(node.args) if node.target is None else [node.target, *node.args]
        fn = node.function
        if fn == "size" and len(args) == 1:
            path = _fact_path(args[0], scope)
            decl = self.vocab.decl(path) if path else None
            target = self.noun(args[0], scope)[0]
            if decl is not None and decl.type == "string":
                return f"the length of {target}", None
            return f"the number of {target[4:] if target.startswith('the ') else target}", None
        if fn in ("int", "double", "string", "dyn") and len(args) == 1:
            return self.noun(args[0], scope)
        return _quoted(node), None

    # -- statements --------------------------------------------------------------------------
    def cond(self, node: Any, scope: frozenset[Any], negated: bool = False) -> str:
        if isinstance(node, ast.Literal) and node.kind == "bool":
            return "always" if node.value != negated else "never"
        if isinstance(node, ast.Unary) and node.op == "!":
            return self.cond(node.operand, scope, not negated)
        if isinstance(node, ast.Binary) and node.op in ("&&", "||"):
            return self.logical(node, scope, negated)
        if isinstance(node, ast.Binary) and node.op in _ORDER_WORDS:
            return self.comparison(node, scope, negated)
        if isinstance(node, ast.Binary) and node.op == "in":
            return self.membership(node, scope, negated)
        path = _fact_path(node, scope)
        if path is not None:
            return self.flag(path, negated)
        if isinstance(node, ast.Select) and node.test:
            operand = _fact_path(node.operand, scope)
            target = self.subject(operand + [node.field])[0] if operand \
                else f"{words(node.field)}"
            return f"{target} is {'not ' if negated else ''}given"
        if isinstance(node, ast.Call):
            text = self.call_cond(node, scope, negated)
            if text is not None:
                return text
        if isinstance(node, ast.Comprehension) and node.macro in ("all", "exists", "exists_one"):
            target = self.noun(node.target, scope)[0]
            body = self.cond(node.body, scope | {node.var})
            lead = {"all": "every item of", "exists": "at least one item of",
                    "exists_one": "exactly one item of"}[node.macro]
            text = f"{lead} {target} is such that {body}"
            return f"it is not the case that {text}" if negated else text
        if isinstance(node, ast.Ternary):
            text = (f"if {self.cond(node.cond, scope)} then {self.cond(node.then, scope)}, "
                    f"otherwise {self.cond(node.orelse, scope)}")
            return f"it is not the case that ({text})" if negated else f"({text})"
        text = self.noun(node, scope)[0]
        return f"{text} is {'false' if negated else 'true'}"

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

    def logical(self, node: ast.Binary, scope: frozenset[Any], negated: bool) -> str:
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
            texts = [self.part(p, scope, "&&", False) for p in parts]
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
        texts = [self.part(p, scope, op, inner_neg) for p in parts]
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

    def part(self, node: Any, scope: frozenset[Any], op: str, negated: bool) -> str:
        text = self.cond(node, scope, negated)
        other = "||" if op == "&&" else "&&"
        if type(node) is ast.Binary and node.op == other and not negated:
            return f"({text})"
        if type(node) is ast.Binary and node.op == op and negated:
            return f"({text})"
        return text

    def comparison(self, node: ast.Binary, scope: frozenset[Any], negated: bool) -> str:
        left, right, op = node.left, node.right, node.op
        if type(left) is ast.Literal and type(right) is not ast.Literal:
            left, right, op = right, left, _FLIP[op]
        if negated:
            op = _NEGATE[op]
        path = _fact_path(left, scope)
        if type(right) is ast.Literal and right.kind == "bool" and op in ("==", "!=") and path:
            return self.flag(path, (op == "!=") == bool(right.value))
        if type(right) is ast.Literal and right.kind == "null" and op in ("==", "!="):
            subject = self.noun(left, scope)[0]
            return f"{subject} is {'not given' if op == '==' else 'given'}"
        subject, unit = self.noun(left, scope)
        decl = self.vocab.decl(path) if path else None
        enum = decl is not None and decl.enum is not None
        if type(right) is ast.Literal:
            value = self.literal(right, unit, enum=enum)
        else:
            value = self.noun(right, scope, unit)[0]
        return f"{subject} {_ORDER_WORDS[op]} {value}"

    def membership(self, node: ast.Binary, scope: frozenset[Any], negated: bool) -> str:
        subject, unit = self.noun(node.left, scope)
        path = _fact_path(node.left, scope)
        decl = self.vocab.decl(path) if path else None
        enum = decl is not None and decl.enum is not None
        if type(node.right) is ast.ListLit:
            items = [self.literal(x, unit, enum=enum) if type(x) is ast.Literal
                     else self.noun(x, scope, unit)[0] for x in node.right.items]
            if not items:
                return "always" if negated else "never"
            if len(items) == 1:
                return f"{subject} is {'not ' if negated else ''}{items[0]}"
            if negated:
                return f"{subject} is none of {self.join(items, 'and')}"
            return f"{subject} is {self.join(items, 'or')}"
        container = self.noun(node.right, scope)[0]
        return f"{subject} is {'not ' if negated else ''}among {container}"

    def call_cond(self, node: ast.Call, scope: frozenset[Any], negated: bool) -> str | None:
        verbs = {"contains": ("contains", "does not contain"),
                 "startsWith": ("starts with", "does not start with"),
                 "endsWith": ("ends with", "does not end with"),
                 "matches": ("matches the pattern", "does not match the pattern")}
        args = list(node.args) if node.target is None else [node.target, *node.args]
        if node.function in verbs and len(args) == 2:
            subject = self.noun(args[0], scope)[0]
            value = self.noun(args[1], scope)[0]
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
    return _Words(vocab).cond(tree, frozenset())


def value_words_of(expr: Expression | Any, vocab: Vocabulary, unit: str | None = None) -> str:
    """An ``amount`` as a noun phrase: "10% of the amount"."""
    tree = _tree(expr)
    if ast.depth(tree) > MAX_DEPTH:
        return _quoted(tree)
    return _Words(vocab).noun(tree, frozenset(), unit)[0]


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
