"""The safe formula language of KPI frameworks.

Framework files are written by cities and national bodies, not by us, so a formula is untrusted
text. It is parsed with Python's own parser (so the grammar is familiar: `100 * a / b`,
`x if c else y`) and then every node is checked against a whitelist; nothing is ever passed to
`eval`. The evaluator walks the checked tree itself, so it decides what division by zero, a
missing value or an overflowing power means: always a `FormulaError` with a `kind` the caller
can act on (the assessment turns 'missing' into "not reported" and the others into errors).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

Value = float | bool
KpiLookup = Callable[[str, str], float | None]

MAX_LENGTH: Final = 2_000  # characters; real formulas are under 200
MAX_DEPTH: Final = 40  # nesting of the syntax tree; real formulas are under 10
MAX_NODES: Final = 400
MAX_EXPONENT: Final = 64.0  # |exponent| of `**`; no KPI formula needs more
MAX_ROUND_DIGITS: Final = 15
DEFAULT_DATA_POINT: Final = "value"

FUNCTIONS: Final = frozenset({"min", "max", "abs", "round", "sum", "kpi"})

_ARITHMETIC: Final[dict[type[ast.operator], Callable[[float, float], float]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_DIVISIONS: Final = (ast.Div, ast.FloorDiv, ast.Mod)
_COMPARISONS: Final[dict[type[ast.cmpop], Callable[[float, float], bool]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOLS: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[...]')",
    ast.Lambda: "lambda",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignment (':=')",
    ast.JoinedStr: "f-strings",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
}


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated.

    `kind` is one of: 'syntax', 'too-complex', 'forbidden', 'unknown-name', 'missing',
    'zero-denominator', 'domain', 'type'. `name` is the input or KPI whose value was missing.
    """

    def __init__(self, kind: str, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.name = name


@dataclass(frozen=True)
class KpiRef:
    code: str
    data_point: str | None = None


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed, checked expression. Build it with `parse`."""

    text: str
    names: frozenset[str]
    kpi_refs: tuple[KpiRef, ...]
    _tree: ast.expr = field(repr=False)

    @property
    def is_condition(self) -> bool:
        """True when the result is yes/no (a comparison or logic), so a check can be judged by it."""
        return _is_condition(self._tree)

    def evaluate(self, values: Mapping[str, Value], kpi: KpiLookup | None = None) -> Value:
        try:
            return _Evaluator(values, kpi).eval(self._tree)
        except (OverflowError, MemoryError, RecursionError) as exc:
            raise FormulaError("domain", f"the result of {self.text!r} is too large to compute") from exc


def parse(expr: str) -> Formula:
    if not isinstance(expr, str):
        raise FormulaError("type", f"a formula must be text, not {type(expr).__name__}")
    return _parse(expr)


@lru_cache(maxsize=4096)
def _parse(expr: str) -> Formula:
    text = expr.strip()
    if not text:
        raise FormulaError("syntax", "the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError("too-complex", f"the formula is {len(text)} characters long (at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise FormulaError("syntax", f"cannot read the formula {_short(text)}{where}: {exc.msg}") from exc
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise FormulaError(
            "too-complex", f"cannot read the formula {_short(text)}: it is too long or too deeply nested"
        ) from exc
    checker = _Checker(text)
    checker.visit(tree, 1)
    return Formula(text, frozenset(checker.names), tuple(checker.kpi_refs), tree)


def _is_condition(node: ast.expr) -> bool:
    if isinstance(node, ast.IfExp):
        return _is_condition(node.body) and _is_condition(node.orelse)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    negation = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
    return negation or isinstance(node, ast.Compare | ast.BoolOp)


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


class _Checker:
    """Walks the syntax tree once, rejecting every construct outside the whitelist."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: set[str] = set()
        self.kpi_refs: list[KpiRef] = []
        self.count = 0

    def visit(self, node: ast.AST, depth: int) -> None:
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            raise FormulaError("too-complex", f"the formula {_short(self.text)} is too long or too deeply nested")
        if isinstance(node, ast.Constant):
            self._constant(node)
        elif isinstance(node, ast.Name):
            self._name(node)
        elif isinstance(node, ast.Call):
            self._call(node, depth)
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            self._children(depth, node.left, node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub | ast.Not):
            self._children(depth, node.operand)
        elif isinstance(node, ast.BoolOp):
            self._children(depth, *node.values)
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARISONS for op in node.ops):
            self._children(depth, node.left, *node.comparators)
        elif isinstance(node, ast.IfExp):
            self._children(depth, node.test, node.body, node.orelse)
        else:
            raise FormulaError("forbidden", f"{self._describe(node)} is not allowed in a formula")

    def _children(self, depth: int, *nodes: ast.AST) -> None:
        for child in nodes:
            self.visit(child, depth + 1)

    def _describe(self, node: ast.AST) -> str:
        for kind, label in _SYMBOLS.items():
            if isinstance(node, kind):
                return label.capitalize()
        segment = ast.get_source_segment(self.text, node)
        return repr(segment) if segment else type(node).__name__

    def _constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool | int | float):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**300:
                raise FormulaError("domain", "a number in the formula is too large")
            return
        raise FormulaError("forbidden", f"the constant {value!r} is not allowed (only numbers, True and False)")

    def _name(self, node: ast.Name) -> None:
        if node.id in FUNCTIONS:
            raise FormulaError("forbidden", f"{node.id!r} is a function; call it as {node.id}(...)")
        if node.id.startswith("_"):
            raise FormulaError("forbidden", f"names starting with '_' are not allowed ({node.id!r})")
        if node.id not in {"True", "False"}:
            self.names.add(node.id)

    def _call(self, node: ast.Call, depth: int) -> None:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            called = ast.get_source_segment(self.text, func) or "this"
            allowed = ", ".join(sorted(FUNCTIONS))
            raise FormulaError("forbidden", f"calling {called!r} is not allowed (only {allowed})")
        if node.keywords:
            raise FormulaError("forbidden", f"{func.id}() takes no keyword arguments")
        if func.id == "kpi":
            self.kpi_refs.append(_kpi_ref(node))
            return
        if not node.args:
            raise FormulaError("syntax", f"{func.id}() needs at least one argument")
        if func.id == "abs" and len(node.args) != 1:
            raise FormulaError("syntax", "abs() takes exactly one argument")
        if func.id == "round" and len(node.args) > 2:
            raise FormulaError("syntax", "round() takes a number and optionally a number of digits")
        self._children(depth, *node.args)


