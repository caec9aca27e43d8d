"""The query API's answers and the bulk files, byte for byte, against a snapshot of what they were.

The snapshot (data/open_data_snapshot.json.gz) was written from the implementation before the query
and the bulk files were rewritten for speed (one SQL read, rows serialised directly, files stored at
publication), on the same demo data the other open-data tests load: two cities, two years, the first
published. A faster path that changed one cell, one column's order, a float's spelling, a cursor or a
description fails here, on either database. The only field masked is the cities' `published_at`,
the clock time the demo loader published at; zip archives are compared by their members.

To take the snapshot again after an intended change of the answers:
`python tests/api/test_open_data_snapshot.py sqlite:////tmp/snapshot.db` (then review the diff).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from citykpi.app import create_app
from citykpi.demo.cities import CITIES
from citykpi.http.settings import Settings
from citykpi.platform import accounts
from citykpi.platform.demo import load_demo
from citykpi.store.schema import User

SNAPSHOT = Path(__file__).with_name("data") / "open_data_snapshot.json.gz"
YEARS = (2022, 2023)
KPI = "EC: ICT: ICT: 1C"
MASKED = "published_at"

# (name, caller, path and query): what the public and a viewer (who also reads the drafts) ask.
ASKED: tuple[tuple[str, str | None, str], ...] = (
    ("query JSON", None, "/api/v1/results?limit=100000"),
    ("query JSON with inputs, viewer", "viewer", "/api/v1/results?limit=100000&inputs=true"),
    ("query JSON, first page", "viewer", "/api/v1/results?limit=97"),
    ("query JSON, filtered", "viewer", f"/api/v1/results?kpi={KPI}&kpi=EN: EN: AQ: 1C&year_from=2023"),
    ("query CSV", None, "/api/v1/results?limit=100000&format=csv"),
    ("query CSV with inputs, viewer", "viewer", "/api/v1/results?limit=100000&format=csv&inputs=true"),
    ("query SDMX-CSV", None, "/api/v1/results?limit=100000&format=sdmx-csv"),
    ("query NGSI-LD", None, f"/api/v1/results?kpi={KPI}&format=ngsi-ld"),
    ("bulk package", None, "/api/v1/open-data?format=zip"),
    ("bulk results CSV", None, "/api/v1/open-data?format=csv"),
    ("bulk inputs CSV", None, "/api/v1/open-data?format=csv&table=inputs"),
    ("bulk cities CSV", None, "/api/v1/open-data?format=csv&table=cities"),
    ("bulk results Parquet", None, "/api/v1/open-data?format=parquet"),
    ("bulk inputs Parquet", None, "/api/v1/open-data?format=parquet&table=inputs"),
    ("bulk cities Parquet", None, "/api/v1/open-data?format=parquet&table=cities"),
)


def answers(url: str) -> dict[str, Any]:
    """Every answer of `ASKED` in a comparable form: text, headers that matter, zip members, Parquet
    schema and rows."""
    app = create_app(Settings(database_url=url))
    try:
        load_demo(app.state.db, specs=CITIES[:2], years=YEARS)
        with app.state.db.write() as s:
            viewer = s.scalars(select(User).where(User.username == "viewer")).one()
            token = accounts.issue(s, viewer, "token", name="tests")[0]
        found: dict[str, Any] = {}
        for name, caller, path in ASKED:
            client = TestClient(app)
            if caller:
                client.headers["Authorization"] = f"Bearer {token}"
            answer = client.get(path)
            assert answer.status_code == 200, (name, answer.text[:500])
            kept = {h: answer.headers.get(h) for h in ("content-type", "content-disposition", "x-next-cursor")}
            found[name] = {"headers": kept, "body": _body(answer.headers["content-type"], answer.content)}
        return found
    finally:
        app.state.db.dispose()


def _body(media: str, content: bytes) -> Any:
    if media == "application/zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [[m, _masked_csv(archive.read(m).decode())] for m in archive.namelist()]
    if media == "application/vnd.apache.parquet":
        table = pq.read_table(io.BytesIO(content))
        schema = [[f.name, str(f.type), {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}]
                  for f in table.schema]  # fmt: skip
        rows = [{k: ("<time>" if k == MASKED and v else v) for k, v in r.items()} for r in table.to_pylist()]
        return {"schema": schema, "rows": rows}
    return _masked_csv(content.decode())


def _masked_csv(content: str) -> str:
    """The text with the `published_at` column's cells replaced (a CSV whose header names it)."""
    header = content.split("\n", 1)[0]
    if MASKED not in header.replace('"', "").split(","):
        return content
    rows = list(csv.reader(io.StringIO(content)))
    at = rows[0].index(MASKED)
    for row in rows[1:]:
        row[at] = "<time>" if row[at] else ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("name", [name for name, _caller, _path in ASKED])
def test_the_answer_is_the_snapshot(db_url_answers: dict[str, Any], name: str) -> None:
    expected = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))[name]
    got = db_url_answers[name]
    assert got["headers"] == expected["headers"]
    body, wanted = got["body"], expected["body"]
    if isinstance(wanted, str):
        lines, wanted_lines = body.split("\n"), wanted.split("\n")
        first = next((i for i, (a, b) in enumerate(zip(lines, wanted_lines, strict=False)) if a != b), None)
        at = first or 0
        assert body == wanted, f"first difference at line {at}: {lines[at]!r} != {wanted_lines[at]!r}"
    else:
        assert body == wanted


@pytest.fixture(scope="module")
def db_url_answers(module_db_url: str) -> dict[str, Any]:
    return answers(module_db_url)


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_bytes(gzip.compress(json.dumps(answers(sys.argv[1]), ensure_ascii=False).encode(), mtime=0))
    print(f"wrote {SNAPSHOT}")
