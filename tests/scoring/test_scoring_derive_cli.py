"""`citykpi targets derive` on tidy CSV files of fictional cities, then `citykpi report --targets` with the result."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import synthetic_city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.scoring.targetfiles import read_targets
from citykpi.scoring.targets import TargetKind

runner = CliRunner()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("reference")
    kpis = list(Catalogue.load().kpis.values())
    return [
        write_csv(generate(kpis, synthetic_city(i), y), out / f"c{i}-{y}.csv") for i in range(11) for y in (2023, 2024)
    ]


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_derive_then_report_names_the_kinds(reference: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "lead.yaml"
    code, output = run("targets", "derive", *reference, "-o", out, "--name", "eleven towns")
    assert code == 0, output
    target_set, report = read_targets(out)
    assert report.valid and target_set is not None
    kinds = {t.kind for t in target_set.targets}
    assert kinds == {TargetKind.LEADING_CITIES}
    assert all(
        t.derivation and t.derivation.cities == 11 and t.derivation.years == {2024: 11} for t in target_set.targets
    )
    # Every data point is either derived or left out with a reason; none has a public target and a derived one.
    assert f"{len(target_set.targets)} leading-city targets from 11 cities (eleven towns)" in output
    page_path = tmp_path / "r.html"
    code, output = run(
        "report", reference[0], reference[1], "--kind", "verification", "--targets", out, "-o", page_path
    )
    assert code == 0, output
    assert "value(s) unusual among the reference cities (Leading-city benchmarks (eleven towns))" in output
    page = page_path.read_text(encoding="utf-8")
    head = page[: page.index("</header>")]
    assert "Targets used" in head and "public (" in head and "leading cities (" in head
    assert "leading cities (11 cities)" in page
    assert "Values unusual among the reference cities" in page


def test_with_too_few_cities_nothing_is_derived_but_the_file_is_valid(reference: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "few.yaml"
    code, output = run("targets", "derive", *reference[:4], "-o", out)
    assert code == 0, output
    target_set, _ = read_targets(out)
    assert target_set is not None and target_set.targets == [] and target_set.peers == []
    assert "reported by 2 cities, fewer than the 10 needed" in output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--quantile", "1.5"], "between 0 and 1"),
        (["-o", "x.csv"], "a derived target file is YAML"),
    ],
)
def test_bad_options_write_nothing(reference: list[Path], tmp_path: Path, extra: list[str], message: str) -> None:
    args = ["targets", "derive", *map(str, reference[:2]), "-o", str(tmp_path / "t.yaml"), *extra]
    code, output = run(*args)
    assert code == 1 and message in output
    assert not (tmp_path / "t.yaml").exists()


def test_a_broken_input_writes_nothing(reference: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("not,a,tidy\nfile,at,all\n", encoding="utf-8")
    code, output = run("targets", "derive", *reference[:2], broken, "-o", tmp_path / "t.yaml")
    assert code == 1 and "broken.csv" in output and "nothing written" in output
    assert not (tmp_path / "t.yaml").exists()
