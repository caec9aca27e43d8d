"""What a cell may hold, cell by cell: the messages a city team reads when a value is refused."""

from __future__ import annotations

import pytest

from citykpi.collect import cells
from citykpi.collect.cells import Problem
from citykpi.framework.model import ValueKind
from citykpi.model.submission import DataQuality, Status


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(12, 12.0), (" 12.5 ", 12.5), ("-3e2", -300.0), (0.1, 0.1), (".5", 0.5)],
)
def test_numbers_accepted(raw: object, expected: float) -> None:
    assert cells.number(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("twelve", "found the text 'twelve'"),
        ("45 %", "contains a unit ('%'); put the number only (45)"),
        ("12 km", "contains a unit ('km')"),
        ("12,5", "decimal comma"),
        ("1,234,567", "thousands separators"),
        (True, "logical value"),
        ("nan", "found the text"),
    ],
)
def test_numbers_refused_with_a_reason(raw: object, words: str) -> None:
    problem = cells.number(raw)  # type: ignore[arg-type]
    assert isinstance(problem, Problem) and problem.type == "type-error"
    assert words in problem.message


def test_kinds_and_ranges() -> None:
    assert cells.typed("Yes", ValueKind.BOOLEAN, None, None, "") is True
    assert cells.typed("PARTIAL", ValueKind.LEVEL, None, None, "", ("no", "partial", "yes")) == "partial"
    assert isinstance(cells.typed("maybe", ValueKind.LEVEL, None, None, "", ("no", "yes")), Problem)
    assert isinstance(cells.typed(2.5, ValueKind.INTEGER, 0, None, "persons"), Problem)
    negative = cells.typed(-1, ValueKind.NUMBER, 0, None, "persons")
    assert isinstance(negative, Problem) and negative.type == "constraint-error" and "negative" in negative.message
    above = cells.typed(140, ValueKind.NUMBER, 0, 100, "%")
    assert isinstance(above, Problem) and "above the maximum 100 %" in above.message


def test_status_quality_and_verified_columns() -> None:
    assert cells.status("Not Available") is Status.NOT_AVAILABLE
    assert cells.status("") is None
    assert isinstance(cells.status("done"), Problem)
    assert cells.quality("3 - Extrapolated based on higher-level data") is DataQuality.HIGHER_LEVEL_EXTRAPOLATION
    assert cells.quality(5) is DataQuality.PERSONAL_ESTIMATE
    assert cells.quality("Personal estimation") is DataQuality.PERSONAL_ESTIMATE
    assert isinstance(cells.quality("7"), Problem)
    assert cells.verified("NO") is False and cells.verified(None) is None
    assert isinstance(cells.verified("perhaps"), Problem)
