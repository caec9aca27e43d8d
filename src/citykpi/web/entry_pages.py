"""Data entry: every KPI of the period's framework in framework order, and the form of one value.

The form goes through `platform.values.set_value`, which validates with the importer's own parser,
so a value typed here gets exactly the message the same value gets in a workbook. A value never
reported has no stored row yet: its form is addressed by KPI, kind and name and creates the row
(version 0). Each form shows the unit of its own row of the workbook (an input's unit, a data
point's unit, `collect.layout.kpi_rows`), and a yes/no or level answer is a choice, not free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citykpi.collect.layout import RowSpec, kpi_rows
from citykpi.framework.model import Kpi, ValueKind
from citykpi.framework.names import names
from citykpi.http.deps import Db, Id, Reader
from citykpi.model.answers import yes_no
from citykpi.model.diagnostics import ValidationReport
from citykpi.model.submission import DataQuality, Status
from citykpi.platform import cities, values, verification
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Conflict, Invalid, NotFound
from citykpi.platform.roles import Action
from citykpi.platform.workflow import value_editable
from citykpi.store.schema import Entry, Period
from citykpi.web.i18n import language
from citykpi.web.problems import diagnostic_text, error_text
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor, check_csrf

router = APIRouter(route_class=PageRoute)
Text = Annotated[str, Form(max_length=4000)]
Key = Annotated[str, Form(max_length=100)]
STATUSES = [s.value for s in Status if s is not Status.NOT_REPORTED] + [Status.NOT_REPORTED.value]


@dataclass(frozen=True)
class Target:
    """The row of the workbook a form writes: its catalogue spec, and its stored entry once there is one."""

    period: Period
    spec: RowSpec
    entry: Entry | None

    @property
    def action(self) -> str:
        return f"/values/{self.entry.id}/edit" if self.entry else f"/periods/{self.period.id}/values/new"

    @property
    def check(self) -> str:
        return f"/values/{self.entry.id}/check" if self.entry else f"/periods/{self.period.id}/values/check"


def _spec(kpi: Kpi, kind: str, name: str) -> RowSpec:
    for spec in kpi_rows(kpi):
        if spec.kind == kind and spec.name == name:
            return spec
    raise NotFound.said("row", "{kpi} has no {kind} {name!r} in this framework", kpi=kpi.code, kind=kind, name=name)


def _kpi(period: Period, code: str) -> Kpi:
    kpi = catalogue_of(period.framework).kpis.get(code)
    if kpi is None:
        raise NotFound.said("kpi", "no KPI {code!r} in {framework}", code=code, framework=period.framework.key)
    return kpi


def _stored(session: Session, period: Period, kpi: str) -> dict[tuple[str, str], Entry]:
    return {(e.kind, e.name): e for e in session.scalars(values.entries_query(period, kpi)).all()}


def _new_target(session: Session, current: Visitor, period_id: int, code: str, kind: str, name: str) -> Target:
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.EDIT, period)
    spec = _spec(_kpi(period, code), kind, name)
    return Target(period, spec, _stored(session, period, code).get((kind, name)))


def _entry_target(session: Session, current: Visitor, entry_id: int) -> Target:
    row, period = values.get_entry(session, current.who, entry_id)
    cities.require(current.who, Action.EDIT, period)
    return Target(period, _spec(_kpi(period, row.kpi), row.kind, row.name), row)


def _as_form(target: Target) -> dict[str, str]:
    row = target.entry
    if row is None:
        return dict.fromkeys(("value", "quality", "source", "origin", "notes", "reason"), "") | {
            "status": Status.REPORTED.value,
            "version": "0",
        }
    value = values.row_snapshot(row)["value"]
    shown = "" if value is None else ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return {
        "value": shown,
        "status": row.status,
        "quality": "" if row.quality is None else str(row.quality),
        "source": row.source,
        "origin": row.origin,
        "notes": row.notes,
        "reason": "",
        "version": str(row.version),
    }


def choices(spec: RowSpec) -> list[tuple[str, str]]:
    """(value, label) of a qualitative answer, worst first as the catalogue lists levels; [] for numbers."""
    if spec.value_kind is ValueKind.BOOLEAN:
        return [("no", "no"), ("yes", "yes")]
    if spec.value_kind is ValueKind.LEVEL:  # only a data point has levels, some with what each one means
        point = next(p for p in spec.kpi.data_points if p.key == spec.name)
        described = dict(zip(spec.levels, point.level_descriptions or (), strict=False))
        return [(level, f"{level} · {described[level]}" if level in described else level) for level in spec.levels]
    return []


def _chosen(spec: RowSpec, typed: str) -> str:
    """The choice a stored or typed answer is (`True`, `oui` are `yes`), so the select shows it."""
    if spec.value_kind is ValueKind.BOOLEAN:
        answer = yes_no(typed)
        return "" if answer is None else "yes" if answer else "no"
    return typed


def _render(
    request: Request,
    target: Target,
    typed: dict[str, str] | None = None,
    problems: ValidationReport | None = None,
    conflict: Conflict | None = None,
) -> HTMLResponse:
    shown = typed or _as_form(target)
    shown = shown | {"value": _chosen(target.spec, shown["value"])}
    lang = language(request)
    by_field: dict[str, list[str]] = {}
    for d in problems.errors if problems else []:  # a problem of the parsed row without a field is its value's
        name = d.location.field or "value"
        by_field.setdefault(name if name in shown else "", []).append(diagnostic_text(d, lang))
    return page(
        request,
        "entry.html",
        status=409 if conflict else 422 if problems else 200,
        target=target,
        spec=target.spec,
        period=target.period,
        kpi=target.spec.kpi,
        choices=choices(target.spec),
        form=shown,
        errors=by_field,
        conflict=error_text(conflict, lang) if conflict else None,
        statuses=STATUSES,
        qualities=list(DataQuality),
    )


def _edit(target: Target, fields: dict[str, str]) -> values.EntryEdit:
    spec = target.spec
    return values.EntryEdit(
        kpi=spec.kpi.code,
        kind=spec.kind,
        name=spec.name,
        value=fields["value"].strip() or None,
        status=fields["status"] or None,
        quality=fields["quality"] or None,
        source=fields.get("source", ""),
        origin=fields.get("origin", ""),
        notes=fields.get("notes", ""),
    )


def _checked(request: Request, target: Target, fields: dict[str, str]) -> JSONResponse:
    """Inline validation while typing: the importer's messages per field, nothing saved."""
    try:
        values.parse_edit(_edit(target, fields), catalogue_of(target.period.framework))
    except Invalid as exc:
        found: dict[str, list[str]] = {}
        lang = language(request)
        for d in exc.report.errors if exc.report else []:
            found.setdefault(d.location.field or "value", []).append(diagnostic_text(d, lang))
        return JSONResponse(found)
    return JSONResponse({})