def _kpi_ref(node: ast.Call) -> KpiRef:
    args = node.args
    texts = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not 1 <= len(args) <= 2 or len(texts) != len(args):
        raise FormulaError(
            "syntax", "kpi() takes a KPI code and optionally a data point, both quoted: kpi('EC: ICT: ICT: 1C')"
        )
    return KpiRef(texts[0], texts[1] if len(texts) == 2 else None)


def _source(node: ast.AST) -> str:
    return ast.unparse(node)


def _number(value: Value | None, node: ast.AST) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "a yes/no value" if isinstance(value, bool) else type(value).__name__
        raise FormulaError("type", f"{_source(node)} must be a number here, but it is {shown}")
    if not math.isfinite(value):
        raise FormulaError("domain", f"{_source(node)} is not a finite number ({value})")
    return float(value)


def _truth(value: Value, node: ast.AST) -> bool:
    if not isinstance(value, bool):
        raise FormulaError("type", f"{_source(node)} must be a yes/no value here, but it is the number {value}")
    return value


class _Evaluator:
    def __init__(self, values: Mapping[str, Value], kpi: KpiLookup | None) -> None:
        self.values = values
        self.kpi = kpi

    def eval(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float):
            return node.value if isinstance(node.value, bool) else float(node.value)
        if isinstance(node, ast.Name):
            return self._lookup(node.id)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return not _truth(self.eval(node.operand), node.operand)
            number = _number(self.eval(node.operand), node.operand)
            return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, ast.BoolOp):
            return self._boolop(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.IfExp):
            branch = node.body if _truth(self.eval(node.test), node.test) else node.orelse
            return self.eval(branch)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node.func.id, node)
        raise FormulaError("forbidden", f"{_source(node)} is not allowed in a formula")  # unreachable after parse

    def _lookup(self, name: str) -> Value:
        if name in ("True", "False"):
            return name == "True"
        if name not in self.values or self.values[name] is None:
            raise FormulaError("missing", f"no value for {name!r}", name=name)
        value = self.values[name]
        if isinstance(value, bool):
            return value
        if not isinstance(value, int | float):
            raise FormulaError("type", f"{name!r} must be a number or yes/no, not {type(value).__name__}", name=name)
        if not math.isfinite(value):
            raise FormulaError("domain", f"{name!r} is not a finite number ({value})", name=name)
        return float(value)

    def _binop(self, node: ast.BinOp) -> float:
        left = _number(self.eval(node.left), node.left)
        right = _number(self.eval(node.right), node.right)
        if isinstance(node.op, _DIVISIONS) and right == 0:
            raise FormulaError("zero-denominator", f"zero denominator: {_source(node.right)} is 0")
        if isinstance(node.op, ast.Pow):
            if abs(right) > MAX_EXPONENT:
                shown = _source(node.right)
                shown = shown if shown == f"{right:g}" else f"{shown} = {right:g}"
                raise FormulaError("domain", f"the exponent {shown} is too large (at most {MAX_EXPONENT:g})")
            if left < 0 and not right.is_integer():
                raise FormulaError("domain", f"{_source(node)}: a negative number to a fractional power")
            if left == 0 and right < 0:
                raise FormulaError("zero-denominator", f"zero denominator: {_source(node.left)} is 0")
        result = _ARITHMETIC[type(node.op)](left, right)
        if not math.isfinite(result):
            raise FormulaError("domain", f"{_source(node)} is too large to compute")
        return result

    def _boolop(self, node: ast.BoolOp) -> bool:
        want = isinstance(node.op, ast.Or)  # 'or' stops at the first True, 'and' at the first False
        for operand in node.values:
            if _truth(self.eval(operand), operand) is want:
                return want
        return not want

    def _compare(self, node: ast.Compare) -> bool:
        left_node: ast.expr = node.left
        left = self.eval(left_node)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.eval(right_node)
            if isinstance(left, bool) != isinstance(right, bool):
                raise FormulaError(
                    "type", f"cannot compare {_source(left_node)} with {_source(right_node)}: yes/no against a number"
                )
            if isinstance(left, bool) and type(op) not in (ast.Eq, ast.NotEq):
                raise FormulaError("type", f"yes/no values can only be compared with == or != ({_source(node)})")
            if not _COMPARISONS[type(op)](left, right):
                return False
            left_node, left = right_node, right
        return True

    def _call(self, name: str, node: ast.Call) -> Value:
        if name == "kpi":
            return self._kpi(_kpi_ref(node))
        args = [_number(self.eval(a), a) for a in node.args]
        if name == "min":
            return min(args)
        if name == "max":
            return max(args)
        if name == "sum":
            total = math.fsum(args)
            if not math.isfinite(total):
                raise FormulaError("domain", f"{_source(node)} is too large to compute")
            return total
        if name == "abs":
            return abs(args[0])
        digits = args[1] if len(args) == 2 else 0.0
        if not digits.is_integer() or not 0 <= digits <= MAX_ROUND_DIGITS:
            raise FormulaError("domain", f"round() digits must be a whole number from 0 to {MAX_ROUND_DIGITS}")
        return float(round(args[0], int(digits)))

    def _kpi(self, ref: KpiRef) -> float:
        label = ref.code if ref.data_point is None else f"{ref.code} / {ref.data_point}"
        if self.kpi is None:
            raise FormulaError("missing", f"no KPI values are available for kpi({ref.code!r})", name=label)
        value = self.kpi(ref.code, ref.data_point or DEFAULT_DATA_POINT)
        if value is None:
            raise FormulaError("missing", f"no value for KPI {label}", name=label)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise FormulaError("type", f"KPI {label} has no numeric value ({value!r})", name=label)
        return float(value)
