"""Damaged workbooks and hostile cell values through the real API: a located 422, never a 500."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from apiworld import World

from citykpi.collect.template import write_template
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, Submission

KPI = "EC: ICT: ICT: 1C"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    profile = CityProfile(city="Alpha", country="X", year=2023, population=250_000)
    path = write_template(Catalogue.load(), profile, tmp_path_factory.mktemp("wb") / "alpha.xlsx")
    return path.read_bytes()


def corrupted_data(data: bytes) -> bytes:
    """Zeros over the middle of the largest part's compressed bytes: zlib fails on them (or the CRC does)."""
    with zipfile.ZipFile(_io(data)) as archive:
        largest = max(archive.infolist(), key=lambda info: info.compress_size)
    start = largest.header_offset + 30 + len(largest.filename) + largest.compress_size // 2
    return data[:start] + b"\x00" * 64 + data[start + 64 :]


def directory_field(data: bytes, offset: int, value: int) -> bytes:
    """Every central directory entry with the 16-bit field at `offset` set to `value`."""
    out = bytearray(data)
    for entry in re.finditer(rb"PK\x01\x02", data):
        struct.pack_into("<H", out, entry.start() + offset, value)
    return bytes(out)


def _io(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


@pytest.mark.parametrize(
    ("damage", "variant"),
    [
        (corrupted_data, "data"),
        (lambda data: directory_field(data, 6, 84), "unsupported"),  # "zip file version 8.4"
        (lambda data: directory_field(data, 8, 1), "encrypted"),  # the encrypted flag
    ],
)
def test_a_damaged_workbook_is_a_422_naming_the_damage(world: World, workbook: bytes, damage, variant: str) -> None:  # type: ignore[no-untyped-def]
    editor = world.client("editor")
    files = {"file": ("alpha.xlsx", damage(workbook), "application/octet-stream")}
    answer = editor.post(f"/api/v1/periods/{world.periods['alpha']}/import", files=files)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["error"]["report"]["errors"]
    assert [(e["type"], e["variant"]) for e in errors] == [("damaged-file", variant)]
    assert "save it again" in errors[0]["message"]


@pytest.mark.parametrize("quality", ["²", "①", "³ - Extrapolated", "9" * 5000, "٣"])
def test_a_quality_that_is_not_one_of_the_six_levels_is_a_422_at_the_field(world: World, quality: str) -> None:
    editor = world.client("editor")
    body = {
        "kpi": KPI,
        "kind": "input",
        "name": "households_with_internet",
        "value": 5,
        "quality": quality,
        "version": 0,
    }
    answer = editor.put(f"/api/v1/periods/{world.periods['alpha']}/values", json=body)
    assert answer.status_code == 422, answer.text
    assert "choose one of the six levels 1-6" in answer.text


def test_control_characters_and_overlong_texts_in_an_import_are_located_422s(world: World, tmp_path: Path) -> None:
    from citykpi.collect.tidy import write_csv
    from citykpi.model.submission import Entry, EntryKind, Status

    entry = Entry(kpi=KPI, kind=EntryKind.INPUT, name="households_with_internet", value=5.0, status=Status.REPORTED)
    submission = Submission(
        profile=CityProfile(city="Alpha", country="X", year=2023, population=250_000),
        entries=[entry.model_copy(update={"notes": "bell\x07", "source": "s" * 40_000, "quality": 1})],
    )
    path = write_csv(submission, tmp_path / "alpha.csv")
    text = path.read_text(encoding="utf-8").replace(",1,", ",①,")
    files = {"file": ("alpha.csv", text.encode(), "text/csv")}
    answer = world.client("editor").post(f"/api/v1/periods/{world.periods['alpha']}/import", files=files)
    assert answer.status_code == 422, answer.text
    found = {(e["location"]["column"], e["type"], e["variant"]) for e in answer.json()["error"]["report"]["errors"]}
    assert found == {
        ("notes", "type-error", "control-character-lines"),
        ("source", "constraint-error", "text-length"),
        ("quality", "constraint-error", "quality"),
    }
