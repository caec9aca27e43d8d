"""The last step every reader shares: parsed rows and profile become a `Submission`.

Only what one cell or row shows is checked here; the checks that need the whole submission and its
assessment run once, after it (`citykpi.validate.files.check_file`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from citykpi.collect import cells
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.records import ProfileField, Record, dedupe, parse_profile, parse_records
from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport
from citykpi.model.submission import Submission


def assemble(
    profile_fields: Mapping[str, ProfileField],
    records: Iterable[Record],
    catalogue: CatalogueLike,
    where: Location,
    frameworks: Sequence[str],
    earlier: Sequence[Diagnostic] = (),
) -> tuple[Submission | None, ValidationReport]:
    """The submission (None when the profile lacks city or year) and every problem found on the way."""
    rows = list(records)
    entries, problems = parse_records(rows, catalogue)
    profile, profile_problems = parse_profile(profile_fields, where)
    found = [*earlier, *profile_problems, *problems]
    if profile is None:
        return None, ValidationReport.from_diagnostics(dedupe(found))
    submission = Submission(
        profile=profile,
        entries=entries,
        frameworks=list(frameworks),
        source_file=where.file or "",
        places=places(profile_fields, rows, catalogue),
    )
    return submission, ValidationReport.from_diagnostics(dedupe(found))


def places(
    profile_fields: Mapping[str, ProfileField], records: Iterable[Record], catalogue: CatalogueLike
) -> dict[str, Location]:
    """Where each profile field and input row is, empty rows too: the cell a city must fill to complete a KPI."""
    found = {key: f.where for key, f in profile_fields.items()}
    for record in records:
        if cells.text(record.get("kind")).casefold() != "input":
            continue
        code = catalogue.normalise_code(cells.text(record.get("kpi")))
        name = cells.text(record.get("name"))
        if code and name:
            found.setdefault(name, record.at("value", code))
    return found
