"""Broken framework files give diagnostics naming the file, the KPI and the field."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citykpi.framework import loading
from citykpi.framework.catalogue import Catalogue, builtin_framework_path
from citykpi.framework.loading import load_framework
from citykpi.model.diagnostics import Diagnostic
from citykpi.model.errors import DiagnosticError

KpiFactory = Callable[..., dict[str, Any]]
FileFactory = Callable[..., Path]


def problems(*paths: Path) -> list[Diagnostic]:
    with pytest.raises(DiagnosticError) as info:
        Catalogue.load(list(paths))
    assert str(info.value)  # printable as one message
    return info.value.diagnostics


def only(found: list[Diagnostic]) -> Diagnostic:
    assert len(found) == 1, found
    return found[0]


def test_a_valid_local_framework_loads(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    catalogue = Catalogue.load([framework_file(local_kpi())])
    assert catalogue.framework_of("xx: l: 1") == "local"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nkpis:\n  - code: 'A\n    name: b\n", encoding="utf-8")
    d = only(problems(path))
    assert (d.type, d.location.file) == ("format-error", "broken.yaml")
    assert d.location.row is not None and "invalid YAML" in d.message


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x", "kpis": [}', encoding="utf-8")
    d = only(problems(path))
    assert (d.type, d.location.file, d.location.row) == ("format-error", "broken.json", 1)


def test_json_framework_files_are_accepted(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    assert "XX: L: 1" in Catalogue.load([framework_file(local_kpi(), name="local.json")]).kpis


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("- a\n- b\n", "must be a mapping"), ("", "must be a mapping"), ("just text", "must be a mapping")],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    d = only(problems(path))
    assert d.type == "format-error" and fragment in d.message


def test_unreadable_files(tmp_path: Path) -> None:
    d = only(problems(tmp_path / "absent.yaml"))
    assert (d.type, d.location.file) == ("file-error", "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00id: x")
    assert only(problems(binary)).type == "encoding-error"
    assert only(problems(tmp_path)).type == "file-error"  # a directory
    pipe = tmp_path / "local.yaml"
    os.mkfifo(pipe)  # reading it would wait forever for a writer
    assert "not a regular file" in only(problems(pipe)).message


def test_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 200, encoding="utf-8")
    d = only(problems(path))
    assert d.type == "file-error" and "at most 100" in d.message


def test_yaml_bomb_is_not_expanded(tmp_path: Path) -> None:
    """Aliases referencing aliases: the safe loader builds shared references, the model rejects the shape."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems(path)
    assert {d.type for d in found} <= {"missing-field", "unknown-field"}
    assert len(found) < 20


@pytest.mark.parametrize(
    ("changes", "type_", "field", "fragment"),
    [
        ({"level": "sometimes"}, "type-error", "level", "'core' or 'advanced'"),
        ({"name": ["a", "list"]}, "type-error", "name", "valid string"),
        (
            {"inputs": [{"name": "x", "label": "X", "unit": "u", "minimum": "zero"}]},
            "type-error",
            "inputs[0].minimum",
            "number",
        ),
        (
            {"inputs": [{"name": "Bad Name", "label": "X", "unit": "u"}]},
            "constraint-error",
            "inputs[0].name",
            "lower_snake_case",
        ),
        ({"data_points": []}, "constraint-error", "data_points", "at least 1"),
        ({"colour": "blue"}, "unknown-field", "colour", "not part of the framework format"),
        ({"provenance": {"basis": "x"}}, "missing-field", "provenance.confidence", "required"),
        (
            {"data_points": [{"key": "v", "unit": "u", "kind": "level", "formula": None}]},
            "constraint-error",
            "data_points[0]",
            "lists no levels",
        ),
    ],
)
def test_wrong_types_name_kpi_and_field(
    framework_file: FileFactory, local_kpi: KpiFactory, changes: dict[str, Any], type_: str, field: str, fragment: str
) -> None:
    d = only(problems(framework_file(local_kpi(**changes))))
    assert (d.type, d.location.file, d.location.kpi, d.location.field) == (type_, "local.yaml", "XX: L: 1", field)
    assert fragment in d.message


def test_missing_top_level_fields(tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text("id: bare\nkpis: []\n", encoding="utf-8")
    found = problems(path)
    assert {(d.type, d.location.field) for d in found} == {("missing-field", "name"), ("missing-field", "version")}


def test_duplicate_code_in_one_file(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi(), local_kpi())))
    assert (d.type, d.location.kpi, d.location.field) == ("duplicate-code", "XX: L: 1", "code")
    assert "kpis[0] and kpis[1]" in d.message


