"""Reports of a period against leading-city targets of the platform's published cities (hub or all)."""

from __future__ import annotations

import io
from pathlib import Path

from apiworld import World
from sqlalchemy import update

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.store.schema import Period


def _publish_with_data(world: World, tmp_path: Path) -> None:
    kpis = list(Catalogue.load().kpis.values())
    for slug, user, spec in (("alpha", "editor", CITIES[0]), ("beta", "other_editor", CITIES[1])):
        demo = generate(kpis, spec, 2023)
        profile = demo.profile.model_copy(update={"city": slug.title(), "country": "X"})
        csv = write_csv(demo.model_copy(update={"profile": profile}), tmp_path / f"{slug}.csv")
        client = world.client(user)
        answer = client.post(
            f"/api/v1/periods/{world.periods[slug]}/import",
            files={"file": (csv.name, io.BytesIO(csv.read_bytes()), "text/csv")},
        )
        assert answer.status_code == 200, answer.text
    # Setting up two published cities; the workflow that leads there is tested in test_api_flow.
    with world.app.state.db.write() as s:  # type: ignore[attr-defined]
        s.execute(update(Period).values(status="published"))


def test_reference_sets_of_published_cities(world: World, tmp_path: Path) -> None:
    _publish_with_data(world, tmp_path)
    public = world.client()
    period = world.periods["alpha"]
    plain = public.get(f"/api/v1/periods/{period}/reports/snapshot").text
    head = plain[: plain.index("</header>")]
    assert "public (" in head and "leading cities" not in head

    both = public.get(f"/api/v1/periods/{period}/reports/snapshot", params={"reference": "all", "min_cities": 2})
    assert both.status_code == 200, both.text
    head = both.text[: both.text.index("</header>")]
    assert "leading cities (" in head
    assert "Leading-city benchmarks (all published cities)" in both.text
    assert "leading cities (2 cities)" in both.text

    # Hub north holds only Alpha: fewer than two cities, so no leading-city target.
    hub = public.get(f"/api/v1/periods/{period}/reports/snapshot", params={"reference": "hub", "min_cities": 2}).text
    assert "leading cities (" not in hub[: hub.index("</header>")]
    assert "Leading-city benchmarks (published cities of hub north)" in hub

    bad = public.get(f"/api/v1/periods/{period}/reports/snapshot", params={"reference": "everyone"})
    assert bad.status_code == 422
