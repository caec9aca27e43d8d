"""Validating an NGSI-LD export a slice of lines at a time gives exactly what validating it whole gives.

The slices are a speed-up only: whenever they cannot prove they cover the document element by
element, `validate_by_lines` returns None and the document is validated whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from citykpi.exchange.formats import import_any
from citykpi.exchange.ngsi import ENTITIES_FILE, export_ngsi
from citykpi.exchange.ngsi_import import _MANY
from citykpi.exchange.slices import validate_by_lines
from citykpi.model.errors import DiagnosticError

ANY: TypeAdapter[list[Any]] = TypeAdapter(list[Any])


@pytest.fixture
def exported(assessments, catalogue, tmp_path: Path) -> bytes:
    export_ngsi(assessments, catalogue.kpis, tmp_path, None)
    return (tmp_path / ENTITIES_FILE).read_bytes()


@pytest.mark.parametrize("lines", [1, 2, 7, 10_000])
def test_slices_of_an_export_give_the_whole_documents_entities(exported: bytes, lines: int) -> None:
    whole = _MANY.validate_json(exported)
    sliced = validate_by_lines(_MANY, exported, lines)
    assert sliced is not None and len(whole) > 7
    assert [e.model_dump() for e in sliced] == [e.model_dump() for e in whole]


def test_an_export_is_one_json_array_with_one_entity_a_line(exported: bytes) -> None:
    entities = json.loads(exported)
    lines = exported.decode("utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(entities) + 2


@pytest.mark.parametrize(
    "reshape",
    [
        lambda doc: json.dumps(json.loads(doc)).encode(),  # one line
        lambda doc: json.dumps(json.loads(doc), indent=2).encode(),  # pretty-printed by another tool
        lambda doc: doc.replace(b"\n]", b",\n]"),  # a trailing comma: not JSON
        lambda doc: doc.replace(b"},\n{", b"},\n,\n{", 1),  # an empty element: not JSON
        lambda doc: doc.replace(b'"KeyPerformanceIndicator"', b'"Kpi"', 1),  # an invalid entity
    ],
)
def test_other_layouts_and_broken_documents_fall_back_to_the_whole_document(exported: bytes, reshape) -> None:
    assert validate_by_lines(_MANY, reshape(exported), 1) is None


def test_a_pretty_printed_file_imports_like_the_export(exported: bytes, tmp_path: Path) -> None:
    ours = tmp_path / "ours.jsonld"
    ours.write_bytes(exported)
    theirs = tmp_path / "theirs.jsonld"
    theirs.write_text(json.dumps(json.loads(exported), indent=2), encoding="utf-8")
    assert import_any(theirs, "ngsi-ld") == import_any(ours, "ngsi-ld")


def test_a_trailing_comma_is_still_reported_as_invalid_json(exported: bytes, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonld"
    broken.write_bytes(exported.replace(b"\n]", b",\n]"))
    with pytest.raises(DiagnosticError) as caught:
        import_any(broken, "ngsi-ld")
    (problem,) = caught.value.diagnostics
    assert "not valid JSON" in problem.message and problem.location.row is not None


def test_an_empty_export_is_an_empty_list() -> None:
    assert validate_by_lines(ANY, b"[\n\n]\n") == []


# Arrays laid out with line breaks and commas in odd places: whatever the slices accept must be
# exactly what a JSON parser reads, and a document no parser accepts must never be accepted.
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
_separators = st.sampled_from([",\n", ",\n\n", "\n,\n", ",", "\n", ",,\n", ", \n"])


@given(
    items=st.lists(_values, max_size=6),
    separators=st.lists(_separators, min_size=6, max_size=6),
    closing=st.sampled_from(["\n]", "\n]\n", ",\n]", "]", "\n ] \n"]),
    indent=st.sampled_from([None, 1]),
    lines=st.integers(1, 4),
)
def test_slices_accept_only_what_the_whole_document_means(items, separators, closing, indent, lines) -> None:
    body = "".join(
        json.dumps(item, indent=indent) + (separators[i] if i < len(items) - 1 else "") for i, item in enumerate(items)
    )
    doc = ("[\n" + body + closing).encode()
    try:
        expected: list[Any] | None = json.loads(doc)
    except json.JSONDecodeError:
        expected = None
    sliced = validate_by_lines(ANY, doc, lines)
    assert sliced is None or sliced == expected
