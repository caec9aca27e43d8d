"""The file edge of an ingest: the submission for the pipeline (the terminal table: `citykpi.cli.connectors`)."""

from __future__ import annotations

from pathlib import Path

from citykpi.model.submission import Submission


def write_submission(submission: Submission, path: Path) -> str | None:
    """Writes the tidy CSV that `citykpi assess` reads (.csv) or the Submission as JSON (.json); returns
    the reason on failure."""
    from citykpi.collect.tidy import write_csv

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        return f"{path}: write the submission as .csv (tidy, for citykpi assess) or .json"
    try:
        if suffix == ".csv":
            write_csv(submission, path)
        else:
            path.write_text(submission.model_dump_json(indent=2, exclude_defaults=True), encoding="utf-8")
    except OSError as exc:
        return f"{path}: cannot write: {exc.strerror or exc}"
    return None