def test_duplicate_code_across_files(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi("ec: ict: ict: 1c"))))
    assert (d.type, d.location.file, d.location.field) == ("duplicate-code", "local.yaml", "code")
    assert "already used by KPI EC: ICT: ICT: 1C in u4ssc.yaml" in d.message


def test_alias_clashing_with_a_code(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi(aliases=["EC: I: T: 3C"]))))
    assert (d.type, d.location.field) == ("duplicate-code", "aliases[0]")


def test_same_framework_id_twice(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi(), id="u4ssc")))
    assert (d.type, d.location.field) == ("duplicate-framework", "id")


def test_input_declared_twice_in_one_file(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi(), local_kpi("XX: L: 2"))))
    assert (d.type, d.location.kpi, d.location.field) == ("duplicate-input", "XX: L: 2", "inputs[0].name")
    assert "already declared by KPI XX: L: 1" in d.message


def test_input_shadowing_a_profile_field(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    inputs = [{"name": "population", "label": "People", "unit": "inhabitants"}]
    d = only(problems(framework_file(local_kpi(inputs=inputs, data_points=[_point("population")]))))
    assert (d.type, d.location.kpi, d.location.field) == ("duplicate-input", "XX: L: 1", "inputs[0].name")
    assert "city profile field" in d.message


def test_input_declared_again_in_another_file(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    inputs = [{"name": "households_with_internet", "label": "Again", "unit": "households"}]
    d = only(problems(framework_file(local_kpi(inputs=inputs, data_points=[_point("households_with_internet")]))))
    assert (d.type, d.location.field) == ("duplicate-input", "inputs[0].name")
    assert "already declared by KPI EC: ICT: ICT: 1C in u4ssc.yaml" in d.message


def _point(formula: str | None, key: str = "value") -> dict[str, Any]:
    return {"key": key, "unit": "Percentage", "formula": formula}


def test_unknown_name_in_formula(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi(data_points=[_point("100 * local_part / househlds")]))))
    assert (d.type, d.location.file, d.location.kpi) == ("unknown-name", "local.yaml", "XX: L: 1")
    assert d.location.field == "data_points[0].formula"
    assert "'househlds' is neither an input" in d.message


