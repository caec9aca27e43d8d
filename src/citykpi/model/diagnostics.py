"""Errors as data.

Every problem a user can cause is a `Diagnostic` with a machine-readable `type` (registered in
`citykpi.model.errors`, the Frictionless error vocabulary where one fits; docs/errors.md lists them
all), a `Location` precise enough to find the cell, and a plain-language message. A
`ValidationReport` collects them so that the same report can be printed in a terminal, returned as
JSON by the API, or written back into the workbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Location(BaseModel):
    """Where a problem sits; every field is optional because a problem may concern a whole file."""

    model_config = ConfigDict(frozen=True)

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    kpi: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.cell:
            parts.append(f"cell {self.cell}")
        else:
            if self.row is not None:
                parts.append(f"row {self.row}")
            if self.column:
                parts.append(f"column '{self.column}'")
        if self.kpi:
            parts.append(f"KPI {self.kpi}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts) or "(whole input)"


Param = str | int | float


class Diagnostic(BaseModel):
    """One problem. `message` is the English text; `variant` and `params` let a page say it in another language.

    A type may have several message shapes (a number with a unit, with a decimal comma...): `key`
    names the shape, and `params` holds every value the English message interpolates, so that a
    translation catalogue keyed by `key` can rebuild the same sentence (see citykpi.web.problems).
    """

    model_config = ConfigDict(frozen=True)

    type: str = Field(description="Error type, e.g. 'type-error', 'constraint-error', 'zero-denominator'")
    severity: Severity = Severity.ERROR
    location: Location = Field(default_factory=Location)
    message: str
    variant: str = Field(default="", description="Which message shape of this type, e.g. 'decimal-comma'")
    params: dict[str, Param] = Field(default_factory=dict, description="The values interpolated into `message`")

    @property
    def key(self) -> str:
        """The translation key: the type, and the variant when the type has several message shapes."""
        return f"{self.type}.{self.variant}" if self.variant else self.type

    def __str__(self) -> str:
        return f"[{self.type}] {self.location}: {self.message}"


class ValidationReport(BaseModel):
    """The outcome of validating one input: `valid` is true when there is no error (warnings allowed)."""

    valid: bool
    errors: list[Diagnostic] = Field(default_factory=list)
    warnings: list[Diagnostic] = Field(default_factory=list)

    @classmethod
    def from_diagnostics(cls, diagnostics: Iterable[Diagnostic]) -> ValidationReport:
        errors: list[Diagnostic] = []
        warnings: list[Diagnostic] = []
        for d in diagnostics:
            (errors if d.severity is Severity.ERROR else warnings).append(d)
        return cls(valid=not errors, errors=errors, warnings=warnings)

    def merged(self, other: ValidationReport) -> ValidationReport:
        return ValidationReport.from_diagnostics([*self.errors, *self.warnings, *other.errors, *other.warnings])


def error(
    type: str,
    message: str,
    *,
    variant: str = "",
    params: Mapping[str, Param] | None = None,
    **location: str | int | None,
) -> Diagnostic:
    return Diagnostic(
        type=type, message=message, variant=variant, params=dict(params or {}), location=Location(**location)
    )


def warning(
    type: str,
    message: str,
    *,
    variant: str = "",
    params: Mapping[str, Param] | None = None,
    **location: str | int | None,
) -> Diagnostic:
    return error(type, message, variant=variant, params=params, **location).model_copy(
        update={"severity": Severity.WARNING}
    )


def said(
    type: str,
    template: str,
    params: Mapping[str, Param],
    *,
    variant: str = "",
    severity: Severity = Severity.ERROR,
    location: Location | None = None,
) -> Diagnostic:
    """A diagnostic whose English message is `template` filled with `params`.

    Keeping the values apart from the sentence is what lets a page say the same in French: the
    catalogue holds the same template translated, under the diagnostic's `key`.
    """
    return Diagnostic(
        type=type,
        severity=severity,
        message=template.format(**params),
        variant=variant,
        params=dict(params),
        location=location or Location(),
    )


def location_params(name: str, where: Location) -> dict[str, Param]:
    """A location quoted inside a message ("the first is at ..."), kept as parts so it can be translated.

    `name` holds the English text; `<name>_key` = "location" tells a translator to rebuild it from
    the `<name>_<field>` values (see citykpi.web.problems).
    """
    parts: dict[str, Param] = {f"{name}_{k}": v for k, v in where.model_dump(exclude_none=True).items()}
    return {name: str(where), f"{name}_key": "location", **parts}


def by_type(diagnostics: Iterable[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """Diagnostics grouped by type, types in order of first appearance: what terminals cut short per type
    (a long run of one kind is counted, not printed; JSON keeps every one)."""
    groups: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault(d.type, []).append(d)
    return groups


CELL_REFERENCE = re.compile(r"^([A-Z]{1,3})(\d+)$")


def reading_order(d: Diagnostic) -> tuple[str, str, int, int, int, str, str]:
    """Sort key: file, sheet, then down the rows and across the columns (B9 before AA10 before C10), as
    a city team reads its workbook; rows of a CSV by number; the KPI last."""
    at = d.location
    found = CELL_REFERENCE.match(at.cell or "")
    row, column = (int(found.group(2)), _column_number(found.group(1))) if found else (at.row or 0, 0)
    return (at.file or "", at.sheet or "", row, column, at.row or 0, at.column or "", at.kpi or "")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