def _save(request: Request, db: Db, current: Visitor, target: Target, fields: dict[str, str], version: int) -> Response:
    try:
        with db.write() as writing:
            period = cities.get_period(writing, current.who, target.period.id)
            values.set_value(writing, current.who, period, _edit(target, fields), version, fields["reason"])
    except Invalid as exc:
        return _render(request, target, fields | {"version": str(version)}, exc.report)
    except Conflict as exc:
        return _render(request, target, fields | {"version": str(version)}, conflict=exc)
    return RedirectResponse(f"/periods/{target.period.id}?ok=saved#kpi-{target.spec.kpi.code}", status_code=303)


@router.get("/values/{entry_id}/edit", response_class=HTMLResponse)
def entry_form(request: Request, entry_id: Id, current: Current, session: Reader) -> HTMLResponse:
    return _render(request, _entry_target(session, current, entry_id))


@router.get("/periods/{period_id}/values/new", response_class=HTMLResponse)
def new_value_form(
    request: Request, period_id: Id, current: Current, session: Reader, kpi: str, kind: str, name: str
) -> HTMLResponse:
    return _render(request, _new_target(session, current, period_id, kpi, kind, name))


def _typed(value: Text = "", status: Text = "", quality: Text = "") -> dict[str, str]:
    """What a value's form posts to be checked while typing."""
    return {"value": value, "status": status, "quality": quality}


def _posted(
    typed: Annotated[dict[str, str], Depends(_typed)],
    source: Text = "",
    origin: Text = "",
    notes: Text = "",
    reason: Text = "",
) -> dict[str, str]:
    """What a value's form posts to be saved: the typed fields, where the value came from and why it changed."""
    return typed | {"source": source, "origin": origin, "notes": notes, "reason": reason}


def _new_row(kpi: Key, kind: Key, name: Key) -> tuple[str, str, str]:
    """The workbook row of a value never reported, which its form names since there is no stored entry."""
    return kpi, kind, name