def test_u4ssc_inputs_need_extends(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    kpi = local_kpi(data_points=[_point("100 * local_part / households_with_internet")])
    assert only(problems(framework_file(kpi))).type == "unknown-name"
    assert "XX: L: 1" in Catalogue.load([framework_file(kpi, extends=["u4ssc"])]).kpis


def test_extends_an_unloaded_framework(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    d = only(problems(framework_file(local_kpi(), extends=["swiss-national"])))
    assert (d.type, d.location.field) == ("unknown-framework", "extends[0]")


@pytest.mark.parametrize(
    ("formula", "type_"),
    [
        ("100 * local_part /", "formula-syntax"),
        ("__import__('os').system('rm -rf /')", "formula-forbidden"),
        ("local_part ** 1000", None),  # valid syntax: the exponent is judged at evaluation
    ],
)
def test_formula_problems(framework_file: FileFactory, local_kpi: KpiFactory, formula: str, type_: str | None) -> None:
    path = framework_file(local_kpi(data_points=[_point(formula)]))
    if type_ is None:
        assert "XX: L: 1" in Catalogue.load([path]).kpis
        return
    d = only(problems(path))
    assert (d.type, d.location.kpi, d.location.field) == (type_, "XX: L: 1", "data_points[0].formula")


@pytest.mark.parametrize(
    ("expression", "type_", "fragment"),
    [
        ("kpi('EC: ICT: ICT: 99C') > 0", "unknown-kpi", "names no loaded KPI"),
        ("kpi('ec:ict:ict:1c') > 0", "unknown-kpi", "write it exactly as 'EC: ICT: ICT: 1C'"),
        ("kpi('EC: I: T: 4A') > 0", "unknown-data-point", "name one"),
        ("kpi('EC: I: T: 4A', 'horse') > 0", "unknown-data-point", "has no data point 'horse'"),
        ("kpi('XX: L: 1') < unknown_thing", "unknown-name", "'unknown_thing'"),
        ("kpi('XX: L: 1' ", "formula-syntax", "cannot read"),
    ],
)
def test_check_problems(
    framework_file: FileFactory, local_kpi: KpiFactory, expression: str, type_: str, fragment: str
) -> None:
    checks = [{"id": "c", "expression": expression, "message": "m"}]
    d = only(problems(framework_file(local_kpi(checks=checks))))
    assert (d.type, d.location.kpi, d.location.field) == (type_, "XX: L: 1", "checks[0].expression")
    assert fragment in d.message


def test_checks_may_reference_u4ssc_kpis(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    checks = [{"id": "c", "expression": "kpi('XX: L: 1') <= kpi('EN: EN: WA: 1C', 'recycled')", "message": "m"}]
    assert Catalogue.load([framework_file(local_kpi(checks=checks))]).kpi("XX: L: 1").checks[0].id == "c"


def test_all_files_are_reported_together(framework_file: FileFactory, local_kpi: KpiFactory, tmp_path: Path) -> None:
    bad_yaml = tmp_path / "other.yaml"
    bad_yaml.write_text("kpis: [\n", encoding="utf-8")
    found = problems(framework_file(local_kpi(level="sometimes")), bad_yaml)
    assert {d.location.file for d in found} == {"local.yaml", "other.yaml"}


def test_unknown_builtin_framework() -> None:
    with pytest.raises(DiagnosticError) as info:
        builtin_framework_path("iso37120")
    assert info.value.diagnostics[0].type == "unknown-framework"


def test_load_framework_alone(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    framework = load_framework(framework_file(local_kpi()))
    assert (framework.id, [k.code for k in framework.kpis]) == ("local", ["XX: L: 1"])


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["code", "name", "level", "type", "unit", "inputs", "data_points", "checks", "provenance", "aliases", "sdg_goals"]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(FIELDS, JSONISH, max_size=3), st.sampled_from(["yaml", "json"]))
def test_no_framework_file_raises_anything_but_framework_error(
    framework_file: FileFactory, local_kpi: KpiFactory, changes: dict[str, Any], suffix: str
) -> None:
    try:
        path = framework_file(local_kpi(**changes), name=f"fuzz.{suffix}")
    except (ValueError, TypeError):  # floats like nan cannot be written as JSON by the test itself
        return
    try:
        Catalogue.load([path])
    except DiagnosticError as exc:
        assert exc.diagnostics and all(d.location.file == f"fuzz.{suffix}" for d in exc.diagnostics)


def test_repeated_yaml_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("id: a\nname: A\nversion: '1'\nid: b\nkpis: []\n", encoding="utf-8")
    d = only(problems(path))
    assert (d.type, d.location.row) == ("format-error", 4)
    assert "the key 'id' appears twice" in d.message


@pytest.mark.parametrize(
    ("data_points", "checks", "field", "fragment"),
    [
        (None, [{"id": "c", "expression": "local_part + 1", "message": "m"}], "checks[0].expression", "a check needs"),
        (
            [{"key": "v", "unit": "yes/no", "kind": "boolean", "formula": "local_part"}],
            None,
            "data_points[0].formula",
            "a yes/no data point needs",
        ),
        ([{"key": "v", "unit": "%", "formula": "local_part > 1"}], None, "data_points[0].formula", "needs a number"),
        (
            [{"key": "v", "unit": "level", "kind": "level", "levels": ["no", "yes"], "formula": "local_part > 1"}],
            None,
            "data_points[0].formula",
            "set its formula to null",
        ),
    ],
)
def test_result_kind_must_fit(
    framework_file: FileFactory,
    local_kpi: KpiFactory,
    data_points: list[dict[str, Any]] | None,
    checks: list[dict[str, Any]] | None,
    field: str,
    fragment: str,
) -> None:
    changes = {k: v for k, v in {"data_points": data_points, "checks": checks}.items() if v is not None}
    d = only(problems(framework_file(local_kpi(**changes))))
    assert (d.type, d.location.field) == ("formula-type", field)
    assert fragment in d.message


def test_yes_no_data_point_with_a_condition_loads(framework_file: FileFactory, local_kpi: KpiFactory) -> None:
    point = {"key": "v", "unit": "yes/no", "kind": "boolean", "formula": "local_part >= 1 and not local_part > 9"}
    assert Catalogue.load([framework_file(local_kpi(data_points=[point]))]).kpi("XX: L: 1")
