"""What notifications cost: the unread count every page reads, and delivery inside an audited transaction.

- unread count: `platform.notifications.unread_count` (counted up to its cap of 100) for a user with
  20,000 notifications (1,000 unread) among 40,000 of other users, each call in its own read
  session as a page request has,
  against the same session running `SELECT 1` (the floor any query on a request costs);
- delivery: a transaction that audits one `query` on a review (one notification for the city's
  editor, one e-mail row in the outbox) and commits, against the same transaction with the collected
  event discarded before the commit (`store.inbox.discard`), measured alternately in one run.

SQLite always, PostgreSQL when CITYKPI_TEST_POSTGRES_URL is set (scripts/with-postgres.sh). Prints
the load average beside the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select, text

CALLS = 2000
WRITES = 200


def _quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1e6, cuts[-1] * 1e6


def _timed(action: Callable[[], object], times: int) -> list[float]:
    found = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        found.append(time.perf_counter() - start)
    return found


def _world(db):  # type: ignore[no-untyped-def]
    from citykpi.platform import accounts, cities
    from citykpi.platform.notifications import Choice, choose
    from citykpi.platform.roles import Principal, Role
    from citykpi.platform.seed import ensure_framework
    from citykpi.store.schema import Notification, Review, User, utcnow

    admin = Principal("bench", Role.ADMIN)
    with db.write() as s:
        framework = ensure_framework(s)
        city = cities.create_city(s, admin, "Benchville", population=100_000)
        period = cities.create_period(s, admin, city, 2024, framework)
        s.add(Review(period_id=period.id, kpi="EC: ICT: ICT: 1C", state="submitted"))
        users = [accounts.create_user(s, f"user{i}", "bench-password", Role.VIEWER) for i in range(3)]
        editor = accounts.create_user(s, "editor", "bench-password", Role.CITY_EDITOR, cities=[city.slug])
        s.flush()
        choose(s, accounts.principal(editor), {"query-raised": Choice("query-raised", True, True)}, "ed@example.org")
        period_id = period.id
        review_id = s.scalar(select(Review.id))
        ids = [u.id for u in users]
    now = utcnow()
    fields = {"kind": "period-state", "action": "transition", "actor": "x", "entity": "period", "params": {}}
    rows = [
        {**fields, "user_id": user_id, "period_id": period_id, "read_at": None if n == 0 and i % 20 == 0 else now}
        for n, user_id in enumerate(ids)
        for i in range(20_000)
    ]
    with db.write() as s:
        for start in range(0, len(rows), 5000):
            s.execute(insert(Notification), rows[start : start + 5000])
        user_id = s.scalar(select(User.id).where(User.username == "user0"))
    return user_id, period_id, review_id


def _measure(label: str, url: str) -> list[tuple[str, ...]]:
    from citykpi.platform.notifications import unread_count
    from citykpi.store import audit, inbox
    from citykpi.store.scratch import migrated

    rows = []
    with migrated(url) as db:
        user_id, period_id, review_id = _world(db)

        def count() -> int:
            with db.read() as s:
                return unread_count(s, user_id)

        def floor() -> object:
            with db.read() as s:
                return s.execute(text("SELECT 1")).scalar()

        assert count() == 100  # user0 has 1,000 unread (the other users' 40,000 are read); counted up to the cap
        for _ in range(200):
            count(), floor()
        counted, baseline = _timed(count, CALLS), _timed(floor, CALLS)
        ratio = statistics.median(counted) / statistics.median(baseline)
        rows.append((label, "unread count (1,000 of 20,000 unread)", *_fmt(counted), f"{ratio:.2f}x SELECT 1"))
        rows.append((label, "SELECT 1 in a read session (floor)", *_fmt(baseline), ""))

        def audited(deliver: bool) -> Callable[[], None]:
            def run() -> None:
                with db.write() as s:
                    new = {"state": "queried"}
                    audit.record(s, "verifier", "query", "review", review_id, period_id=period_id, new=new)
                    if not deliver:
                        inbox.discard(s)

            return run

        delivered, discarded = [], []
        for _ in range(WRITES):
            delivered += _timed(audited(True), 1)
            discarded += _timed(audited(False), 1)
        ratio = statistics.median(delivered) / statistics.median(discarded)
        rows.append((label, "audited write, notification delivered", *_fmt(delivered), f"{ratio:.2f}x without"))
        rows.append((label, "audited write, event discarded", *_fmt(discarded), ""))
    for row in rows:
        print("  ".join(row), flush=True)
    return rows


def _fmt(samples: list[float]) -> tuple[str, str]:
    p50, p95 = _quantiles(samples)
    return f"{p50:.0f}", f"{p95:.0f}"


def main() -> None:
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _measure("SQLite", f"sqlite:///{tmp}/bench.db")
    server = os.environ.get("CITYKPI_TEST_POSTGRES_URL")
    if server:
        from citykpi.store.scratch import postgres_database

        with postgres_database(server) as url:
            rows += _measure("PostgreSQL", url)
    else:
        print("PostgreSQL skipped: CITYKPI_TEST_POSTGRES_URL is not set (run via scripts/with-postgres.sh)")
    table = [("database", "measured", "p50 µs", "p95 µs", "ratio"), *rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    print()
    for row in table:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
