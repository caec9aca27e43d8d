"""A real `citykpi serve` survives every probe of issue 11, and a first start killed mid-demo recovers.

Survival: the database holds control characters in a city's name, country and hub and in its KPI
notes and sources, written straight into the rows as data from before inputs were checked would be
(vl-convert used to abort the whole process on them). Every page, chart, report and export of that
city is fetched, the hostile requests of the issue are sent, and then the same process still
answers /healthz, with no answer of 500 or more on the way.

Demo: `citykpi serve` on an empty database is killed (SIGKILL) at several moments of its first
start's demo load; after each kill the database holds the whole demo or none of it, and the next
start loads it whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, update

from citykpi.collect.safety import Limits
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.platform import accounts
from citykpi.platform.cities import slugify
from citykpi.platform.demo import load_demo
from citykpi.platform.seed import demo_accounts
from citykpi.store.schema import City, Entry, Period, User
from citykpi.store.scratch import migrated
from live_server import free_port, healthy, serving

pytestmark = pytest.mark.slow
SLUG = slugify(CITIES[0].name)
BUDGET = 0.5  # seconds an upload may take to read, for this test's server
KPI = "EC: ICT: ICT: 1C"


def _hostile(db_url: str) -> str:
    """Every C0 character PostgreSQL can hold (all but NUL; SQLite holds NUL too) around a word."""
    first = 0 if db_url.startswith("sqlite") else 1
    return "Probe" + "".join(chr(c) for c in range(first, 0x20)) + "City"


def _prepare(db_url: str) -> tuple[str, dict[str, int]]:
    """One demo city (a published and a draft year) whose texts hold control characters; an admin token."""
    hostile = _hostile(db_url)
    with migrated(db_url) as db:
        load_demo(db, CITIES[:1], (2022, 2023))
        with db.write() as s:
            s.execute(update(City).values(name=hostile, country=hostile, hub=hostile))
            s.execute(update(Entry).values(notes=hostile, source=hostile))
            admin = s.scalars(select(User).where(User.username == "admin")).one()
            token = accounts.issue(s, admin, "token", name="survival")[0]
            periods = {str(p.year): p.id for p in s.scalars(select(Period))}
    return token, periods


def _reads(periods: dict[str, int]) -> list[str]:
    published, draft = periods["2022"], periods["2023"]
    api = "/api/v1"
    paths = [
        "/",
        "/compare",
        "/open-data",
        f"/cities/{SLUG}",
        f"/cities/{SLUG}?year=2022",
        f"/cities/{SLUG}/kpis/{KPI}",
    ]
    paths += [f"/wheels/{published}.svg", f"/wheels/{draft}.svg", f"/periods/{draft}", f"/periods/{published}/reviews"]
    paths += [f"{api}/cities/{SLUG}", f"{api}/cities?q=Probe", f"{api}/periods/{published}"]
    for period in (published, draft):
        for kind in ("snapshot", "verification"):
            paths += [f"{api}/periods/{period}/reports/{kind}", f"{api}/periods/{period}/reports/{kind}?lang=fr"]
        paths += [f"{api}/periods/{period}/export?format={f}" for f in ("json", "csv", "xlsx")]
        paths += [f"{api}/periods/{period}/certificate", f"{api}/periods/{period}/values"]
    paths += [
        f"{api}/periods/{published}/reports/snapshot?pdf=true",
        f"{api}/periods/{published}/certificate?format=html",
    ]
    return paths


def _writes(client: httpx.Client, periods: dict[str, int]) -> list[httpx.Response]:
    draft = periods["2023"]
    api = "/api/v1"
    json_type = {"content-type": "application/json"}
    answers = [client.post(f"{api}/cities", json={"name": f"Probe{chr(c)}City"}) for c in range(0x20)]
    answers += [client.post(f"{api}/cities", json={"name": "Probe", "country": "\x1f"})]
    for number in ("NaN", "Infinity", "1e309"):
        answers.append(
            client.post(f"{api}/cities", content=f'{{"name": "P", "population": {number}}}', headers=json_type)
        )
        body = f'{{"kpi": "{KPI}", "year": 2030, "value": {number}}}'
        answers.append(client.put(f"{api}/cities/{SLUG}/targets", content=body, headers=json_type))
        body = f'{{"kpi": "{KPI}", "kind": "input", "name": "households", "value": {number}, "version": 0}}'
        answers.append(client.put(f"{api}/periods/{draft}/values", content=body, headers=json_type))
    answers.append(client.post(f"{api}/periods/{draft}/transitions", json={"to": "draft", "version": 0}))
    answers.append(client.post(f"{api}/cities", content=b'{"name": ', headers=json_type))
    answers.append(client.post(f"{api}/cities", content=b"\xff\xfe", headers=json_type))
    for name in ("..", "a" * 304, "x\x00.csv"):
        answers.append(client.post(f"{api}/periods/{draft}/import", files={"file": (name, b"kpi,value\n", "text/csv")}))
    return answers


def _package(resources: int) -> bytes:
    items = [{"name": f"r{i}", "path": f"r{i}.csv", "schema": {"fields": [{"name": "a"}]}} for i in range(resources)]
    return json.dumps({"name": "many", "resources": items}).encode()


def _long_csv(tmp_path: Path) -> bytes:
    """The demo city's tidy CSV with its rows repeated up to just under the row limit (refused at once above it),
    so that the reader works past the time budget."""
    submission = generate(list(Catalogue.load().kpis.values()), CITIES[0], 2023)
    header, *rows = write_csv(submission, tmp_path / "one.csv").read_bytes().splitlines(keepends=True)
    return header + b"".join(rows) * (Limits().max_rows // len(rows))


def test_a_real_server_survives_every_probe(db_url: str, tmp_path: Path) -> None:
    token, periods = _prepare(db_url)
    codes: Counter[int] = Counter()
    with serving(db_url, env={"CITYKPI_UPLOAD_SECONDS": str(BUDGET)}) as (process, base):
        admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        public = httpx.Client(base_url=base, timeout=120)
        server_errors = []
        for path in _reads(periods):
            for client in (public, admin):
                answer = client.get(path)
                codes[answer.status_code] += 1
                if answer.status_code >= 500:
                    server_errors.append(f"GET {path}: {answer.status_code}")
        wheel = admin.get(f"/wheels/{periods['2022']}.svg")
        assert wheel.status_code == 200 and not any(chr(c) in wheel.text for c in range(0x20) if chr(c) not in "\t\n\r")
        for answer in _writes(admin, periods):
            codes[answer.status_code] += 1
            assert 400 <= answer.status_code < 500, (answer.request.method, answer.request.url, answer.text[:300])

        # Files that take long to read are refused, and other requests are served meanwhile.
        for name, content in (("many.json", _package(2000)), ("long.csv", _long_csv(tmp_path))):
            answer, waits = _upload_while_polling(admin, public, periods["2023"], name, content)
            codes[answer.status_code] += 1
            assert answer.status_code == 422, answer.text[:300]
            said = answer.json()["error"]["report"]["errors"][0]["message"]
            print(
                f"{name} ({len(content)} bytes): {said}; /healthz meanwhile: slowest of {len(waits)} {max(waits):.3f} s"
            )
            assert max(waits) < 2
            if name == "long.csv":
                assert said.startswith(f"the file was not read within {BUDGET} s")

        assert healthy(base) and process.poll() is None
    print(f"survival probes on {db_url.split(':')[0]}: status codes {dict(sorted(codes.items()))}")
    assert not server_errors, server_errors


def _upload_while_polling(
    admin: httpx.Client, public: httpx.Client, period: int, name: str, content: bytes
) -> tuple[httpx.Response, list[float]]:
    """The upload's answer, and how long each /healthz took while it was being read."""
    done: list[httpx.Response] = []
    files = {"file": (name, content, "application/octet-stream")}
    upload = threading.Thread(target=lambda: done.append(admin.post(f"/api/v1/periods/{period}/import", files=files)))
    upload.start()
    waits = []
    while upload.is_alive() or not waits:
        started = time.monotonic()
        assert public.get("/healthz").status_code == 200
        waits.append(time.monotonic() - started)
        time.sleep(0.05)
    upload.join()
    return done[0], waits


def _demo_state(db_url: str) -> tuple[int, int, int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        found = tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one() for table in (City, Period, User)
        )
    engine.dispose()
    return found  # type: ignore[return-value]


def test_a_first_start_killed_during_the_demo_load_leaves_all_or_nothing(db_url: str) -> None:
    whole = (len(CITIES), len(CITIES) * 4, len(demo_accounts(SLUG, "")))
    env = {**os.environ, "CITYKPI_DATABASE_URL": db_url}
    kills = 0
    for delay in (0.5, 2.0, 4.0):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "citykpi.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        line = ""
        while "first start" not in line and "demo accounts" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, "the server stopped before its demo load"
        time.sleep(delay)
        process.kill()
        process.wait()
        kills += 1
        state = _demo_state(db_url)
        assert state in ((0, 0, 0), whole), f"after a kill {delay} s into the load: {state} (cities, periods, users)"
    with serving(db_url, demo=True) as (_process, base):  # serves once the demo is loaded
        assert healthy(base)
    assert _demo_state(db_url) == whole
    print(f"demo load: {kills} kills, each leaving nothing or all, then a whole demo")
