"""What lets `citykpi compare` take thousands of city-years: files read and cities built in worker
processes (same rows as in one process), and a PDF laid out in parts and joined (a real PDF)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app, compare_workers
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES, synthetic_city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.report import pages
from citykpi.report.comparison import CITIES_PER_TABLE, compared
from citykpi.report.pages import compare_footers, compare_parts
from citykpi.report.render import pdf_of_parts
from citykpi.scoring.targets import TargetBook


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Path]:
    out = tmp_path_factory.mktemp("tidy")
    kpis = list(Catalogue.load().kpis.values())
    return {
        (spec.name, year): write_csv(generate(kpis, spec, year), out / f"{spec.name}-{year}.csv")
        for spec in CITIES[:2]
        for year in (2023, 2024)
    }


def rows(paths: list[Path], catalogue: Catalogue, book: TargetBook, parallel_from: int, monkeypatch) -> list:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(compare_workers, "PARALLEL_FROM", parallel_from)
    return compare_workers.compared_cities(paths, catalogue, book)


@pytest.mark.slow  # starts worker processes: ~10 s
def test_workers_build_the_same_rows_as_one_process(
    files: dict[tuple[str, int], Path], catalogue: Catalogue, book: TargetBook, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    a, b = (spec.name for spec in CITIES[:2])
    together = [files[(a, 2023)], files[(a, 2024)], files[(b, 2023)], files[(b, 2024)]]  # a city per worker
    apart = [files[(a, 2023)], files[(b, 2023)], files[(a, 2024)], files[(b, 2024)]]  # each city in both workers
    alone = rows(together, catalogue, book, 10**6, monkeypatch)
    assert [r.city for r in alone] == [a, b] and [r.year for r in alone] == [2024, 2024]
    assert rows(together, catalogue, book, 1, monkeypatch) == alone
    assert rows(apart, catalogue, book, 1, monkeypatch) == alone
    assert any(cell.progress for cell in alone[0].cells.values())  # both years were seen: progress arrows


def test_a_city_year_twice_or_a_broken_file_stops_before_anything_is_built(
    files: dict[tuple[str, int], Path], catalogue: Catalogue, book: TargetBook, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    one = files[(CITIES[0].name, 2024)]
    with pytest.raises(compare_workers.DuplicatePlace) as twice:
        rows([one, one], catalogue, book, 10**6, monkeypatch)
    assert twice.value.place == (CITIES[0].name, CITIES[0].country, 2024)
    broken = tmp_path / "broken.csv"
    broken.write_text(one.read_text(encoding="utf-8").replace(",2024,", ",twenty,", 1), encoding="utf-8")
    with pytest.raises(compare_workers.FileProblems) as problems:
        rows([one, broken], catalogue, book, 10**6, monkeypatch)
    assert problems.value.failed == 1 and all(p.startswith("broken.csv: ") for p in problems.value.problems)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, words joined by single spaces (table headings wrap)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    pages = [" ".join(page.split()) for page in text.split("\f")[:count]]
    assert len(pages) == count
    return pages


def footers(path: Path) -> list[str]:
    """The text of each page's bottom margin (16 mm of a landscape A4, 842 x 595 points)."""
    crop = ["-x", "0", "-y", "550", "-W", "842", "-H", "45"]
    text = subprocess.run(["pdftotext", *crop, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.mark.slow  # lays out the comparison as one document, then as three in two processes: ~30 s
def test_pdf_in_parts_is_the_one_document_page_for_page(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook, tmp_path: Path
) -> None:
    names = [f"Town{n:02d}" for n in range(2 * CITIES_PER_TABLE + 2)]  # three side-by-side tables
    cities = [compared(make_history(name, seed=n), catalogue.kpis, book) for n, name in enumerate(names)]
    parts = compare_parts(cities, book.names, "en", tables_per_part=1)
    assert len(parts) == 3 and "Scores by dimension" in parts[0]
    assert all("Scores by dimension" not in p for p in parts[1:])
    assert [sum(p.count(f"<th>{n}, Utopia 2023</th>") for p in parts) for n in names] == [1] * len(names)
    (whole,) = compare_parts(cities, book.names, "en")
    pdf_of_parts([whole], tmp_path / "whole.pdf", workers=1)
    count = pdf_of_parts(parts, tmp_path / "parts.pdf", 2, partial(compare_footers, lang="en"))
    one, joined = pdf_pages(tmp_path / "whole.pdf"), pdf_pages(tmp_path / "parts.pdf")
    assert count == len(one) == len(joined)
    assert count > len(parts)
    # Page numbers and the title at the foot of every page, counted over the whole document.
    assert footers(tmp_path / "parts.pdf") == [f"City comparison {n} / {count}" for n in range(1, count + 1)]
    assert joined == one
    assert "Scores by dimension" in joined[0] and "Produced with citykpi" in joined[-1]
    assert sum("Produced with citykpi" in p for p in joined) == 1


@pytest.mark.slow  # lays out two PDF documents and their footers: ~15 s
def test_compare_command_numbers_the_pages_of_a_pdf_in_parts_in_french(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kpis = list(Catalogue.load().kpis.values())
    files = [
        write_csv(generate(kpis, synthetic_city(n), 2024), tmp_path / f"city-{n}.csv")
        for n in range(CITIES_PER_TABLE + 1)
    ]
    monkeypatch.setattr(pages, "TABLES_PER_PART", 1)  # two side-by-side tables: two parts
    out, pdf = tmp_path / "compare.html", tmp_path / "compare.pdf"
    result = CliRunner().invoke(app, ["compare", *map(str, files), "-o", str(out), "--pdf", str(pdf), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    count = len(pdf_pages(pdf))
    assert f"{pdf} ({count} pages)" in result.output
    assert footers(pdf) == [f"Comparaison de villes {n} / {count}" for n in range(1, count + 1)]
