"""The last step every reader shares: parsed rows and profile become a checked `Submission`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.records import ProfileField, Record, dedupe, parse_profile, parse_records
from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport
from citykpi.model.submission import Submission
from citykpi.validate import Context, run_checks


def assemble(
    profile_fields: Mapping[str, ProfileField],
    records: Iterable[Record],
    catalogue: CatalogueLike,
    where: Location,
    frameworks: Sequence[str],
    earlier: Sequence[Diagnostic] = (),
) -> tuple[Submission | None, ValidationReport]:
    """The submission (None when the profile lacks city or year) and every problem found on the way."""
    entries, problems = parse_records(records, catalogue)
    profile, profile_problems = parse_profile(profile_fields, where)
    found = [*earlier, *profile_problems, *problems]
    if profile is None:
        return None, ValidationReport.from_diagnostics(dedupe(found))
    submission = Submission(profile=profile, entries=entries, frameworks=list(frameworks), source_file=where.file or "")
    locations = {key: f.where for key, f in profile_fields.items()}
    found += run_checks(Context(submission, catalogue, locations, where))
    return submission, ValidationReport.from_diagnostics(dedupe(found))
