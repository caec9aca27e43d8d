"""`kpis select`: KPIs by SDG and theme, ranked by the data a city holds, and the workbook of the selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.assess.engine import assess
from citykpi.cli import app
from citykpi.collect.fill import filled_workbook
from citykpi.collect.readers import read_any
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.framework.levels import Level
from citykpi.framework.select import Held, Readiness, select, subset

runner = CliRunner()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def codes(found: list) -> list[str]:  # type: ignore[type-arg]
    return [p.kpi.code for p in found]


def test_sdg_and_theme(catalogue: Catalogue) -> None:
    both = select(catalogue.kpis, [11], ["mobility"], match_all=True)
    assert all(p.reasons == ("SDG 11", "theme mobility") for p in both)
    assert "EC: I: T: 3C" in codes(both)  # bicycle network: transport category, SDG 11.2
    assert "SC: SH: SA: 9C" not in codes(both)  # traffic fatalities: mobility by keyword, SDG 3, not 11
    either = select(catalogue.kpis, [11], ["mobility"])
    assert "SC: SH: SA: 9C" in codes(either)
    assert codes(either)[: len(both)] == codes(both)  # KPIs matching both goals come first
    assert all(p.kpi.level is Level.CORE for p in select(catalogue.kpis, [11], level=Level.CORE))
    assert len(select(catalogue.kpis)) == len(catalogue.kpis)  # no goal: every KPI


def test_unknown_theme_names_the_known_ones(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError, match=r"unknown theme\(s\) traffik; themes: mobility, energy"):
        select(catalogue.kpis, theme_names=["traffik"])


def test_held_data_ranks_first_and_shared_inputs_come_along(catalogue: Catalogue) -> None:
    # Smart electricity meters (EC: ICT: ES: 1C) held in full; public building energy (EN: E: E: 4A) divides by
    # the public building area declared under Public Building Sustainability (EC: I: B: 1A), not an energy KPI,
    # which is therefore added as a supporting KPI.
    held = Held(
        inputs=frozenset({"smart_electricity_meters", "electricity_meters"}), values=frozenset(), profile=frozenset()
    )
    found = select(catalogue.kpis, theme_names=["energy"], held=held)
    ready = [p for p in found if p.readiness is Readiness.HELD]
    assert [p.kpi.code for p in ready] == ["EC: ICT: ES: 1C"] and found[0] is ready[0]
    assert {p.readiness for p in found[1:]} <= {Readiness.PARTLY, Readiness.NONE}
    ranks = [p.readiness for p in found if not p.supporting]
    assert ranks == sorted(ranks)
    supporting = {p.kpi.code: p.reasons for p in found if p.supporting}
    assert supporting == {"EC: I: B: 1A": ("inputs for EN: E: E: 4A",)}


def test_cli_writes_a_workbook_of_the_selection_that_reads_back(catalogue: Catalogue, tmp_path: Path) -> None:
    demo = generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2024)
    have = write_csv(demo, tmp_path / "vellmarsk.csv")
    out = tmp_path / "selection.xlsx"
    result = runner.invoke(
        app,
        ["kpis", "select", "--sdg", "7", "--theme", "energy", "--have", str(have), "-o", str(out), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    proposed = json.loads(result.stdout)
    chosen = [p["code"] for p in proposed]
    assert "EN: E: E: 1C" in chosen and all(p["readiness"] in ("held", "partly", "none") for p in proposed)
    # The workbook of the selection, filled with the city's own figures, reads back against the full catalogue.
    picked = subset(catalogue.kpis, catalogue.frameworks, chosen, catalogue)
    entries = [e for e in demo.entries if e.kpi in picked.kpis]
    filled = filled_workbook(picked, demo.model_copy(update={"entries": entries}))
    assert filled.report.valid, filled.report.errors
    filled.workbook.save(tmp_path / "filled.xlsx")
    submission, report = read_any(tmp_path / "filled.xlsx", catalogue)
    assert report.valid and submission is not None, report.errors
    assert {e.kpi for e in submission.entries} == set(chosen)
    results = assess(submission, catalogue).results
    assert {r.code for r in results if r.has_value} == set(chosen)
    blank, _ = read_any(out, catalogue)  # the written (blank) workbook is a valid workbook too
    assert blank is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--theme", "traffik"], "unknown theme(s) traffik"),
        (["--sdg", "11", "-o", "sel.yaml"], "write the selection as .csv or .xlsx"),
        (["--sdg", "11", "-o", "sel.xlsx"], "a workbook needs --city and --year"),
    ],
)
def test_cli_errors(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["kpis", "select", "--format", "json", *args])
    assert result.exit_code == 1 and message in result.output
