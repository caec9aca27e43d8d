"""Reading one framework file into a `Framework`, with every problem reported as a located diagnostic.

Framework files are hand-written by cities, so a typo must come back as "pully-local.yaml, KPI
PU: 1, field 'data_points[0].formula': ..." rather than a pydantic traceback. Problems that need
the other frameworks (unknown names, `kpi()` references, duplicate codes across files) are
checked by `citykpi.framework.validation` once all files are loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from citykpi.framework.formula import Formula, FormulaError, parse
from citykpi.framework.model import PROFILE_FIELDS, Framework, Kpi, ValueKind
from citykpi.model.diagnostics import Diagnostic, error
from citykpi.model.errors import DiagnosticError

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C parser: ~7x faster, equally safe


class _UniqueKeyLoader(_BASE_LOADER):
    """A safe loader that refuses repeated keys: YAML would silently keep the last `formula:`."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = (key_node.tag, key_node.value)  # raw text: cheap, and exact for the keys people write
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key_node.value!r} appears twice in the same mapping", key_node.start_mark
                )
            seen.add(key)
        return dict(super().construct_mapping(node, deep=deep))


MAX_FILE_BYTES = 5_000_000  # the full U4SSC file is ~150 kB


def load_framework(path: Path) -> Framework:
    raw = _read(path)
    framework = _validate(raw, path)
    problems = list(_formula_syntax(framework, path.name))
    if problems:
        raise DiagnosticError(problems)
    return framework


def _read(path: Path) -> dict[str, Any]:
    name = path.name
    if path.exists() and not path.is_file() and not path.is_dir():  # a pipe would block the read forever
        raise DiagnosticError([error("file-error", "not a regular file (a device, pipe or socket)", file=name)])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DiagnosticError(
                [
                    error(
                        "file-error",
                        f"the file is {size} bytes; a framework file is at most {MAX_FILE_BYTES}",
                        file=name,
                    )
                ]
            )
        text = path.read_text(encoding="utf-8")
    except DiagnosticError:
        raise
    except UnicodeDecodeError as exc:
        raise DiagnosticError([error("encoding-error", "the file is not UTF-8 text", file=name)]) from exc
    except OSError as exc:
        raise DiagnosticError([error("file-error", f"cannot read the file: {exc.strerror or exc}", file=name)]) from exc
    data = _decode(text, path)
    if not isinstance(data, dict):
        raise DiagnosticError(
            [error("format-error", "a framework file must be a mapping with id, name, version and kpis", file=name)]
        )
    return data


def _decode(text: str, path: Path) -> Any:
    name = path.name
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise DiagnosticError(
                [error("format-error", f"invalid JSON: {exc.msg}", file=name, row=exc.lineno, column=str(exc.colno))]
            ) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        row = mark.line + 1 if mark is not None else None
        column = str(mark.column + 1) if mark is not None else None
        raise DiagnosticError(
            [error("format-error", f"invalid YAML: {problem}", file=name, row=row, column=column)]
        ) from exc
    except RecursionError as exc:
        raise DiagnosticError([error("format-error", "the YAML is nested too deeply", file=name)]) from exc


def _validate(raw: dict[str, Any], path: Path) -> Framework:
    duplicates = _duplicate_codes(raw, path.name) + _duplicate_inputs(raw, path.name)
    if duplicates:
        raise DiagnosticError(duplicates)
    try:
        return Framework.model_validate(raw)
    except ValidationError as exc:
        raise DiagnosticError([_diagnostic(e, raw, path.name) for e in exc.errors()]) from exc


