"""The export/import formats by name, and which one a folder holds.

One table so that the CLI, the API and the benchmark offer exactly the same formats.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from citykpi.exchange.datapackage import DESCRIPTOR, export_package, import_package
from citykpi.exchange.ngsi import ENTITIES_FILE, export_ngsi
from citykpi.exchange.ngsi_import import import_ngsi
from citykpi.exchange.opensdg import export_open_sdg, import_open_sdg
from citykpi.exchange.sdmx import STRUCTURE_FILE, export_sdmx, import_sdmx
from citykpi.exchange.tables import fail
from citykpi.framework.model import Kpi
from citykpi.model.assessment import Assessment
from citykpi.scoring.targets import TargetBook

Exporter = Callable[[Sequence[Assessment], Mapping[str, Kpi], Path, TargetBook | None], list[Path]]


@dataclass(frozen=True)
class Format:
    name: str
    marker: str  # a file (or folder) every export of this format holds at its top level
    export: Exporter
    read: Callable[[Path], list[Assessment]]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("frictionless", DESCRIPTOR, lambda a, k, o, _b: export_package(a, k, o), import_package),
        Format("ngsi-ld", ENTITIES_FILE, export_ngsi, import_ngsi),
        Format("sdmx-csv", STRUCTURE_FILE, lambda a, k, o, _b: export_sdmx(a, k, o), import_sdmx),
        Format("open-sdg", "meta", lambda a, k, o, _b: export_open_sdg(a, k, o), import_open_sdg),
    )
}


def export_zip(
    assessments: Sequence[Assessment], kpis: Mapping[str, Kpi], name: str, book: TargetBook | None = None
) -> bytes:
    """The export folder as a zip archive, for a web response (the API's download of a format)."""
    if name not in FORMATS:
        raise fail("format-error", f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory(prefix="citykpi-exchange-") as tmp:
        folder = Path(tmp) / name
        FORMATS[name].export(assessments, kpis, folder, book)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                archive.write(file, file.relative_to(folder).as_posix())
    return buffer.getvalue()


def detect(path: Path) -> Format:
    folder = path if path.is_dir() else path.parent
    for f in FORMATS.values():
        if (folder / f.marker).exists() and (path.is_dir() or path.name == f.marker or f.name == "ngsi-ld"):
            return f
    markers = ", ".join(f"{f.marker} ({f.name})" for f in FORMATS.values())
    raise fail("format-error", f"cannot tell the format; expected one of {markers}, or give --format", file=str(path))


def import_any(path: Path, name: str | None = None) -> list[Assessment]:
    """Raises DiagnosticError with located diagnostics on unreadable input."""
    if not path.exists():
        raise fail("file-error", "no such file or folder", file=str(path))
    if name is not None and name not in FORMATS:
        raise fail("format-error", f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return (FORMATS[name] if name else detect(path)).read(path)
