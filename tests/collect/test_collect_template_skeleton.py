"""The template is the process's pickled skeleton plus the city's cells: the same file as one built afresh."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from citykpi.collect import template
from citykpi.collect.catalogue import CatalogueLike
from citykpi.model.submission import CityProfile

STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?(\+00:00)?")


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the file, creation times blanked."""
    with zipfile.ZipFile(path) as archive:
        return {name: STAMP.sub(b"TIME", archive.read(name)) for name in archive.namelist()}


def test_a_template_from_the_skeleton_is_the_file_built_afresh(
    catalogue: CatalogueLike, profile: CityProfile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_skeleton = template.write_template(catalogue, profile, tmp_path / "skeleton.xlsx")
    with monkeypatch.context() as m:
        m.setattr(template, "_copy_of_skeleton", template._build_skeleton)
        fresh = template.write_template(catalogue, profile, tmp_path / "fresh.xlsx")
    assert parts(fresh) == parts(from_skeleton)
    assert b"Economy \xe2\x80\x94 Testville, 2024" in parts(from_skeleton)["xl/worksheets/sheet3.xml"]


def test_plain_pickling_would_lose_openpyxl_s_default_factories(
    catalogue: CatalogueLike, profile: CityProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(template, "_SKELETONS", {})
    monkeypatch.setattr(template, "_pickled", template.pickle.dumps)
    with pytest.raises(KeyError):
        template.template_workbook(catalogue, profile)["Cover"].column_dimensions["A"]


def test_workbooks_from_one_skeleton_are_independent(catalogue: CatalogueLike, profile: CityProfile) -> None:
    one = template.template_workbook(catalogue, profile)
    one["Economy"]["I4"] = 12
    one["Economy"].row_dimensions[500].height = 40
    other = template.template_workbook(catalogue, profile.model_copy(update={"city": "Otherton"}))
    assert other["Economy"]["I4"].value is None
    assert other["Economy"].row_dimensions[500].height is None
    assert other["Economy"]["A1"].value.startswith("Economy — Otherton")
    assert one["Economy"]["A1"].value.startswith("Economy — Testville")


def test_a_changed_catalogue_gets_its_own_skeleton(catalogue: CatalogueLike, profile: CityProfile) -> None:
    sheets = template._dimension_rows(catalogue)
    name, rows = sheets[0]
    changed = ((name, (rows[0].__class__(**{**rows[0].__dict__, "label": "Relabelled"}), *rows[1:])), *sheets[1:])
    assert template._skeleton(changed) != template._skeleton(sheets)