def _entries(raw: dict[str, Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, code, entry) of the KPI entries that are mappings with a text code."""
    kpis = raw.get("kpis")
    if not isinstance(kpis, list):
        return []
    return [(i, e["code"], e) for i, e in enumerate(kpis) if isinstance(e, dict) and isinstance(e.get("code"), str)]


def _duplicate_codes(raw: dict[str, Any], file: str) -> list[Diagnostic]:
    """Checked before the model so the message can name the file positions of both entries."""
    first: dict[str, int] = {}
    found: list[Diagnostic] = []
    for index, code, _ in _entries(raw):
        if code in first:
            message = f"KPI code {code!r} is used twice (kpis[{first[code]}] and kpis[{index}])"
            found.append(error("duplicate-code", message, file=file, kpi=code, field="code"))
        first.setdefault(code, index)
    return found


def _duplicate_inputs(raw: dict[str, Any], file: str) -> list[Diagnostic]:
    """An input is declared once per framework (one workbook row); later KPIs reuse it by name."""
    owner: dict[str, str] = {}
    found: list[Diagnostic] = []
    for _, code, entry in _entries(raw):
        inputs = entry.get("inputs")
        for j, item in enumerate(inputs if isinstance(inputs, list) else []):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            field = f"inputs[{j}].name"
            if name in PROFILE_FIELDS:
                message = f"{name!r} is a city profile field: use it in formulas without declaring it"
                found.append(error("duplicate-input", message, file=file, kpi=code, field=field))
            elif owner.get(name, code) != code:
                message = (
                    f"input {name!r} is already declared by KPI {owner[name]}; reuse the name without declaring it"
                )
                found.append(error("duplicate-input", message, file=file, kpi=code, field=field))
            owner.setdefault(name, code)
    return found


def _diagnostic(err: Any, raw: dict[str, Any], file: str) -> Diagnostic:
    loc: tuple[int | str, ...] = tuple(err["loc"])
    kpi: str | None = None
    field_loc = loc
    if len(loc) >= 2 and loc[0] == "kpis" and isinstance(loc[1], int):
        kpi = _code_at(raw, loc[1])
        field_loc = loc[2:] if kpi else loc
    message = str(err["msg"]).removeprefix("Value error, ")
    kind = "type-error" if err["type"].endswith(("_type", "_parsing")) or err["type"] == "enum" else "constraint-error"
    if err["type"] == "missing":
        kind = "missing-field"
    elif err["type"] == "extra_forbidden":
        kind, message = "unknown-field", "this field is not part of the framework format (misspelt?)"
    return error(kind, message, file=file, kpi=kpi, field=_dotted(field_loc) or None)


def _code_at(raw: dict[str, Any], index: int) -> str | None:
    kpis = raw.get("kpis")
    if isinstance(kpis, list) and index < len(kpis) and isinstance(kpis[index], dict):
        code = kpis[index].get("code")
        return code if isinstance(code, str) else f"kpis[{index}]"
    return None


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _formula_syntax(framework: Framework, file: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for kpi in framework.kpis:
        kinds = {f"data_points[{i}].formula": d.kind for i, d in enumerate(kpi.data_points)}
        for where, text in kpi_expressions(kpi):
            try:
                formula = parse(text)
            except FormulaError as exc:
                problems.append(error(f"formula-{exc.kind}", exc.message, file=file, kpi=kpi.code, field=where))
                continue
            mismatch = _result_mismatch(formula, kinds.get(where))
            if mismatch:
                problems.append(error("formula-type", mismatch, file=file, kpi=kpi.code, field=where))
    return problems


def _result_mismatch(formula: Formula, kind: ValueKind | None) -> str | None:
    """A check (kind None) or a yes/no data point needs a condition; a number data point must not be one."""
    if kind is ValueKind.LEVEL:
        return "a data point of kind 'level' is reported directly: set its formula to null"
    wants_condition = kind in (None, ValueKind.BOOLEAN)
    if wants_condition and not formula.is_condition:
        what = "a check" if kind is None else "a yes/no data point"
        return f"{what} needs a comparison or logic (e.g. a <= b), not a number: {formula.text!r}"
    if not wants_condition and formula.is_condition:
        return f"a {kind} data point needs a number, but {formula.text!r} is a comparison (yes/no)"
    return None


def kpi_expressions(kpi: Kpi) -> list[tuple[str, str]]:
    """Every formula and check expression of a KPI with the field path that locates it."""
    found = [(f"data_points[{i}].formula", d.formula) for i, d in enumerate(kpi.data_points) if d.formula is not None]
    return found + [(f"checks[{i}].expression", c.expression) for i, c in enumerate(kpi.checks)]
