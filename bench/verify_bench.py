"""CPU cost of what issue 13 added to verification: screening at submission and the review page's evidence panel.

On a scratch SQLite database with two demo cities (2023 published, 2024 a draft), per call, median
of 15 after one warm-up, CPU seconds of this process (they move less with the shared machine's
load than wall time):

- the checks of `citykpi validate` on the stored values, which is all submission screened before;
- the year-on-year and peer-range comparisons added to it (the figures read from the store);
- `platform.screening.screen`, the whole screening a submission now runs;
- `platform.evidence.evidence` for EC: I: T: 4A, what the review page reads besides the review.

Run: `python bench/verify_bench.py`.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable


def median_ms(call: Callable[[], object], runs: int = 15) -> float:
    call()
    spent = []
    for _ in range(runs):
        start = time.process_time()
        call()
        spent.append(time.process_time() - start)
    return 1000 * statistics.median(spent)


def main() -> None:
    from sqlalchemy import select

    from citykpi.demo.cities import CITIES
    from citykpi.model.diagnostics import ValidationReport
    from citykpi.platform import screening, verification
    from citykpi.platform.catalogues import catalogue_of
    from citykpi.platform.demo import LOADER, load_demo
    from citykpi.platform.evidence import evidence
    from citykpi.platform.screening_rules import RuleKind
    from citykpi.platform.values import submission_of
    from citykpi.platform.workflow import PeriodState
    from citykpi.store.schema import Period, Review
    from citykpi.store.scratch import migrated
    from citykpi.validate.files import check_submission

    with migrated(f"sqlite:///{tempfile.mkdtemp()}/verify-bench.db") as db:
        load_demo(db, specs=CITIES[:2], years=(2023, 2024))
        with db.write() as session:
            period = session.scalar(select(Period).where(Period.year == 2024).order_by(Period.id))
            assert period is not None
            verification.transition(session, LOADER, period, PeriodState.SUBMITTED, period.version, "")
        with db.read() as s:
            period = s.scalar(select(Period).where(Period.year == 2024).order_by(Period.id))
            review = s.scalar(select(Review).where(Review.period_id == period.id, Review.kpi == "EC: I: T: 4A"))
            assert period is not None and review is not None
            rules = screening.rules_for(s, period)

            def checks() -> object:
                submission = submission_of(s, period)
                return check_submission(submission, catalogue_of(period.framework), ValidationReport(valid=True))

            def comparisons() -> object:
                earlier = screening.earlier_period(s, period)
                assert earlier is not None
                numbers = screening.figures(s, [period.id, earlier.id])
                yoy = rules.of_kind(RuleKind.YEAR_ON_YEAR)[0]
                peers = screening.peer_values(s, screening.peer_periods(s, period))
                return [
                    screening.year_on_year(numbers[period.id], period.year, numbers[earlier.id], earlier.year, yoy),
                    screening.peer_range(
                        numbers[period.id], period.year, peers, "", rules.of_kind(RuleKind.PEER_RANGE)[0]
                    ),
                ]

            rows = [
                ("checks of citykpi validate (screening before issue 13)", median_ms(checks)),
                ("year-on-year and peer-range comparisons", median_ms(comparisons)),
                (
                    "screening.screen (the whole screening at submission)",
                    median_ms(lambda: screening.screen(s, period)),
                ),
                ("evidence panel of EC: I: T: 4A", median_ms(lambda: evidence(s, LOADER, period, review))),
            ]
    print("measured | median CPU ms per call")
    print("---------|----------------------")
    for label, ms in rows:
        print(f"{label} | {ms:.1f}")
    with open("/proc/loadavg", encoding="ascii") as fh:
        print(f"load average: {fh.read().split()[0]} (the machine is shared)")


if __name__ == "__main__":
    main()
