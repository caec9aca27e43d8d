from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from citykpi.scoring.targetfiles import check_against_catalogue, default_target_set, read_targets
from citykpi.scoring.targets import TargetBook, TargetDirection, TargetLevel

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "src" / "citykpi" / "scoring" / "data" / "reference" / "public-targets.csv"
# Sites that republished the primary documents; a target cites the document itself, never a copy.
MIRRORS = (
    "socialbites.ca",
    "wordscope.be",
    "holz.ru",
    "wikipedia.org",
    "nationaltribune",
    "europeantimes",
    "vortal.biz",
)


def mirrored(cited: str) -> list[str]:
    """What in a citation points at a copy: a page "read on" some site, or a known mirror."""
    lowered = cited.lower()
    return (["read on"] if "read on" in lowered else []) + [m for m in MIRRORS if m in lowered]


def _builder():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_targets", ROOT / "scripts" / "build_targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_targets_are_the_builders_output_from_the_reference_csv() -> None:
    builder = _builder()
    shipped = builder.OUTPUT_PATH.read_text(encoding="utf-8")
    assert shipped == builder.build(), "public-reference-targets.yaml is stale: run scripts/build_targets.py"


def test_default_set_carries_every_public_target_unchanged() -> None:
    shipped = default_target_set()
    assert shipped.id == "public-reference-targets"
    assert "not the official U4SSC" in shipped.name
    rows = [r for r in csv.DictReader(REFERENCE.open(encoding="utf-8")) if r["target_value"]]
    assert len(shipped.targets) == len(rows)
    for row, t in zip(rows, shipped.targets, strict=True):
        assert t.kpi == row["code"]
        assert t.source == row["source"]
        assert t.year == (int(row["target_year"]) if row["target_year"] else None)
        if row["target_value"] == "yes":
            assert t.value is True and t.direction is TargetDirection.YES
        else:
            assert t.value == float(row["target_value"]) and t.direction.value == row["direction"]
        assert ("[" in row["name"]) == (t.data_point is not None)


def test_no_target_cites_a_page_read_on_a_mirror() -> None:
    for t in default_target_set().targets:
        assert mirrored(f"{t.source} {t.note}") == [], t.source
    # the earlier edition's citation, which the check refuses
    earlier = "OECD average 2023 = 4.8% (read on https://socialbites.ca/news/oecd-unemployment-trends-2023)"
    assert mirrored(earlier) == ["read on", "socialbites.ca"]


def test_targets_of_another_averaging_period_are_shown_but_not_used() -> None:
    book = TargetBook([default_target_set()])
    for key in ("so2", "o3"):  # WHO 2021 has no annual SO2 or O3 guideline
        shown = book.targets("EN: EN: AQ: 1C", key)
        assert shown and shown[0].mismatch.endswith("the KPI asks for the annual mean")
        assert book.benchmark("EN: EN: AQ: 1C", key) is None
    for key in ("pm10", "pm2_5", "no2"):
        used = book.benchmark("EN: EN: AQ: 1C", key)
        assert used is not None and used.averaging == "annual mean" and not used.mismatch


def test_csv_target_file_with_human_spellings(tmp_path: Path) -> None:
    path = tmp_path / "pully-local.csv"
    path.write_text(
        "kpi,data_point,level,value,year,direction,worst,source\n"
        "EN: EN: AQ: 1C,pm10,national,20,,lower,50,Swiss Ordinance on Air Pollution Control (OAPC) Annex 7\n"
        "SC: SH: SA: 3A,,local,yes,2025,yes,,City council decision\n",
        encoding="utf-8",
    )
    target_set, report = read_targets(path)
    assert report.valid, report.errors
    assert target_set is not None and target_set.id == "pully-local"
    pm10, plan = target_set.targets
    assert pm10.level is TargetLevel.NATIONAL and pm10.worst == 50
    assert plan.value is True and plan.data_point is None and plan.level is TargetLevel.LOCAL


def test_bad_rows_are_located_errors_and_good_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "kpi,value,direction,source\nK1,ten,higher,law\nK2,5,sideways,law\nK3,5,higher,\nK4,5,lower,ok\n",
        encoding="utf-8",
    )
    target_set, report = read_targets(path)
    assert target_set is not None and [t.kpi for t in target_set.targets] == ["K4"]
    assert [e.location.row for e in report.errors] == [2, 2, 3, 4]
    assert all(e.location.file == str(path) for e in report.errors)
    assert "direction" in str(report.errors[2]) or "direction" in " ".join(map(str, report.errors))


def test_unusable_files_give_one_clear_error(tmp_path: Path) -> None:
    missing, report = read_targets(tmp_path / "nope.yaml")
    assert missing is None and report.errors[0].type == "file-error"
    broken = tmp_path / "broken.yaml"
    broken.write_text("targets: [unclosed", encoding="utf-8")
    assert read_targets(broken)[1].errors[0].type == "format-error"
    wrong = tmp_path / "cols.csv"
    wrong.write_text("code,target\nX,1\n", encoding="utf-8")
    assert "unknown column" in read_targets(wrong)[1].errors[0].message
    other = tmp_path / "t.txt"
    other.write_text("x", encoding="utf-8")
    assert ".yaml" in read_targets(other)[1].errors[0].message


def test_targets_for_unknown_kpis_or_data_points_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "id: t\nname: T\ntargets:\n"
        "  - {kpi: A, value: 1, direction: higher, source: s}\n"
        "  - {kpi: B, data_point: pm10, value: 1, direction: lower, source: s}\n"
        "  - {kpi: Z, value: 1, direction: higher, source: s}\n",
        encoding="utf-8",
    )
    target_set, _ = read_targets(path)
    assert target_set is not None
    found = check_against_catalogue(target_set, {"A": ["value"], "B": ["pm2_5"]})
    assert [(d.type, d.location.kpi) for d in found] == [("unknown-data-point", "B"), ("unknown-kpi", "Z")]


def test_a_csv_files_warnings_name_the_line_of_the_target(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("kpi,value,direction,source\nA,1,higher,s\nZ,1,higher,s\n", encoding="utf-8")
    target_set, _ = read_targets(path)
    assert target_set is not None
    (found,) = check_against_catalogue(target_set, {"A": ["value"]}, str(path))
    assert (found.location.kpi, found.location.row) == ("Z", 3)  # line 1 is the header


def test_default_set_names_only_catalogue_kpis_and_data_points() -> None:
    from citykpi.framework.catalogue import Catalogue

    catalogue = Catalogue.load()
    points = {code: [d.key for d in kpi.data_points] for code, kpi in catalogue.kpis.items()}
    assert check_against_catalogue(default_target_set(), points) == []
