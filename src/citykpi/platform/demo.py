"""Loading the synthetic demo cities into a database, with a realistic spread of workflow states.

Every demo year but the last is walked through the whole workflow as the demo verifier would
(submitted, every KPI accepted, verified, published) so the public view has something to show;
the last year stays a draft for the demo editor. Hubs are assigned alternately ("North hub",
"South hub") because the demo specs carry none. All figures are synthetic (see citykpi.demo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from citykpi.demo.cities import CITIES, YEARS, CitySpec
from citykpi.demo.generate import generate
from citykpi.model.diagnostics import ValidationReport
from citykpi.platform import cities, verification
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import demo_accounts, ensure_accounts, ensure_framework
from citykpi.platform.values import import_submission
from citykpi.platform.verification import Decision
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store import inbox
from citykpi.store.db import Database
from citykpi.store.schema import City

HUBS = ("North hub", "South hub")
LOADER = Principal("demo-loader", Role.ADMIN)


def load_demo(
    db: Database,
    specs: Sequence[CitySpec] = CITIES,
    years: Sequence[int] = YEARS,
    progress: Callable[[str], None] = lambda _: None,
    accounts: bool = True,
) -> list[str]:
    """Load the cities not yet present and the demo accounts; returns the slugs added.

    One transaction: a server killed during its first start's demo load (at any moment) leaves the
    database as it was, so the next start finds it empty and loads the whole demo again, never
    cities without the accounts it prints or years without their periods.
    """
    added = []
    with db.write() as session:
        for index, spec in enumerate(specs):
            slug = cities.slugify(spec.name)
            if session.query(City.id).filter_by(slug=slug).first() is not None:
                continue
            first = generate(list(catalogue_of(ensure_framework(session)).kpis.values()), spec, years[0])
            cities.create_city(
                session,
                LOADER,
                spec.name,
                slug=slug,
                country=spec.country,
                population=first.profile.population,
                area_km2=spec.area_km2,
                hub=HUBS[index % len(HUBS)],
                latitude=spec.latitude,
                longitude=spec.longitude,
            )
            for year in years:
                _load_period(session, slug, spec, year, publish=year != years[-1])
            added.append(slug)
            progress(slug)
        inbox.discard(session)  # the demo's made-up history is news to no one: its accounts start with empty inboxes
        if accounts and specs:
            ensure_accounts(session, demo_accounts(cities.slugify(specs[0].name), HUBS[0]))
    return added


def _load_period(session: Session, slug: str, spec: CitySpec, year: int, publish: bool) -> None:
    framework = ensure_framework(session)
    city = cities.get_city(session, slug)
    period = cities.create_period(session, LOADER, city, year, framework)
    submission = generate(list(catalogue_of(framework).kpis.values()), spec, year)
    submission.source_file = f"demo {spec.name} {year}"
    import_submission(session, LOADER, period, submission, ValidationReport(valid=True))
    if not publish:
        return
    verification.transition(session, LOADER, period, PeriodState.SUBMITTED, period.version, "demo")
    verification.transition(session, LOADER, period, PeriodState.UNDER_VERIFICATION, period.version, "demo")
    accept = [Decision(r, ReviewAction.ACCEPT, r.version) for r in verification.reviews(session, period)]
    verification.decide(session, LOADER, period, accept)
    verification.transition(session, LOADER, period, PeriodState.VERIFIED, period.version, "demo")
    verification.transition(session, LOADER, period, PeriodState.PUBLISHED, period.version, "demo")
