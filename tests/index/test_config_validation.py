"""Configuration validation: every problem is reported with its key path and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykpi.index.config import load_config, parse_config
from citykpi.model.errors import DiagnosticError

BASE = {"data": {"units": "u.csv", "meta": "m.csv"}}


def _fields(raw: object) -> dict[str, str]:
    with pytest.raises(DiagnosticError) as err:
        parse_config(raw)
    return {str(d.location.field): d.message for d in err.value.diagnostics}


def test_unknown_step_and_bad_parameter_name_their_key_path() -> None:
    fields = _fields({**BASE, "steps": [{"step": "normalise", "method": "cubic"}, {"step": "frobnicate"}]})
    assert any(k.startswith("steps[0]") and "method" in k for k in fields)
    assert any(k.startswith("steps[1]") for k in fields)
    assert any("frobnicate" in m for m in fields.values())


def test_extra_keys_and_bad_ranges_are_rejected() -> None:
    fields = _fields({**BASE, "steps": [{"step": "aggregate"}, {"step": "normalise", "colour": "red"}]})
    assert "Extra inputs" in fields["steps[1].colour"]
    fields = _fields({**BASE, "steps": [{"step": "normalise", "range": [100, 0]}]})
    assert "increasing" in fields["steps[0]"]


def test_data_source_needs_both_tables() -> None:
    fields = _fields({"data": {"units": "u.csv"}, "steps": [{"step": "aggregate"}]})
    assert "data" in fields and "go together" in fields["data"]


def test_uncertainty_is_validated_against_the_steps() -> None:
    raw = {
        **BASE,
        "steps": [{"step": "treat"}, {"step": "normalise"}, {"step": "aggregate"}],
        "uncertainty": [
            {"step": "treat", "param": "winmax", "values": [1, 2, 3, 4, 5]},
            {"step": "impute", "param": "method", "values": ["mean", "median"]},
            {"step": "normalise", "param": "colour", "values": [1, 2]},
            {"step": "aggregate", "param": "method", "values": ["arithmetic", "cubic"]},
            {"step": "weights", "param": "noise", "range": [0, 0.25]},
            {"step": "treat", "param": "winmax", "values": [1], "range": [0, 1]},
        ],
    }
    fields = _fields(raw)
    assert "not in the pipeline" in fields["uncertainty[1].step"]
    assert "has no parameter 'colour'" in fields["uncertainty[2].param"]
    assert "'cubic' is not valid" in fields["uncertainty[3]"]
    assert "not in the pipeline" in fields["uncertainty[4].step"]
    assert "exactly one of" in fields["uncertainty[5]"]
    assert "uncertainty[0]" not in " ".join(fields)


def test_valid_uncertainty_parses(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "data: {units: u.csv, meta: m.csv}\n"
        "steps: [{step: weights}, {step: aggregate}]\n"
        "uncertainty:\n  - {step: weights, param: noise, range: [0, 0.25]}\n"
        "  - {step: aggregate, param: method, values: [arithmetic, geometric]}\n"
    )
    config = load_config(path)
    assert [u.label for u in config.uncertainty] == ["weights.noise", "aggregate.method"]
    assert config.resolve(Path("u.csv")) == tmp_path / "u.csv"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("data:\n  units: [a\nsteps: []\n")
    with pytest.raises(DiagnosticError) as err:
        load_config(path)
    d = err.value.diagnostics[0]
    assert d.type == "format-error" and d.location.row is not None


def test_missing_file() -> None:
    with pytest.raises(DiagnosticError, match="does not exist"):
        load_config(Path("/nonexistent/config.yaml"))
