"""Reading target files (YAML or CSV) into `TargetSet`s, with every problem as a Diagnostic.

YAML files hold a whole `TargetSet` (id, name, source notes, targets); CSV files hold one
target per row with the `Target` field names as headers and take their id from the file name,
so that a verifier can keep an official benchmark table as a spreadsheet export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from citykpi.model.answers import yes_no
from citykpi.model.diagnostics import Diagnostic, Location, Param, Severity, ValidationReport, error, said
from citykpi.scoring.targets import Target, TargetBook, TargetSet

DEFAULT_SET = "public-reference-targets.yaml"
CSV_COLUMNS = tuple(f for f in Target.model_fields if f != "derivation")  # nested: YAML only
LEVEL_NAMES = {"international": 1, "national": 2, "local": 3}


def _pydantic_diagnostics(exc: ValidationError, file: str, row: int | None = None) -> list[Diagnostic]:
    found = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"])
        found.append(error("target-error", f"{e['msg']} (field '{where or 'target'}')", file=file, row=row))
    return found


def _normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept human spellings: level names, 'yes'/'no' values, empty cells as missing."""
    out = {k: v for k, v in raw.items() if v not in ("", None)}
    level = out.get("level")
    if isinstance(level, str) and level.strip().lower() in LEVEL_NAMES:
        out["level"] = LEVEL_NAMES[level.strip().lower()]
    value = out.get("value")
    if isinstance(value, str):
        answer = yes_no(value, digits=False)
        if answer is not None:
            out["value"] = answer
    return out


def _targets_from_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], file: str
) -> tuple[list[Target], list[Diagnostic]]:
    targets: list[Target] = []
    problems: list[Diagnostic] = []
    for row, raw in rows:
        try:
            targets.append(Target.model_validate(_normalise(raw)))
        except ValidationError as exc:
            problems.extend(_pydantic_diagnostics(exc, file, row))
    return targets, problems


def _read_yaml(path: Path) -> tuple[TargetSet | None, list[Diagnostic]]:
    file = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [error("format-error", f"not valid YAML: {exc}", file=file)]
    if not isinstance(doc, dict) or not isinstance(doc.get("targets"), list):
        return None, [error("format-error", "expected a mapping with a 'targets' list", file=file)]
    rows = [(i, t if isinstance(t, dict) else {"value": t}) for i, t in enumerate(doc["targets"], start=1)]
    targets, problems = _targets_from_rows(rows, file)
    header = {k: v for k, v in doc.items() if k != "targets"}
    try:
        target_set = TargetSet.model_validate({**header, "targets": targets})
    except ValidationError as exc:
        return None, problems + _pydantic_diagnostics(exc, file)
    return target_set, problems


def _read_csv(path: Path) -> tuple[TargetSet | None, list[Diagnostic]]:
    file = str(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
        if unknown:
            return None, [
                error(
                    "extra-label",
                    f"unknown column(s) {', '.join(unknown)}; expected some of {', '.join(CSV_COLUMNS)}",
                    file=file,
                )
            ]
        targets, problems = _targets_from_rows(((i, r) for i, r in enumerate(reader, start=2)), file)
    return TargetSet(id=path.stem, name=path.stem, targets=targets), problems


def read_targets(path: Path) -> tuple[TargetSet | None, ValidationReport]:
    """Read one target file; the set is None only when the file as a whole is unusable."""
    if not path.is_file():
        return None, ValidationReport.from_diagnostics([error("file-error", "target file not found", file=str(path))])
    reader = {".yaml": _read_yaml, ".yml": _read_yaml, ".csv": _read_csv}.get(path.suffix.lower())
    if reader is None:
        message = f"unsupported target file type '{path.suffix}'; use .yaml, .yml or .csv"
        return None, ValidationReport.from_diagnostics([error("format-error", message, file=str(path))])
    try:
        target_set, problems = reader(path)
    except (OSError, UnicodeDecodeError) as exc:
        return None, ValidationReport.from_diagnostics([error("file-error", f"cannot read: {exc}", file=str(path))])
    return target_set, ValidationReport.from_diagnostics(problems)


def write_targets(target_set: TargetSet, path: Path) -> Path:
    """Write a target set as YAML that `read_targets` reads back; a whole file or none (written aside, then moved)."""
    doc = target_set.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    partial.replace(path)
    return path


@lru_cache(maxsize=1)
def default_target_set() -> TargetSet:
    """The shipped public reference set (not the official U4SSC table, which is not public)."""
    ref = resources.files("citykpi.scoring") / "data" / DEFAULT_SET
    with resources.as_file(ref) as path:
        target_set, report = read_targets(path)
    if target_set is None or not report.valid:
        raise RuntimeError(f"the shipped target set is broken: {report.errors}")
    return target_set


@lru_cache(maxsize=1)
def default_book() -> TargetBook:
    """The public reference targets alone: what stored scores, the pages and exchange files score
    against unless a user loads other targets. One book, read from its file once, for all of them."""
    return TargetBook([default_target_set()])


def numbered(target_set: TargetSet, file: str) -> list[tuple[int, Target]]:
    """Each target with the row a user finds it at: its place in a YAML list, its line in a CSV file.

    Only a file whose every row parsed is used, so the n-th target is the n-th row.
    """
    first = 2 if file.lower().endswith(".csv") else 1  # a CSV file's line 1 is its header
    return list(enumerate(target_set.targets, start=first))


def check_against_catalogue(
    target_set: TargetSet, data_points: Mapping[str, Sequence[str]], file: str = ""
) -> list[Diagnostic]:
    """Warn about targets naming a KPI or data point the catalogue does not know (typos, other frameworks)."""
    found = []
    for i, t in numbered(target_set, file):
        where = Location(file=file or target_set.id, row=i, kpi=t.kpi)
        if t.kpi not in data_points:
            template = "no KPI '{kpi}' in the loaded frameworks; target ignored"
            params: dict[str, Param] = {"kpi": t.kpi}
            found.append(
                said("unknown-kpi", template, params, variant="target-file", severity=Severity.WARNING, location=where)
            )
        elif t.data_point is not None and t.data_point not in data_points[t.kpi]:
            template = "KPI has no data point '{found}' (it has: {known})"
            params = {"found": t.data_point, "known": ", ".join(data_points[t.kpi])}
            found.append(
                said(
                    "unknown-data-point",
                    template,
                    params,
                    variant="target-file",
                    severity=Severity.WARNING,
                    location=where,
                )
            )
    return found
