from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citykpi.framework.formula import FormulaError, KpiRef, parse


def value(expr: str, **values: float | bool) -> float | bool:
    return parse(expr).evaluate(values)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("100 * households_with_internet / households", 45.0),
        ("7 // 2", 3.0),
        ("7 % 4", 3.0),
        ("2 ** 10", 1024.0),
        ("-a + +b", 1.0),
        ("(a + b) * 2", 18.0),
        ("a - b * 2", -6.0),
        ("min(a, b, 3)", 3.0),
        ("max(a, b)", 5.0),
        ("abs(a - b)", 1.0),
        ("round(2 / 3, 2)", 0.67),
        ("round(2.5)", 2.0),
        ("sum(a, b, 1.5)", 10.5),
        ("a if a > b else b", 5.0),
        ("a if flag else b", 4.0),
        ("1e3 / 8", 125.0),
    ],
)
def test_arithmetic_and_functions(expr: str, expected: float) -> None:
    got = parse(expr).evaluate({"households_with_internet": 90, "households": 200, "a": 4, "b": 5, "flag": True})
    assert got == pytest.approx(expected)
    assert isinstance(got, float)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("a < b", True),
        ("a <= 4 < b", True),
        ("b > a > 4", False),
        ("a == 4 and b != 4", True),
        ("a > b or flag", True),
        ("not flag", False),
        ("flag == True", True),
        ("not (a > b) and (flag or a > 100)", True),
    ],
)
def test_comparisons_and_logic(expr: str, expected: bool) -> None:
    assert parse(expr).evaluate({"a": 4, "b": 5, "flag": True}) is expected


def test_names_and_kpi_references_are_collected() -> None:
    f = parse("kpi('EC: ICT: ICT: 2C') <= kpi('EC: I: T: 4A', 'walking') + households + x")
    assert f.names == frozenset({"households", "x"})
    assert f.kpi_refs == (KpiRef("EC: ICT: ICT: 2C"), KpiRef("EC: I: T: 4A", "walking"))


def test_kpi_lookup_gets_code_and_data_point() -> None:
    asked: list[tuple[str, str]] = []

    def lookup(code: str, data_point: str) -> float:
        asked.append((code, data_point))
        return {"A": 10.0, "B": 20.0}[code]

    assert parse("kpi('A') <= kpi('B', 'walking')").evaluate({}, lookup) is True
    assert asked == [("A", "value"), ("B", "walking")]


def test_short_circuit_skips_missing_values() -> None:
    """`x if c else y` and and/or evaluate only what they need, so an unreported branch is not an error."""
    assert value("a if flag else missing", a=1, flag=True) == 1.0
    assert value("flag or missing > 1", flag=True) is True
    assert value("flag and missing > 1", flag=False) is False


def error_of(expr: str, values: dict[str, float | bool] | None = None, kpi: object = None) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        parse(expr).evaluate(values or {}, kpi)  # type: ignore[arg-type]
    return info.value


def test_zero_denominator_names_the_denominator() -> None:
    err = error_of("100 * households_with_internet / households", {"households_with_internet": 5, "households": 0})
    assert err.kind == "zero-denominator"
    assert str(err) == "zero denominator: households is 0"
    assert error_of("a / (b - c)", {"a": 1, "b": 2, "c": 2}).message == "zero denominator: b - c is 0"
    assert error_of("a // 0", {"a": 1}).kind == "zero-denominator"
    assert error_of("a % b", {"a": 1, "b": 0}).kind == "zero-denominator"
    assert error_of("b ** -1", {"b": 0}).kind == "zero-denominator"


def test_missing_values_are_their_own_kind() -> None:
    err = error_of("a + b", {"a": 1})
    assert (err.kind, err.name, err.message) == ("missing", "b", "no value for 'b'")
    err = error_of("kpi('EC: ICT: ICT: 1C') > 0", kpi=lambda code, dp: None)
    assert (err.kind, err.name) == ("missing", "EC: ICT: ICT: 1C")
    assert error_of("kpi('X') > 0").kind == "missing"  # no lookup given at all


@pytest.mark.parametrize(
    ("expr", "values", "fragment"),
    [
        ("a + 1", {"a": True}, "a must be a number here, but it is a yes/no value"),
        ("flag if a else 1", {"a": 2, "flag": True}, "a must be a yes/no value"),
        ("not a", {"a": 2}, "a must be a yes/no value"),
        ("a and flag", {"a": 2, "flag": True}, "a must be a yes/no value"),
        ("a < flag", {"a": 2, "flag": True}, "cannot compare a with flag"),
        ("flag < flag", {"flag": True}, "only be compared with == or !="),
        ("a + 1", {"a": "12"}, "'a' must be a number or yes/no, not str"),
        ("min(a, flag)", {"a": 1, "flag": False}, "flag must be a number"),
    ],
)
def test_type_errors(expr: str, values: dict[str, float | bool], fragment: str) -> None:
    err = error_of(expr, values)
    assert err.kind == "type"
    assert fragment in err.message


def test_kpi_returning_a_non_number_is_a_type_error() -> None:
    assert error_of("kpi('A') + 1", kpi=lambda code, dp: True).kind == "type"


