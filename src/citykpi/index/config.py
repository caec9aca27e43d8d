"""The YAML configuration of an index: where the data is, the ordered steps, weights, uncertainty.

Validated in full before anything runs; every problem becomes a Diagnostic whose `field` is the
key path (e.g. `steps[3].method`) and whose message says why, so a user fixes them all in one go.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from citykpi.index import aggregate, denominate, impute, normalise, screen, treat, weights
from citykpi.model.diagnostics import Diagnostic, error
from citykpi.model.errors import DiagnosticError

StepParams = Annotated[
    denominate.Params
    | screen.Params
    | impute.Params
    | treat.Params
    | normalise.Params
    | weights.Params
    | aggregate.Params,
    Field(discriminator="step"),
]
STEP_PARAMS: dict[str, type[BaseModel]] = {
    "denominate": denominate.Params,
    "screen": screen.Params,
    "impute": impute.Params,
    "treat": treat.Params,
    "normalise": normalise.Params,
    "weights": weights.Params,
    "aggregate": aggregate.Params,
}


class DataSource(BaseModel):
    """Two tables (unit data + indicator metadata) or a citykpi assessment results table."""

    model_config = ConfigDict(extra="forbid")

    units: Path | None = Field(default=None, description="Unit data table (CSV or Excel), relative to the YAML")
    meta: Path | None = Field(default=None, description="Indicator metadata table (CSV or Excel)")
    units_sheet: str | None = None
    meta_sheet: str | None = None
    assessment: Path | None = Field(default=None, description="citykpi assessment results (CSV or Excel)")
    year: int | None = Field(default=None, description="Keep this time point only (panel data)")
    frameworks: list[Path] = Field(default_factory=list, description="assessment: extra framework files")
    indicators: list[str] | None = Field(default=None, description="Build a sub-index over these indicators only")
    unit_code: str = Field(default="uCode", description="Column of the unit codes")
    unit_name: str = Field(default="uName", description="Column of the unit names")
    time: str = Field(default="Time", description="Column of the time points (panel data), if present")
    groups: list[str] = Field(default_factory=list, description="Unit group columns besides *_group columns")

    @model_validator(mode="after")
    def _one_source(self) -> DataSource:
        tables = self.units is not None or self.meta is not None
        if tables and self.assessment is not None:
            raise ValueError("give either 'units' + 'meta' or 'assessment', not both")
        if not tables and self.assessment is None:
            raise ValueError("give 'units' and 'meta' tables, or 'assessment'")
        if tables and (self.units is None or self.meta is None):
            raise ValueError("'units' and 'meta' go together: both tables are needed")
        return self


class UncertainParam(BaseModel):
    """One uncertain assumption, addressed by step and parameter name; executed by `sensitivity`."""

    model_config = ConfigDict(extra="forbid")

    step: str
    param: str
    values: list[Any] | None = Field(default=None, description="Discrete alternatives, equally likely")
    range: tuple[float, float] | None = Field(default=None, description="Continuous uniform range [lo, hi]")
    name: str | None = Field(default=None, description="Label in outputs; default 'step.param'")

    @model_validator(mode="after")
    def _one_kind(self) -> UncertainParam:
        if (self.values is None) == (self.range is None):
            raise ValueError("give exactly one of 'values' (discrete) or 'range' (continuous)")
        if self.values is not None and len(self.values) < 2:
            raise ValueError("'values' needs at least two alternatives")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be increasing, got {list(self.range)}")
        return self

    @property
    def label(self) -> str:
        return self.name or f"{self.step}.{self.param}"


class IndexConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Index"
    data: DataSource
    weights: dict[str, dict[str, float]] = Field(default_factory=dict, description="Named weight sets")
    steps: list[StepParams] = Field(min_length=1)
    uncertainty: list[UncertainParam] = Field(default_factory=list)
    base_dir: Path = Field(default=Path("."), exclude=True)

    def step_index(self, step: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.step == step), None)

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.base_dir / path


def _key_path(loc: tuple[int | str, ...]) -> str:
    """('steps', 3, 'normalise', 'method') -> 'steps[3].method' (the union's tag is not a key)."""
    out = ""
    for i, part in enumerate(loc):
        if i and isinstance(loc[i - 1], int) and part in STEP_PARAMS:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _uncertainty_problems(config: IndexConfig, entries: list[tuple[int, UncertainParam]]) -> list[Diagnostic]:
    diags = []
    for i, u in entries:
        where = f"uncertainty[{i}]"
        pos = config.step_index(u.step)
        if pos is None:
            present = [s.step for s in config.steps]
            diags.append(
                error(
                    "invalid-uncertainty",
                    f"uncertain parameter {u.label!r} varies step {u.step!r}, which is not in the pipeline "
                    f"(steps: {present}); add the step or remove the assumption",
                    field=f"{where}.step",
                )
            )
            continue
        model = STEP_PARAMS[u.step]
        if u.param not in model.model_fields or u.param == "step":
            diags.append(
                error(
                    "invalid-uncertainty",
                    f"step {u.step!r} has no parameter {u.param!r}; parameters: "
                    f"{sorted(k for k in model.model_fields if k != 'step')}",
                    field=f"{where}.param",
                )
            )
            continue
        base = config.steps[pos].model_dump()
        trial = u.values if u.values is not None else list(u.range or ())
        for v in trial:
            try:
                model.model_validate({**base, u.param: v})
            except ValidationError as exc:
                msg = "; ".join(e["msg"] for e in exc.errors())
                diags.append(
                    error("invalid-uncertainty", f"value {v!r} is not valid for {u.label}: {msg}", field=where)
                )
    return diags


def _problems(exc: ValidationError, file: str, prefix: str = "") -> list[Diagnostic]:
    return [
        error("invalid-config", e["msg"].removeprefix("Value error, "), file=file, field=prefix + _key_path(e["loc"]))
        for e in exc.errors()
    ]


def parse_config(raw: object, base_dir: Path = Path("."), file: str = "config") -> IndexConfig:
    """A validated configuration from parsed YAML; DiagnosticError lists every problem.

    Uncertain parameters are validated one by one, so that a malformed entry does not hide the
    problems of the others.
    """
    if not isinstance(raw, dict):
        raise DiagnosticError([error("format-error", "the configuration must be a mapping of keys", file=file)])
    entries = raw.get("uncertainty") or []
    if not isinstance(entries, list):
        raise DiagnosticError([error("invalid-config", "must be a list", file=file, field="uncertainty")])
    diags: list[Diagnostic] = []
    uncertain: list[tuple[int, UncertainParam]] = []
    for i, entry in enumerate(entries):
        try:
            uncertain.append((i, UncertainParam.model_validate(entry)))
        except ValidationError as exc:
            diags += _problems(exc, file, f"uncertainty[{i}]" + ("." if exc.errors()[0]["loc"] else ""))
    try:
        config = IndexConfig.model_validate({**raw, "uncertainty": [], "base_dir": base_dir})
    except ValidationError as exc:
        raise DiagnosticError(_problems(exc, file) + diags) from None
    diags += [
        d.model_copy(update={"location": d.location.model_copy(update={"file": file})})
        for d in _uncertainty_problems(config, uncertain)
    ]
    if diags:
        raise DiagnosticError(sorted(diags, key=lambda d: str(d.location.field)))
    return config.model_copy(update={"uncertainty": [u for _, u in uncertain]})


def load_config(path: Path) -> IndexConfig:
    if not path.exists():
        raise DiagnosticError([error("file-not-found", "configuration file does not exist", file=str(path))])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        raise DiagnosticError([error("format-error", f"not valid YAML: {exc}", file=str(path), row=row)]) from None
    return parse_config(raw, path.parent, str(path))
