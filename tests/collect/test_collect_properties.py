"""No input makes an importer raise: every outcome is a report, and a missing submission always comes with an error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from citykpi.collect.readers import read_any
from citykpi.collect.workbook import read_workbook
from citykpi.framework.catalogue import Catalogue

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PARTS = ["[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]


def outcome_is_consistent(result) -> None:
    submission, report = result
    assert report.valid is (not report.errors)
    if submission is None:
        assert report.errors, "no submission must come with an error saying why"


@SETTINGS
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".csv", ".json", ".dat"]))
def test_arbitrary_bytes_never_raise(data: bytes, suffix: str, catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    outcome_is_consistent(read_any(path, catalogue))


@SETTINGS
@given(parts=st.dictionaries(st.sampled_from(PARTS), st.binary(max_size=300), min_size=1))
def test_arbitrary_zip_parts_never_raise(parts: dict[str, bytes], catalogue: Catalogue, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    path = tmp_path / "input.xlsx"
    path.write_bytes(buffer.getvalue())
    outcome_is_consistent(read_workbook(path, catalogue))


def test_a_real_workbook_with_corrupted_parts_never_raises(
    template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    """Each part of a real template replaced by garbage in turn: the parser-level failures openpyxl can raise."""
    with zipfile.ZipFile(template_path) as source:
        names = source.namelist()
        for victim in names:
            path = tmp_path / "corrupt.xlsx"
            with zipfile.ZipFile(path, "w") as target:
                for name in names:
                    target.writestr(name, b"<not xml" if name == victim else source.read(name))
            outcome_is_consistent(read_workbook(path, catalogue))


CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from(["=1/0", "45 %", "12 km", "1,234", "3,5", "yes", "reported", "not available", "NR", "7"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(4, 14), st.integers(1, 16), CELL), min_size=1, max_size=12))
def test_arbitrary_cell_contents_never_raise(
    cells: list[tuple[int, int, object]], template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(template_path)
    for row, column, value in cells:
        try:
            wb["Economy"].cell(row=row, column=column, value=value)
            wb["Cover"].cell(row=row, column=2, value=value)
        except (ValueError, openpyxl.utils.exceptions.IllegalCharacterError):
            continue  # openpyxl itself refuses to store it: no file can hold it
    path = tmp_path / "cells.xlsx"
    try:
        wb.save(path)
    except (AttributeError, ValueError, TypeError):
        assume(False)  # openpyxl cannot write this combination, so no city file can contain it
    outcome_is_consistent(read_workbook(path, catalogue))


@SETTINGS
@given(content=st.text(max_size=2000))
def test_arbitrary_csv_text_never_raises(content: str, catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "input.csv"
    path.write_text("city,country,year,kpi,kind,name,value,status,quality,origin,source,notes,verified\n" + content)
    outcome_is_consistent(read_any(path, catalogue))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(["data.csv", "../x.csv", "/etc"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["resources", "path", "name"]), inner),
    max_leaves=12,
)


@SETTINGS
@given(descriptor=JSON)
def test_arbitrary_package_descriptors_never_raise(descriptor: object, catalogue: Catalogue, tmp_path: Path) -> None:
    import json

    (tmp_path / "data.csv").write_text("city,year,kpi,kind,name,value\nX,2024,EC: ICT: ICT: 1C,value,value,3\n")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    outcome_is_consistent(read_any(tmp_path, catalogue))