Typed = Annotated[dict[str, str], Depends(_typed)]
Posted = Annotated[dict[str, str], Depends(_posted)]
NewRow = Annotated[tuple[str, str, str], Depends(_new_row)]
CsrfToken = Annotated[str, Form()]


@router.post("/values/{entry_id}/check")
def check_entry(
    request: Request, entry_id: Id, current: Current, session: Reader, typed: Typed, csrf_token: CsrfToken = ""
) -> JSONResponse:
    check_csrf(current, csrf_token)
    return _checked(request, _entry_target(session, current, entry_id), typed)


@router.post("/periods/{period_id}/values/check")
def check_new_value(
    request: Request,
    period_id: Id,
    current: Current,
    session: Reader,
    row: NewRow,
    typed: Typed,
    csrf_token: CsrfToken = "",
) -> JSONResponse:
    check_csrf(current, csrf_token)
    return _checked(request, _new_target(session, current, period_id, *row), typed)


@router.post("/values/{entry_id}/edit", response_class=HTMLResponse)
def save_entry(
    request: Request,
    entry_id: Id,
    current: Current,
    db: Db,
    session: Reader,
    fields: Posted,
    version: Annotated[int, Form()],
    csrf_token: CsrfToken = "",
) -> Response:
    check_csrf(current, csrf_token)
    return _save(request, db, current, _entry_target(session, current, entry_id), fields, version)


@router.post("/periods/{period_id}/values/new", response_class=HTMLResponse)
def create_value(
    request: Request,
    period_id: Id,
    current: Current,
    db: Db,
    session: Reader,
    row: NewRow,
    fields: Posted,
    version: Annotated[int, Form()] = 0,
    csrf_token: CsrfToken = "",
) -> Response:
    check_csrf(current, csrf_token)
    return _save(request, db, current, _new_target(session, current, period_id, *row), fields, version)


@dataclass(frozen=True)
class KpiLine:
    """A KPI of the list, with how many of its workbook rows the period holds a value for."""

    kpi: Kpi
    rows: int
    stored: int
    name: str  # in the reader's language: a French editor looks for "chômage"

    @property
    def words(self) -> str:
        """What the search box matches: code, names, unit, dimension and the inputs' names and units."""
        rows = " ".join(f"{s.name} {s.label} {s.unit}" for s in kpi_rows(self.kpi))
        own = [self.kpi.code, self.kpi.name, self.name, self.kpi.unit, self.kpi.dimension, rows]
        return " ".join(own).casefold()


def kpi_lines(
    kpis: list[Kpi], counts: dict[str, int], q: str = "", dimension: str = "", lang: str = "en"
) -> list[KpiLine]:
    """The framework's KPIs in its own order, those matching every word of `q` and the dimension."""
    words = q.casefold().split()
    named = names(lang)
    lines = [KpiLine(k, len(list(kpi_rows(k))), counts.get(k.code, 0), named.of(k)) for k in kpis]
    return [
        line
        for line in lines
        if (not dimension or line.kpi.dimension == dimension) and all(w in line.words for w in words)
    ]


@router.get("/periods/{period_id}/kpis", response_class=HTMLResponse)
def kpi_list(
    request: Request, period_id: Id, current: Current, session: Reader, q: str = "", dimension: str = ""
) -> HTMLResponse:
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.EDIT, period)
    kpis = list(catalogue_of(period.framework).kpis.values())
    counts: dict[str, int] = {}
    for entry in values.entries(session, period):
        counts[entry.kpi] = counts.get(entry.kpi, 0) + 1
    return page(
        request,
        "kpi_list.html",
        period=period,
        lines=kpi_lines(kpis, counts, q[:200], dimension[:200], language(request)),
        total=len(kpis),
        dimensions=list(dict.fromkeys(k.dimension for k in kpis)),
        q=q[:200],
        dimension=dimension[:200],
    )


@router.get("/periods/{period_id}/enter", response_class=HTMLResponse)
def kpi_entry(request: Request, period_id: Id, current: Current, session: Reader, kpi: str) -> HTMLResponse:
    """One KPI's rows of the workbook (inputs, then data points), each with its unit and its value."""
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.EDIT, period)
    found = _kpi(period, kpi)
    review = {r.kpi: r.state for r in verification.reviews(session, period)}.get(found.code)
    stored = _stored(session, period, found.code)
    return page(
        request,
        "kpi_entry.html",
        period=period,
        kpi=found,
        rows=[(spec, stored.get((spec.kind, spec.name))) for spec in kpi_rows(found)],
        editable=value_editable(period.status, review),
    )
