"""Reported values: single edits with optimistic concurrency, atomic imports, history, reassessment.

Every change of an entry writes its old and new state to the audit log in the same transaction, so
history and data can never disagree. An edit states the version it was based on; the update is
conditional on that version (`UPDATE ... WHERE version = :seen`), so of two editors who read the same
version the second gets a conflict, whichever database serialises them. Imports apply the difference
only: rows that already hold the same data are left untouched, so importing a file twice changes
nothing, and the whole import is one transaction, so a failure or a killed server leaves nothing half
written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from citykpi.assess.engine import assess
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.records import Record, parse_records
from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport, error
from citykpi.model.submission import CityProfile, Submission
from citykpi.model.submission import Entry as EntryModel
from citykpi.platform import scores, warnings
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.cities import may_see, require
from citykpi.platform.errors import Conflict, Invalid, NotFound
from citykpi.platform.roles import Action, Principal
from citykpi.platform.standing import refresh
from citykpi.platform.texts import check_texts
from citykpi.platform.workflow import PeriodState, value_editable
from citykpi.scoring.scorecard import score
from citykpi.store import audit
from citykpi.store.bulk import insert_rows
from citykpi.store.schema import Audit, Entry, Period, Result, Review, utcnow

FIELDS = ("value", "status", "quality", "origin", "source", "notes")


class EntryEdit(BaseModel):
    """A value as typed in a form or sent by a script: raw text is parsed by the importer's own rules."""

    kpi: str
    kind: str
    name: str
    value: float | bool | str | None = None
    status: str | None = None
    quality: int | str | None = None
    origin: str = ""
    source: str = ""
    notes: str = ""


# How an entry's last change came (`Entry.changed_through`): an import of a file, or an edit.
THROUGH_IMPORT = "import"
THROUGH_EDIT = "edit"


class Overwritten(BaseModel):
    """A value changed by an edit (form or script) since it was last imported, which an import replaced."""

    kpi: str
    kind: str
    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    edited_by: str
    edited_at: datetime

    @property
    def fields(self) -> list[str]:
        """The fields the import changed, in the audit's order."""
        return [f for f in FIELDS if self.old.get(f) != self.new.get(f)]


@dataclass
class ImportOutcome:
    report: ValidationReport
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    overwritten: list[Overwritten] = field(default_factory=list)


def snapshot(entry: EntryModel) -> dict[str, Any]:
    """The audited state of an entry (what a change may alter)."""
    return {
        "value": entry.value,
        "status": entry.status.value,
        "quality": int(entry.quality) if entry.quality is not None else None,
        "origin": entry.origin,
        "source": entry.source,
        "notes": entry.notes,
    }


def row_snapshot(row: Entry) -> dict[str, Any]:
    return {
        "value": _value_of(row),
        "status": row.status,
        "quality": row.quality,
        "origin": row.origin,
        "source": row.source,
        "notes": row.notes,
    }


def _value_of(row: Entry) -> float | bool | str | None:
    if row.value_num is not None:
        return row.value_num
    if row.value_text in ("true", "false"):
        return row.value_text == "true"
    return row.value_text


def _columns(state: dict[str, Any]) -> dict[str, Any]:
    value = state["value"]
    if isinstance(value, bool):
        num, text = None, "true" if value else "false"
    elif isinstance(value, int | float):
        num, text = float(value), None
    else:
        num, text = None, value
    return {
        "value_num": num,
        "value_text": text,
        "status": state["status"],
        "quality": state["quality"],
        "origin": state["origin"],
        "source": state["source"],
        "notes": state["notes"],
    }


def to_model(row: Entry) -> EntryModel:
    return EntryModel.model_validate({"kpi": row.kpi, "kind": row.kind, "name": row.name, **row_snapshot(row)})


def parse_edit(edit: EntryEdit, catalogue: CatalogueLike) -> EntryModel:
    """Validate one edit with exactly the rules (and messages) of the file importer."""
    fields: dict[str, Any] = edit.model_dump()
    record = Record(fields=fields, where=Location(file="form"))
    entries, problems = parse_records([record], catalogue)
    errors = [p for p in problems if p.severity == "error"]
    if errors or not entries:
        errors = errors or [error("empty-entry", "nothing to record: give a value or a status", kpi=edit.kpi)]
        raise Invalid.of(errors, "the value of {kpi} is not valid", "value", kpi=edit.kpi)
    return entries[0]


def _review_state(session: Session, period_id: int, kpi: str) -> str | None:
    return session.scalar(select(Review.state).where(Review.period_id == period_id, Review.kpi == kpi))


def _find(session: Session, period: Period, entry: EntryModel) -> Entry | None:
    return session.scalar(
        select(Entry).where(
            Entry.period_id == period.id,
            Entry.kpi == entry.kpi,
            Entry.kind == entry.kind.value,
            Entry.name == entry.name,
        )
    )


def _fields(who: Principal, period: Period, entry: EntryModel, through: str) -> dict[str, Any]:
    key = {"period_id": period.id, "kpi": entry.kpi, "kind": entry.kind.value, "name": entry.name}
    return (
        key
        | _columns(snapshot(entry))
        | {"updated_by": who.username, "changed_through": through, "location": written_at(entry)}
    )


