"""What `citykpi export` accepts: assessment results (kpis.json, or its folder) or submissions to assess."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.model.diagnostics import Diagnostic, error
from citykpi.validate.files import check_file

RESULTS_FILE = "kpis.json"


def load_assessment(path: Path, catalogue: Catalogue) -> tuple[Assessment | None, list[Diagnostic]]:
    candidate = path / RESULTS_FILE if path.is_dir() and (path / RESULTS_FILE).is_file() else path
    if candidate.suffix.lower() == ".json" and candidate.is_file():
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return None, [error("format-error", f"cannot read JSON: {exc}", file=str(candidate))]
        if isinstance(data, dict) and "results" in data and "profile" in data:
            try:
                return Assessment.model_validate(data), []
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                return None, [error("type-error", f"{where}: {first['msg']}", file=candidate.name)]
    checked = check_file(path, catalogue)
    if checked.accepted is None:
        return None, [*checked.report.errors] or [error("source-error", "the file holds no submission", file=str(path))]
    return checked.accepted, []
