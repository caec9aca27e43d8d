"""Checks that need all loaded frameworks at once.

A local framework may reuse the U4SSC inputs (`extends: [u4ssc]`) and its checks may compare its
KPIs with U4SSC ones through `kpi(code)`, so names and codes can only be resolved once every file
is loaded. Each problem names the file, the KPI and the field, like the single-file checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from citykpi.framework.codes import code_key
from citykpi.framework.formula import Formula, FormulaError, parse
from citykpi.framework.loading import kpi_expressions
from citykpi.framework.model import PROFILE_FIELDS, Framework, Kpi
from citykpi.model.diagnostics import Diagnostic, error


@dataclass(frozen=True)
class Source:
    framework: Framework
    file: str


def validate_frameworks(sources: Sequence[Source]) -> list[Diagnostic]:
    problems = _duplicate_ids(sources)
    if problems:  # names and `extends` resolve by id, so nothing further can be checked reliably
        return problems
    problems += _duplicate_codes(sources)
    problems += _duplicate_inputs(sources)
    by_id = {s.framework.id: s.framework for s in sources}
    data_points = {k.code: {d.key for d in k.data_points} for s in sources for k in s.framework.kpis}
    for source in sources:
        problems += _missing_extends(source, by_id)
        visible = _visible_names(source.framework, by_id)
        for kpi in source.framework.kpis:
            for where, formula in _expressions(kpi):
                problems += _check_names(formula, visible, source.file, kpi.code, where)
                problems += _check_refs(formula, data_points, source.file, kpi.code, where)
    return problems


def _duplicate_ids(sources: Sequence[Source]) -> list[Diagnostic]:
    seen: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for s in sources:
        fid = s.framework.id
        if fid in seen:
            message = f"framework id {fid!r} is already used by {seen[fid]}; each framework needs its own id"
            problems.append(error("duplicate-framework", message, file=s.file, field="id"))
        seen.setdefault(fid, s.file)
    return problems


def _duplicate_codes(sources: Sequence[Source]) -> list[Diagnostic]:
    seen: dict[str, tuple[str, str]] = {}
    problems: list[Diagnostic] = []
    for s in sources:
        for kpi in s.framework.kpis:
            for field, code in [("code", kpi.code)] + [(f"aliases[{i}]", a) for i, a in enumerate(kpi.aliases)]:
                key = code_key(code)
                if key in seen and seen[key][1] != kpi.code:
                    other_file, other_code = seen[key]
                    message = f"code {code!r} is already used by KPI {other_code} in {other_file}"
                    problems.append(error("duplicate-code", message, file=s.file, kpi=kpi.code, field=field))
                seen.setdefault(key, (s.file, kpi.code))
    return problems


def _duplicate_inputs(sources: Sequence[Source]) -> list[Diagnostic]:
    owners: dict[str, tuple[str, str]] = {}
    problems: list[Diagnostic] = []
    for s in sources:
        for kpi in s.framework.kpis:
            for i, item in enumerate(kpi.inputs):
                other = owners.get(item.name)
                if other is not None and other[0] != s.file:
                    message = (
                        f"input {item.name!r} is already declared by KPI {other[1]} in {other[0]}; "
                        "use `extends` and reuse the name instead of declaring it again"
                    )
                    field = f"inputs[{i}].name"
                    problems.append(error("duplicate-input", message, file=s.file, kpi=kpi.code, field=field))
                owners.setdefault(item.name, (s.file, kpi.code))
    return problems


def _missing_extends(source: Source, by_id: dict[str, Framework]) -> list[Diagnostic]:
    return [
        error(
            "unknown-framework",
            f"extends {fid!r}, which is not loaded (load its file with --framework, or remove it from extends)",
            file=source.file,
            field=f"extends[{i}]",
        )
        for i, fid in enumerate(source.framework.extends)
        if fid not in by_id
    ]


def _visible_names(framework: Framework, by_id: dict[str, Framework]) -> set[str]:
    """Inputs of the framework and, transitively, of the frameworks it extends."""
    names = set(PROFILE_FIELDS)
    pending, done = [framework.id], set()
    while pending:
        fid = pending.pop()
        if fid in done or fid not in by_id:
            continue
        done.add(fid)
        names |= {i.name for k in by_id[fid].kpis for i in k.inputs}
        pending += by_id[fid].extends
    return names


def _expressions(kpi: Kpi) -> Iterator[tuple[str, Formula]]:
    """Only expressions that parse; syntax errors were reported by the loader."""
    for where, text in kpi_expressions(kpi):
        try:
            yield where, parse(text)
        except FormulaError:
            continue


def _check_names(formula: Formula, visible: set[str], file: str, code: str, where: str) -> list[Diagnostic]:
    return [
        error(
            "unknown-name",
            f"{name!r} is neither an input declared in this framework (or one it extends) "
            f"nor a city profile field ({', '.join(PROFILE_FIELDS)})",
            file=file,
            kpi=code,
            field=where,
        )
        for name in sorted(formula.names - visible)
    ]


def _check_refs(
    formula: Formula, data_points: dict[str, set[str]], file: str, code: str, where: str
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for ref in formula.kpi_refs:
        keys = data_points.get(ref.code)
        if keys is None:
            exact = [c for c in data_points if code_key(c) == code_key(ref.code)]
            hint = f"; write it exactly as {exact[0]!r}" if exact else ""
            message = f"kpi({ref.code!r}) names no loaded KPI{hint}"
            problems.append(error("unknown-kpi", message, file=file, kpi=code, field=where))
        elif ref.data_point is None and "value" not in keys:
            message = f"KPI {ref.code} has several data points; name one: kpi({ref.code!r}, '{sorted(keys)[0]}')"
            problems.append(error("unknown-data-point", message, file=file, kpi=code, field=where))
        elif ref.data_point is not None and ref.data_point not in keys:
            message = f"KPI {ref.code} has no data point {ref.data_point!r} (it has: {', '.join(sorted(keys))})"
            problems.append(error("unknown-data-point", message, file=file, kpi=code, field=where))
    return problems