def written_at(entry: EntryModel) -> dict[str, Any]:
    """Where the value was typed (sheet and cell, CSV row, or the web form), kept for the verifier's evidence."""
    return entry.location.model_dump(mode="json", exclude_none=True)


def _update(
    session: Session,
    who: Principal,
    period: Period,
    row: Entry,
    entry: EntryModel,
    seen: int | None,
    reason: str,
    through: str,
) -> audit.Change | None:
    """Write `entry` over `row` if it differs and `seen` (when given) is still the stored version.

    Returns the change to audit. The row is expired rather than refreshed: the next query of the
    period's entries (the reassessment) reloads it with the others instead of one SELECT per row.
    """
    if seen is not None and seen != row.version:
        raise Conflict.said(
            "stale",
            "{kpi} {name} was changed by {user} (version {version}, you edited version {seen}); "
            "reload it, nothing was overwritten",
            kpi=entry.kpi,
            name=entry.name,
            user=row.updated_by,
            version=row.version,
            seen=seen,
        )
    old, new = row_snapshot(row), snapshot(entry)
    if old == new:
        return None
    result = session.execute(
        update(Entry)
        .where(Entry.id == row.id, Entry.version == row.version)
        .values(
            **_columns(new),
            version=row.version + 1,
            updated_at=utcnow(),
            updated_by=who.username,
            location=written_at(entry),
            changed_through=through,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        template = "{kpi} {name} was changed meanwhile; reload it, nothing was overwritten"
        raise Conflict.said("meanwhile", template, kpi=entry.kpi, name=entry.name)
    change = audit.Change("update", "entry", row.id, period.id, old, new, reason)
    session.expire(row)
    return change


def _record_created(session: Session, who: Principal, period: Period, rows: Sequence[Entry], reason: str) -> None:
    changes = [audit.Change("create", "entry", row.id, period.id, None, row_snapshot(row), reason) for row in rows]
    audit.record_many(session, who.username, changes)


def set_value(
    session: Session, who: Principal, period: Period, edit: EntryEdit, seen_version: int | None, reason: str = ""
) -> Entry:
    """One edit from a form or a script; `seen_version` 0 creates, else must match the stored version."""
    require(who, Action.EDIT, period)
    typed = {"kpi": edit.kpi, "kind": edit.kind, "name": edit.name, "value": edit.value, "status": edit.status}
    typed |= {"quality": edit.quality, "origin": edit.origin, "source": edit.source, "notes": edit.notes}
    check_texts(typed | {"reason": reason}, multiline={"value", "notes", "reason"}, kpi=edit.kpi)
    catalogue = catalogue_of(period.framework)
    entry = parse_edit(edit, catalogue)
    if not value_editable(period.status, _review_state(session, period.id, entry.kpi)):
        raise Conflict.said(
            "not-editable",
            "{kpi} cannot be changed while the period is {status} "
            "(only in a draft, or on a KPI the verifier has queried)",
            kpi=entry.kpi,
            status=period.status,
        )
    row = _find(session, period, entry)
    if row is None:
        if seen_version != 0:
            template = "{kpi} {name} does not exist (any more); reload, or create it with version 0"
            raise Conflict.said("gone", template, kpi=entry.kpi, name=entry.name)
        row = Entry(**_fields(who, period, entry, THROUGH_EDIT))
        session.add(row)
        session.flush()
        _record_created(session, who, period, [row], reason)
    else:
        change = _update(session, who, period, row, entry, seen_version, reason, THROUGH_EDIT)
        if change is None:
            return row
        audit.record_many(session, who.username, [change])
    reassess(session, period)
    return row


def import_submission(
    session: Session, who: Principal, period: Period, submission: Submission | None, report: ValidationReport
) -> ImportOutcome:
    """All or nothing: any error in the report (or in matching the period) and nothing is written.

    The report's warnings are kept with the values (`platform.warnings`); values edited since they
    were last imported and changed by this file are listed in the outcome (`overwritten`), so the
    editor learns that the file reverted them.
    """
    require(who, Action.EDIT, period)
    if period.status != PeriodState.DRAFT:
        template = "{city} {year} is {status}: imports replace a draft only"
        raise Conflict.said("not-draft", template, city=period.city.name, year=period.year, status=period.status)
    mismatch = _mismatch(period, submission.profile) if submission is not None else []
    if report.errors or mismatch or submission is None:
        raise Invalid.said(
            "not-imported",
            "the file was not imported; nothing was changed",
            report.merged(ValidationReport.from_diagnostics(mismatch)),
        )
    outcome = ImportOutcome(report=report)
    reason = f"import of {submission.source_file}"
    stored = {(r.kpi, r.kind, r.name): r for r in entries(session, period)}
    new = []
    changed = []
    for entry in submission.entries:
        row = stored.get((entry.kpi, entry.kind.value, entry.name))
        if row is None:
            new.append(_fields(who, period, entry, THROUGH_IMPORT))
            continue
        edited = (row.updated_by, row.updated_at) if row.changed_through == THROUGH_EDIT else None
        change = _update(session, who, period, row, entry, None, reason, THROUGH_IMPORT)
        if change is None:
            if edited is not None:  # the file now holds the edited value: the next import replaces a file's
                row.changed_through = THROUGH_IMPORT
            outcome.unchanged += 1
            continue
        changed.append(change)
        if edited is not None and change.old is not None and change.new is not None:
            outcome.overwritten.append(
                Overwritten(
                    kpi=entry.kpi,
                    kind=entry.kind.value,
                    name=entry.name,
                    old=change.old,
                    new=change.new,
                    edited_by=edited[0],
                    edited_at=edited[1],
                )
            )
    audit.record_many(session, who.username, changed)
    outcome.updated = len(changed)
    if new:  # one INSERT ... RETURNING (through the ORM's flush, SQLite would insert row by row)
        created = session.scalars(insert_rows(Entry).returning(Entry), new).all()
        _record_created(session, who, period, sorted(created, key=lambda r: r.id), reason)
    outcome.created = len(new)
    profile = submission.profile.model_dump(mode="json", exclude_none=True)
    # Compared as profiles, not as stored dicts: a new period stores only what its city row knows, so
    # the defaults a file adds (e.g. an empty currency) are not a change worth an audit row.
    if profile != CityProfile.model_validate(period.profile).model_dump(mode="json", exclude_none=True):
        audit.record(  # with the file's name, which the verifier's evidence panel gives as the profile's origin
            session,
            who.username,
            "update",
            "profile",
            period.id,
            period_id=period.id,
            old=period.profile,
            new=profile,
            reason=reason,
        )
        period.profile = profile
        outcome.updated += 1
    warnings.replace(session, period, submission.source_file, report.warnings)
    if outcome.created or outcome.updated:
        reassess(session, period)
    return outcome


def _mismatch(period: Period, profile: CityProfile) -> list[Diagnostic]:
    problems = []
    if profile.year != period.year:
        problems.append(
            error(
                "period-mismatch",
                f"the file is for {profile.year} but this period is {period.year}",
                variant="year",
                params={"found": profile.year, "expected": period.year},
                sheet="Cover",
                field="year",
            )
        )
    if profile.city.strip().casefold() != period.city.name.strip().casefold():
        problems.append(
            error(
                "period-mismatch",
                f"the file is for {profile.city!r} but this period belongs to {period.city.name!r}",
                variant="city",
                params={"found": profile.city, "expected": period.city.name},
                sheet="Cover",
                field="city",
            )
        )
    return problems


def submission_of(session: Session, period: Period) -> Submission:
    rows = session.scalars(select(Entry).where(Entry.period_id == period.id).order_by(Entry.id)).all()
    return Submission(
        profile=CityProfile.model_validate(period.profile),
        entries=[to_model(r) for r in rows],
        frameworks=[period.framework.key],
    )


def reassess(session: Session, period: Period) -> None:
    """Results are derived from the entries, so they are recomputed rather than edited or audited;
    their scores with them, in the same transaction (`citykpi.platform.scores`)."""
    assessment = assess(submission_of(session, period), catalogue_of(period.framework))
    card = score(assessment, scores.book())
    session.execute(delete(Result).where(Result.period_id == period.id))
    rows = [
        {
            "period_id": period.id,
            "code": r.code,
            "data_point": r.data_point,
            "dimension": r.dimension,
            "level": r.level,
            "status": r.status.value,
            "value": r.value,
            "value_text": r.value_text,
            "quality": None if r.quality is None else int(r.quality),
            "source": r.source,
            "record": r.model_dump(mode="json"),
            **scores.result_columns(item),
        }
        for r, item in zip(assessment.results, card.items, strict=True)
    ]
    if rows:  # one batched INSERT: results are never read back as objects in the writing transaction
        session.execute(insert_rows(Result), rows)
    scores.store_groups(session, period, card)
    refresh(session, period)


def get_entry(session: Session, who: Principal, entry_id: int) -> tuple[Entry, Period]:
    row = session.get(Entry, entry_id)
    period = session.get(Period, row.period_id) if row else None
    if row is None or period is None or not may_see(who, period):
        raise NotFound.said("value", "no value {value}", value=entry_id)
    return row, period


def history(session: Session, entry_id: int) -> list[Audit]:
    return list(
        session.scalars(
            select(Audit).where(Audit.entity == "entry", Audit.entity_id == entry_id).order_by(Audit.id)
        ).all()
    )


def entries_query(period: Period, kpi: str | None = None, kind: str | None = None) -> Select[Entry]:
    query = select(Entry).where(Entry.period_id == period.id)
    if kpi:
        query = query.where(Entry.kpi == kpi)
    if kind:
        query = query.where(Entry.kind == kind)
    return query.order_by(Entry.kpi, Entry.kind, Entry.name)


def entries(session: Session, period: Period) -> Sequence[Entry]:
    return session.scalars(entries_query(period)).all()
