"""The tidy CSV wrapped as a Frictionless data package (datapackage.json + CSV resources).

The descriptor is untrusted: a resource path is accepted only if it is a relative path that stays
inside the package folder (no URL, no '..', no absolute path), checked before frictionless opens
anything. Each resource is then validated with frictionless against the Table Schema shipped in
this package (not the one the descriptor declares, which a sender could loosen). Structural
errors stop the import; a structurally sound table goes through the same rules as a tidy CSV.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.safety import DEFAULT_LIMITS, Limits
from citykpi.collect.tidy import Parsed, decode, finish, parse_text, write_csv
from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport
from citykpi.model.submission import Submission

DESCRIPTOR = "datapackage.json"
MAX_DESCRIPTOR_BYTES = 1_000_000


def tidy_schema() -> dict[str, Any]:
    text = (resources.files("citykpi.collect") / "data" / "tidy.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_datapackage(
    path: Path | str, catalogue: CatalogueLike, limits: Limits = DEFAULT_LIMITS
) -> tuple[Submission | None, ValidationReport]:
    path = Path(path)
    descriptor_path = path / DESCRIPTOR if path.is_dir() else path
    where = Location(file=descriptor_path.name)
    parsed = Parsed()
    descriptor = _descriptor(descriptor_path, where, parsed)
    resource_paths = (
        [] if descriptor is None else list(_resource_paths(descriptor, descriptor_path.parent, where, parsed))
    )
    if parsed.problems:
        return None, ValidationReport.from_diagnostics(parsed.problems)
    for name, file in resource_paths:
        at = Location(file=name)
        content = decode(file, at, parsed, limits)
        structural = [] if content is None else _frictionless(file, descriptor_path.parent, name)
        if content is None or structural:
            parsed.problems += structural
            parsed.unreadable = True
            continue
        parse_text(content, at, parsed, limits)
    return finish(parsed, catalogue, where)


def _descriptor(path: Path, where: Location, parsed: Parsed) -> dict[str, Any] | None:
    try:
        size = path.stat().st_size
        if size > MAX_DESCRIPTOR_BYTES:
            template = "{name} is {size} bytes (limit {limit})"
            parsed.found(
                "hostile-file",
                template,
                where,
                variant="descriptor",
                name=DESCRIPTOR,
                size=size,
                limit=MAX_DESCRIPTOR_BYTES,
            )
            return None
        data = json.loads(path.read_bytes())
    except OSError as exc:
        template = "cannot read {name}: {detail}"
        parsed.found(
            "source-error", template, where, variant="descriptor", name=path.name, detail=str(exc.strerror or exc)
        )
        return None
    except UnicodeDecodeError:
        parsed.found("encoding-error", "{name} is not UTF-8 text", where, variant="descriptor", name=path.name)
        return None
    except json.JSONDecodeError as exc:
        at = where.model_copy(update={"row": exc.lineno})
        parsed.found(
            "package-error", "{name} is not valid JSON: {detail}", at, variant="json", name=path.name, detail=exc.msg
        )
        return None
    except RecursionError:
        parsed.found("hostile-file", "{name} is nested too deeply", where, variant="nested", name=path.name)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list) or not data["resources"]:
        template = "{name} must be a JSON object with a non-empty 'resources' list"
        parsed.found("package-error", template, where, variant="resources", name=path.name)
        return None
    return data


def _resource_paths(
    descriptor: dict[str, Any], folder: Path, where: Location, parsed: Parsed
) -> Iterator[tuple[str, Path]]:
    for index, resource in enumerate(descriptor["resources"]):
        at = where.model_copy(update={"field": f"resources[{index}].path"})
        raw = resource.get("path") if isinstance(resource, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            template = "each resource needs a 'path' to a CSV file in the package folder"
            parsed.found("package-error", template, at, variant="no-path")
            continue
        pure = PurePosixPath(raw.replace("\\", "/"))
        if "://" in raw or pure.is_absolute() or ".." in pure.parts or (len(raw) > 1 and raw[1] == ":"):
            parsed.found(
                "source-error",
                "the resource path '{path}' points outside the package folder; only relative paths inside it are read",
                at,
                variant="path-outside",
                path=raw[:80],
            )
            continue
        file = folder / pure
        try:
            inside = file.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            template = "the resource path '{path}' leads outside the package folder"
            parsed.found("source-error", template, at, variant="link-outside", path=raw[:80])
        elif not file.is_file():
            parsed.found(
                "source-error", "the resource file '{path}' does not exist", at, variant="no-file", path=raw[:80]
            )
        else:
            yield raw, file


def _frictionless(file: Path, folder: Path, name: str) -> list[Diagnostic]:
    """Frictionless's structural errors (labels, blank and duplicate rows, types) as diagnostics."""
    from frictionless import Checklist, Resource, Schema, checks

    resource = Resource(
        path=str(file.relative_to(folder)),
        basepath=str(folder),
        # Fields matched by header name ('partial'), not position, so that a missing optional column
        # is not reported as every later column being misplaced; missing required columns are then
        # reported by the tidy reader, exactly as for a bare CSV.
        schema=Schema.from_descriptor({**tidy_schema(), "fieldsMatch": "partial"}),
        encoding="utf-8",
    )
    report = resource.validate(checklist=Checklist(checks=[checks.duplicate_row()]))
    found: list[Diagnostic] = []
    for task in report.tasks:
        for err in task.errors:
            # Frictionless words its messages from a template and the error's fields: keeping those
            # fields lets a page translate the message (key '<type>.package').
            fields = err.to_descriptor().items()
            params = {k: v for k, v in fields if isinstance(v, str | int | float) and f"{{{k}}}" in err.template}
            found.append(
                Diagnostic(
                    type=err.type,
                    message=err.message,
                    variant="package",
                    params=params,
                    location=Location(
                        file=name,
                        row=getattr(err, "row_number", None) or (1 if "label" in err.type else None),
                        column=getattr(err, "field_name", None),
                    ),
                )
            )
    return found


def write_datapackage(submission: Submission, folder: Path | str, name: str = "") -> Path:
    """Writes `folder/datapackage.json` and `folder/data.csv`; returns the descriptor's path."""
    folder = Path(folder)
    write_csv(submission, folder / "data.csv")
    slug = name or "".join(ch if ch.isalnum() else "-" for ch in submission.profile.city.lower()).strip("-")
    descriptor = {
        "name": f"{slug or 'city'}-{submission.profile.year}",
        "title": f"U4SSC KPI data: {submission.profile.city}, {submission.profile.year}",
        "profile": "tabular-data-package",
        "resources": [
            {
                "name": "kpi-values",
                "path": "data.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": tidy_schema(),
            }
        ],
    }
    path = folder / DESCRIPTOR
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
