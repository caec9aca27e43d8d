"""The registry of diagnostic types, as Frictionless Data's error classes: code, title, description, template.

Every `Diagnostic.type` the program emits is listed in data/diagnostic-types.yaml; `citykpi errors`
prints them and docs/errors.md is generated from them (tests/test_errors_registry.py keeps both in
step with the source). The template is the usual shape of the message; a type with several shapes
records the shape in `Diagnostic.variant`, and its exact words travel in `Diagnostic.params`. The
file is read on first use, so that importing `DiagnosticError` costs no YAML parsing at start-up.

`DiagnosticError` is the one exception that carries diagnostics out of a reader or loader that
cannot return them (a framework file, an exchange table, an index configuration).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.model.diagnostics import Diagnostic


class DiagnosticError(Exception):
    """An input that cannot be used; `diagnostics` say where and why, one located problem each."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class DiagnosticType(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$")
    area: str = Field(description="Which part of the program reports it: the section of docs/errors.md")
    title: str
    description: str
    template: str = Field(description="The usual shape of the message, with its placeholders")


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    areas: dict[str, str] = Field(description="Section key -> heading, in the order the reference lists them")
    types: list[DiagnosticType]

    @model_validator(mode="after")
    def _consistent(self) -> Registry:
        codes = [t.code for t in self.types]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"diagnostic types listed twice: {', '.join(twice)}")
        unknown = sorted({t.area for t in self.types} - self.areas.keys())
        if unknown:
            raise ValueError(f"areas not declared: {', '.join(unknown)}")
        return self

    def by_code(self) -> dict[str, DiagnosticType]:
        return {t.code: t for t in self.types}


@cache
def registry() -> Registry:
    import yaml

    text = (resources.files("citykpi.model") / "data" / "diagnostic-types.yaml").read_text(encoding="utf-8")
    return Registry.model_validate(yaml.safe_load(text))
