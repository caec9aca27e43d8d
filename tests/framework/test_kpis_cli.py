from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app

PULLY = Path(__file__).resolve().parents[2] / "examples" / "frameworks" / "pully-local.yaml"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def listed(*args: str) -> list[dict[str, object]]:
    code, out, _ = run("kpis", "list", "--format", "json", *args)
    assert code == 0
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_json_list_has_the_promised_fields() -> None:
    rows = listed()
    assert len(rows) == 91
    first = rows[0]
    assert {"code", "name", "dimension", "subdimension", "category", "level", "unit"} <= set(first)
    assert {"inputs", "data_points", "checks", "provenance", "sdg_targets", "framework"} <= set(first)
    assert first["code"] == "EC: ICT: ICT: 1C" and first["level"] == "core"
    assert {r["level"] for r in rows} == {"core", "advanced"}


def test_filters() -> None:
    assert len(listed("--level", "core")) == 54
    assert len(listed("--level", "advanced", "--dimension", "Environment")) == 5
    assert len(listed("--dimension", "EC")) == 45
    assert len(listed("--dimension", "society and culture")) == 29
    assert listed("--dimension", "Nowhere") == []
    code, _, err = run("kpis", "list", "--level", "medium")
    assert code == 2 and "'medium' is not one of 'core', 'advanced'" in err
    assert len(listed("--level", "CORE")) == 54  # case does not matter


def test_extra_framework_is_listed() -> None:
    rows = listed("--framework", str(PULLY))
    assert len(rows) == 96
    assert rows[-1]["framework"] == "pully-local"


def test_table_for_people() -> None:
    code, out, _ = run("kpis", "list", "--level", "advanced", "--dimension", "EN")
    assert code == 0
    assert "5 KPIs" in out and "Noise Exposure" in out and "medium-code" in out


def test_show_everything_about_a_kpi() -> None:
    code, out, _ = run("kpis", "show", "ec : ict : ict : 2c")
    assert code == 0
    for text in [
        "EC: ICT: ICT: 2C",
        "Fixed Broadband Subscriptions",
        "100 * fixed_broadband_subscriptions / households",
        "fixed_broadband_subscriptions",
        "subscriptions",
        "17.6.2",
        "kpi('EC: ICT: ICT: 2C') <= kpi('EC: ICT: ICT: 1C')",
        "Confidence: high",
        "Verification Manual",
        "households (city profile)",
    ]:
        assert text in out, text


def test_show_multi_data_point_kpi_and_open_questions() -> None:
    code, out, _ = run("kpis", "show", "EN: EN: WA: 1C")
    assert code == 0
    assert "open_dump" in out and "lower" in out and "Open questions" in out
    code, out, _ = run("kpis", "show", "SC: EH: H: 1C")
    assert "reported directly" in out
    code, out, _ = run("kpis", "show", "EC: I: ES: 2C")
    assert "customer_interruptions (input of EC: I: ES: 1C)" in out


def test_show_json() -> None:
    code, out, _ = run("kpis", "show", "EC: ICT: ICT: 5C", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["code"] == "EC: ICT: ICT: 5A" and data["aliases"] == ["EC: ICT: ICT: 5C"]


def test_unknown_code_suggests_close_codes() -> None:
    code, out, err = run("kpis", "show", "EC: ICT: ICT: 7C")
    assert code == 1 and out == ""
    assert "no KPI with code 'EC: ICT: ICT: 7C'; did you mean" in err
    assert "Traceback" not in err
    code, _, err = run("kpis", "show", "Fixed Broadband")
    assert code == 1 and "EC: ICT: ICT: 2C" in err


def test_broken_framework_file_is_reported_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nname: Bad\nversion: '1'\nkpis:\n  - code: 'X: 1'\n    level: sometimes\n", encoding="utf-8"
    )
    code, out, err = run("kpis", "list", "--framework", str(bad))
    assert code == 2 and out == ""
    assert "bad.yaml, KPI X: 1, field 'level'" in err
    assert "Traceback" not in err
    code, _, err = run("kpis", "list", "--framework", str(tmp_path / "missing.yaml"))
    assert code == 2 and "[file-error] missing.yaml" in err


@pytest.mark.parametrize(
    "command",
    [
        ["kpis", "list"],
        ["template", "--city", "X", "--year", "2024", "-o", "{tmp}/t.xlsx"],
        ["validate", "{tmp}/t.xlsx"],
        ["assess", "{tmp}/t.xlsx", "-o", "{tmp}/out"],
        ["report", "{tmp}/t.xlsx", "-o", "{tmp}/r.html"],
    ],
    ids=lambda c: c[0],
)
def test_every_command_reports_a_broken_framework_file_the_same_way(tmp_path: Path, command: list[str]) -> None:
    """One shared --framework option: same message, exit 2, nothing written, whichever command reads KPIs."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nname: Bad\nversion: '1'\nkpis:\n  - code: 'X: 1'\n    level: sometimes\n")
    args = [part.format(tmp=tmp_path) for part in command]
    code, out, err = run(*args, "--framework", str(bad))
    assert code == 2 and out == ""
    assert "the KPI framework files have problems" in err and "bad.yaml, KPI X: 1, field 'level'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