@pytest.mark.parametrize(
    ("expr", "values"),
    [
        ("2 ** 1000", {}),
        ("a ** 65", {"a": 2}),
        ("10 ** 10 ** 10", {}),
        ("9e307 * 10", {}),
        ("a * a * a", {"a": 1e200}),
        ("sum(a, a)", {"a": 1e308}),
        ("(-8) ** 0.5", {}),
        ("round(a, 2.5)", {"a": 1}),
        ("round(a, 99)", {"a": 1}),
        ("a + 1", {"a": math.nan}),
        ("a + 1", {"a": math.inf}),
    ],
)
def test_domain_errors(expr: str, values: dict[str, float]) -> None:
    assert error_of(expr, values).kind == "domain"


def parse_error(expr: str) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        parse(expr)
    return info.value


@pytest.mark.parametrize(
    ("expr", "kind", "fragment"),
    [
        ("", "syntax", "empty"),
        ("   ", "syntax", "empty"),
        ("a +", "syntax", "cannot read the formula 'a +'"),
        ("a = 1", "syntax", "cannot read"),
        ("min()", "syntax", "at least one argument"),
        ("abs(a, b)", "syntax", "exactly one argument"),
        ("round(a, 1, 2)", "syntax", "optionally a number of digits"),
        ("kpi()", "syntax", "kpi() takes a KPI code"),
        ("kpi(code)", "syntax", "both quoted"),
        ("kpi('A', 'b', 'c')", "syntax", "kpi() takes"),
        ("__import__('os').system('ls')", "forbidden", "is not allowed"),
        ("__import__('os')", "forbidden", "calling '__import__' is not allowed"),
        ("eval('1')", "forbidden", "calling 'eval'"),
        ("open('/etc/passwd')", "forbidden", "calling 'open'"),
        ("a.__class__", "forbidden", "Attribute access"),
        ("a[0]", "forbidden", "Indexing"),
        ("(lambda: 1)()", "forbidden", "calling"),
        ("lambda: 1", "forbidden", "Lambda"),
        ("[x for x in a]", "forbidden", "Comprehensions"),
        ("(a := 1)", "forbidden", "Assignment"),
        ("f'{a}'", "forbidden", "F-strings"),
        ("'text'", "forbidden", "the constant 'text'"),
        ("1j", "forbidden", "the constant 1j"),
        ("...", "forbidden", "the constant Ellipsis"),
        ("a is b", "forbidden", "'a is b' is not allowed"),
        ("a in b", "forbidden", "is not allowed"),
        ("a & b", "forbidden", "is not allowed"),
        ("a << 2", "forbidden", "is not allowed"),
        ("~a", "forbidden", "is not allowed"),
        ("min(*a)", "forbidden", "'*' unpacking"),
        ("round(a, ndigits=2)", "forbidden", "no keyword arguments"),
        ("_secret + 1", "forbidden", "names starting with '_'"),
        ("min + 1", "forbidden", "'min' is a function"),
        ("a if b", "syntax", "cannot read"),
        ("x" * 2001, "too-complex", "at most 2000"),
        ("(" * 300 + "1" + ")" * 300, "syntax", "too many nested parentheses"),
        ("-" * 100 + "1", "too-complex", "too deeply nested"),
        ("+".join(["a"] * 500), "too-complex", "too long or too deeply nested"),
        ("1" * 1500, "domain", "too large"),
    ],
)
def test_parse_errors(expr: str, kind: str, fragment: str) -> None:
    err = parse_error(expr)
    assert err.kind == kind
    assert fragment in err.message


def test_non_text_is_a_type_error() -> None:
    assert parse_error(12).kind == "type"  # type: ignore[arg-type]


def test_parse_is_cached_and_formulas_are_reusable() -> None:
    f = parse("a * 2")
    assert parse("a * 2") is f
    assert [f.evaluate({"a": n}) for n in (1, 2, 3)] == [2.0, 4.0, 6.0]


NAMES = st.sampled_from(["a", "b", "households", "population", "flag", "missing"])
ATOMS = st.one_of(
    NAMES,
    st.integers(-10, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["True", "False", "kpi('A')", "kpi('A', 'b')", "0"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operators = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "<", "==", "and", "or"])
    binary = st.tuples(children, operators, children)
    return st.one_of(
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda c: f"not {c}"),
        children.map(lambda c: f"-{c}"),
        st.tuples(st.sampled_from(["min", "max", "abs", "round", "sum"]), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
    )


EXPRESSIONS = st.recursive(ATOMS, _combine, max_leaves=25)
VALUES = {"a": 3.0, "b": 0.0, "households": 1e6, "population": 2.5e6, "flag": True}


@settings(max_examples=400, deadline=None)
@given(EXPRESSIONS)
def test_generated_expressions_raise_nothing_but_formula_error(expr: str) -> None:
    try:
        result = parse(expr).evaluate(VALUES, lambda code, dp: 7.0)
    except FormulaError:
        return
    assert isinstance(result, bool) or math.isfinite(result)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_raises_nothing_but_formula_error(expr: str) -> None:
    with contextlib.suppress(FormulaError):
        parse(expr).evaluate(VALUES, lambda code, dp: 7.0)


@pytest.mark.parametrize(
    ("expr", "condition"),
    [
        ("a <= b", True),
        ("a > 1 and b > 1", True),
        ("not flag", True),
        ("True", True),
        ("a > 1 if flag else b > 1", True),
        ("a > 1 if flag else b", False),
        ("a + b", False),
        ("flag", False),  # a bare name could hold either; a check must say what it compares
        ("min(a, b)", False),
    ],
)
def test_is_condition(expr: str, condition: bool) -> None:
    assert parse(expr).is_condition is condition
